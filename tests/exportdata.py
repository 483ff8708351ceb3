"""A store for the export tests: the curated timeline plus hostile and imprecise events."""

from __future__ import annotations

from pathlib import Path

from amity.store import Event, Source, Store

HOSTILE = ("<script>alert(1)</script>", "[/b]", "\x1b[31m", '"; DROP')
SUMMIT = "jp-it-2026-01-16-special-strategic-partnership"
DEFENCE_ONLY = "test-defence-only-port-call"


def hostile_events() -> list[Event]:
    """Events whose every field a feed could fill carries markup, escapes or a formula.

    Built directly (past the model's validation) so the formats themselves must make them inert.
    """
    events = [
        Event(
            id=f"test-hostile-{n}",
            date=f"2025-0{n + 1}",
            title=f"{text} headline {n}",
            summary=f'=HYPERLINK("http://evil.example/") {text} <img src=x onerror=alert(2)>',
            kind="news",
            topics=("economic-security",),
            countries=("IT", "JP"),
            origin="feed",
            sources=(
                Source(
                    url=f"https://news.example.org/hostile/{n}?q=<b>&x=\"'",
                    title=f"{text} source </script><script>alert(3)</script>",
                    publisher="<i>Evil</i> \x1b]8;;http://evil\x07Press",
                ),
            ),
            note=f"first line {text}\n- second line\n=SUM(A1)",
        )
        for n, text in enumerate(HOSTILE)
    ]
    events.append(
        Event(
            id=DEFENCE_ONLY,
            date="2025-07-10",
            end_date="2025-07-12",
            title="Italian frigate calls at Yokosuka",
            summary="A port call on the way to an Indo-Pacific deployment.",
            kind="deployment",
            topics=("defense",),
            countries=("IT", "JP"),
            origin="feed",
            sources=(
                Source("https://example.org/a", "First report", "Example"),
                Source("https://example.org/b", "Second report", "Example"),
            ),
        )
    )
    events.append(
        Event(
            id="test-year-only",
            date="1873",
            title="Iwakura Mission visits Italy",
            kind="visit",
            topics=("diplomacy",),
            countries=("IT", "JP"),
            origin="user",
        )
    )
    return events


def export_store(path: Path) -> Path:
    """A seeded store at `path` with the hostile and imprecise events added."""
    Store.open(path).put_events(hostile_events())
    return path
