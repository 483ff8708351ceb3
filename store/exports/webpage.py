"""One self-contained web page: a vertical timeline with year headings and topic filters.

No network is needed to view it: the style and the small filter script are inline, and a
Content-Security-Policy allows exactly those two (by hash) and nothing else. The script holds no
data; it reads the topics from attributes, and every field of every event is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from collections.abc import Sequence
from html import escape

from ..model import Event
from ..text import clean_text
from .shared import LEGEND, ExportContext, by_year, date_label, source_label

STYLE = """
:root { --ink: #1d232b; --muted: #5b6673; --line: #c9d1da; --accent: #b0302a; --bg: #fbfaf7;
  --card: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans JP",
  sans-serif; color: var(--ink); background: var(--bg); }
@media (prefers-color-scheme: dark) { :root { --ink: #e6e8eb; --muted: #9aa4ae;
  --line: #3a434d; --accent: #ef6b5f; --bg: #15191e; --card: #1d232a; } }
body { max-width: 52rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.8rem; }
header p { margin: 0 0 1rem; color: var(--muted); }
#topics { border: 1px solid var(--line); border-radius: .5rem; padding: .5rem .75rem;
  display: flex; flex-wrap: wrap; gap: .25rem 1rem; align-items: center; }
#topics legend { color: var(--muted); padding: 0 .25rem; }
#topics label { cursor: pointer; white-space: nowrap; }
#topics .count, .kind, time, .topics { color: var(--muted); }
#topics output { margin-left: auto; color: var(--muted); }
#topics[hidden] { display: none; }
section.year h2 { margin: 2rem 0 .5rem; font-size: 1.4rem; position: sticky; top: 0;
  background: var(--bg); padding: .25rem 0; z-index: 1; }
ol.events { list-style: none; margin: 0; padding: 0 0 0 1.25rem;
  border-left: 2px solid var(--line); }
li.event { position: relative; margin: 0 0 1rem; padding: .5rem .75rem; background: var(--card);
  border: 1px solid var(--line); border-radius: .5rem; }
li.event::before { content: ""; position: absolute; left: -1.75rem; top: .9rem; width: .7rem;
  height: .7rem; border-radius: 50%; background: var(--line); }
li.event.milestone { border-color: var(--accent); border-width: 2px; }
li.event.milestone::before { background: var(--accent); width: .9rem; height: .9rem;
  left: -1.85rem; }
li.event h3 { margin: .1rem 0; font-size: 1.05rem; }
li.event.milestone h3::before { content: "★ "; color: var(--accent); }
li.event p { margin: .25rem 0; }
.meta { font-size: .9rem; }
.kind { text-transform: uppercase; letter-spacing: .04em; font-size: .8rem; margin-left: .5rem; }
.topics { font-size: .85rem; }
ul.sources { margin: .25rem 0 0; padding-left: 1.1rem; font-size: .9rem; }
.note { border-left: 3px solid var(--accent); padding-left: .5rem; font-style: italic; }
a { color: inherit; }
[hidden] { display: none !important; }
"""

# Shows events with any checked topic (none checked shows all), as the app and `list` do.
SCRIPT = """
(() => {
  const box = document.getElementById("topics");
  const inputs = [...box.querySelectorAll("input")];
  const events = [...document.querySelectorAll("li.event")];
  const years = [...document.querySelectorAll("section.year")];
  const shown = document.getElementById("shown");
  const apply = () => {
    const on = inputs.filter((i) => i.checked).map((i) => i.value);
    let count = 0;
    for (const event of events) {
      const topics = event.dataset.topics.split(" ");
      event.hidden = on.length > 0 && !topics.some((t) => on.includes(t));
      if (!event.hidden) count += 1;
    }
    for (const year of years) year.hidden = !year.querySelector("li.event:not([hidden])");
    shown.value = `${count} of ${events.length} shown`;
  };
  for (const input of inputs) input.addEventListener("change", apply);
  document.getElementById("all").addEventListener("click", () => {
    for (const input of inputs) input.checked = false;
    apply();
  });
  box.hidden = false;
  apply();
})();
"""


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Nothing loads from anywhere; only this page's own style and script run.
POLICY = f"default-src 'none'; style-src {_digest(STYLE)}; script-src {_digest(SCRIPT)}"


def h(text: str) -> str:
    """Untrusted text as HTML: plain, then every markup character escaped (quotes too)."""
    return escape(clean_text(text), quote=True)


def _event(event: Event, context: ExportContext) -> str:
    classes = "event milestone" if event.milestone else "event"
    topics = " ".join(h(topic) for topic in event.topics)
    parts = [
        f'<li class="{classes}" id="{h(event.id)}" data-topics="{topics}">',
        f'<div class="meta"><time datetime="{h(event.date)}">{h(date_label(event))}</time>'
        f'<span class="kind">{h(event.kind)}</span></div>',
        f"<h3>{h(event.title)}</h3>",
    ]
    if event.summary:
        parts.append(f"<p>{h(event.summary)}</p>")
    labels = context.topics(event)
    if labels:
        parts.append(f'<p class="topics">{" · ".join(map(h, labels))}</p>')
    parts.extend(f'<p class="note">{h(line)}</p>' for line in context.note(event))
    if event.sources:
        parts.append('<ul class="sources">')
        parts.extend(
            f'<li><a href="{escape(s.url, quote=True)}" rel="noopener noreferrer">'
            f"{h(source_label(s))}</a>{_publisher(s.publisher, s.title)}</li>"
            for s in event.sources
        )
        parts.append("</ul>")
    parts.append("</li>")
    return "".join(parts)


def _publisher(publisher: str, title: str) -> str:
    return (
        f" — {h(publisher)}"
        if publisher and title and clean_text(publisher) != clean_text(title)
        else ""
    )


def _topic_filters(events: Sequence[Event], context: ExportContext) -> str:
    counts = Counter(topic for event in events for topic in event.topics)
    ordered = [t for t in context.topic_labels if counts[t]]
    ordered += sorted(t for t in counts if t not in context.topic_labels)
    boxes = "".join(
        f'<label><input type="checkbox" value="{h(topic)}"> '
        f'{h(context.topic_labels.get(topic, topic))} <span class="count">{counts[topic]}</span>'
        "</label>"
        for topic in ordered
    )
    # Hidden until the script runs: without it the boxes could not filter anything.
    return (
        '<fieldset id="topics" hidden><legend>Show topics (none ticked: all)</legend>'
        f'{boxes}<button type="button" id="all">Show all</button>'
        '<output id="shown"></output></fieldset>'
    )


def render(events: Sequence[Event], context: ExportContext) -> str:
    """The whole page as HTML text."""
    title = h(context.title)
    count = f"{len(events)} event{'s' if len(events) != 1 else ''}"
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">',
        f"<title>{title}: a timeline</title>",
        f"<style>{STYLE}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{title}</h1>",
        f"<p>{count}, exported {context.generated:%Y-%m-%d}. {LEGEND}</p>",
        _topic_filters(events, context),
        "</header>",
        "<main>",
    ]
    for year, group in by_year(events):
        out.append(f'<section class="year" id="y{year}"><h2>{year}</h2><ol class="events">')
        out.extend(_event(event, context) for event in group)
        out.append("</ol></section>")
    out += ["</main>", f"<script>{SCRIPT}</script>", "</body>", "</html>"]
    return "\n".join(out) + "\n"
