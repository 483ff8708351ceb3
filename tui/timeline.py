"""The timeline: a Line-API ScrollView that draws only the rows on screen, and its density strip."""

from __future__ import annotations

import math
from collections.abc import Callable
from textwrap import wrap
from typing import ClassVar

from amity.store import Event, Topic, word_spans
from amity.store.index import Shown, TimelineIndex
from amity.store.view import ViewDamaged
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import BindingType
from textual.events import Click
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from .actions import MOVE_KEYS, bindings
from .cells import cell_text, fit
from .layout import ROW_FIXED, title_share
from .output import counted

MILESTONE, NEW, MORE, HIDDEN = "★", "●", "+", "⊘"
CURSOR, CURSOR_BLURRED = "▶", "▷"
ORIGIN_MARKS = {"curated": "◆", "feed": "»", "user": "✎"}
ORIGIN_NAMES = {"curated": "curated timeline", "feed": "from a feed", "user": "yours"}
BARS = "▁▂▃▄▅▆▇█"
TAG_MIN = 4  # narrower than this, the topic column is dropped


def tag_of(topic: Topic) -> str:
    """A short tag for a topic in a timeline row (its id's first word, up to 4 letters)."""
    return topic.id.split("-")[0][:4]


def fit_tags(tags: list[str], room: int) -> str:
    """As many tags as fit in `room` columns, then "+N" for the rest ('' if none fits)."""
    text = ""
    for n, tag in enumerate(tags):
        rest = len(tags) - n - 1
        candidate = (text + " " + tag).strip()
        if cell_len(candidate) + (len(f" +{rest}") if rest else 0) > room:
            text = (text + f" +{len(tags) - n}").strip()
            break
        text = candidate
    return text if cell_len(text) <= room else ""


def lit(text: str, words: tuple[str, ...], style: Style, match: Style) -> list[Segment]:
    """`text` as segments, the search words (where they start a word) in the `match` style."""
    segments, at = [], 0
    for start, end in word_spans(text, words):
        if start < at:
            continue
        segments += [Segment(text[at:start], style), Segment(text[start:end], style + match)]
        at = end
    segments.append(Segment(text[at:], style))
    return [segment for segment in segments if segment.text]


class TimelineView(ScrollView, can_focus=True):
    """Newest-first rows under year headings; only the visible rows are ever rendered."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--year",
        "timeline--milestone",
        "timeline--origin",
        "timeline--match",
        "timeline--date",
        "timeline--tags",
        "timeline--new",
        "timeline--cursor",
        "timeline--empty",
    }
    DEFAULT_CSS = """
    TimelineView { overflow-x: hidden; background: $surface; scrollbar-size-vertical: 1; }
    TimelineView > .timeline--year { color: $accent; text-style: bold; }
    TimelineView > .timeline--milestone { color: $warning; text-style: bold; }
    TimelineView > .timeline--origin { color: $text-muted; }
    TimelineView > .timeline--match { text-style: bold reverse; }
    TimelineView > .timeline--date { color: $text-muted; }
    TimelineView > .timeline--tags { color: $text-primary; }
    TimelineView > .timeline--new { color: $success; text-style: bold; }
    TimelineView > .timeline--cursor {
        background: $block-cursor-blurred-background; text-style: underline;
    }
    TimelineView:focus > .timeline--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: bold;
    }
    /* Where colour is missing (NO_COLOR) or only the terminal's own (textual-ansi), reverse
       video marks the cursor: every terminal draws that. */
    TimelineView:focus:nocolor > .timeline--cursor,
    TimelineView:focus:ansi > .timeline--cursor { text-style: bold reverse; }
    TimelineView > .timeline--empty { color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = bindings(MOVE_KEYS)

    class Highlighted(Message):
        """The cursor moved onto another event (or off every event: `event` is None)."""

        def __init__(self, event: Event | None) -> None:
            super().__init__()
            self.event = event

    class Chosen(Message):
        """Enter on an event: show its detail."""

    class Unreadable(Message):
        """The store's view behind `index` proved damaged while an event was read from it."""

        def __init__(self, index: TimelineIndex, error: ViewDamaged) -> None:
            super().__init__()
            self.index = index
            self.error = error

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index: TimelineIndex | None = None
        self.view: Shown | None = None
        self.cursor = 0
        self.mark_of: Callable[[Event], str] = lambda event: " "  # ● new, + new sources
        self.empty_lines: tuple[str, ...] = ("no events",)
        self.words: tuple[str, ...] = ()  # the search, lit in titles
        self.title_cap = 10_000  # the layout's limit on the title column (see layout.py)
        self._tags: dict[str, str] = {}
        self._longest = 0
        self._base: Style | None = None  # the widget's style while render_lines draws

    # -- content ---------------------------------------------------------------------------

    def set_view(self, index: TimelineIndex, view: Shown, keep: str | None = None) -> None:
        """Show a new view; the cursor stays on event id `keep` when it is still shown,
        otherwise on the same row number. Posts no Highlighted: the caller shows `current`."""
        self.index, self.view = index, view
        self._tags = {topic.id: tag_of(topic) for topic in index.topics}
        self._longest = index.longest_title
        self.virtual_size = Size(0, len(view.rows))
        row = None
        if keep is not None and keep in index.position_of:
            row = view.row_of_event(index.position_of[keep])
        if row is None:
            row = min(self.cursor, max(0, len(view.rows) - 1))
        self._set_cursor(row, announce=False, force=True)
        self.refresh()

    @property
    def current(self) -> Event | None:
        """The event under the cursor."""
        if not self.view or not self.view.rows or self.index is None:
            return None
        position = self.view.rows[self.cursor]
        return self._event(position) if position >= 0 else None

    def _event(self, position: int) -> Event | None:
        # Events are read from the store's view lazily, as they are drawn: a view damaged
        # since start-up is told to the app (which reads the store file again), not a crash.
        assert self.index is not None
        try:
            return self.index.event(position)
        except ViewDamaged as exc:
            self.post_message(self.Unreadable(self.index, exc))
            return None

    @property
    def rows(self) -> list[int]:
        """The rows of the current view (events and year headings)."""
        return self.view.rows if self.view else []

    # -- cursor ----------------------------------------------------------------------------

    def _nearest_event_row(self, row: int, step: int) -> int:
        rows = self.rows
        if not rows:
            return 0
        row = max(0, min(row, len(rows) - 1))
        probe = row
        while 0 <= probe < len(rows) and rows[probe] < 0:
            probe += step
        if 0 <= probe < len(rows):
            return probe
        probe = row
        while 0 <= probe < len(rows) and rows[probe] < 0:
            probe -= step
        return probe if 0 <= probe < len(rows) else 0

    def _set_cursor(
        self, row: int, *, step: int = 1, announce: bool = True, force: bool = False
    ) -> None:
        row = self._nearest_event_row(row, step)
        old = self.cursor
        if row == old and not force:
            return
        self.cursor = row
        self.refresh_line(old)
        self.refresh_line(row)
        self._scroll_to_cursor()
        if announce:
            self.post_message(self.Highlighted(self.current))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or self.size.height
        if height <= 0:
            return
        top = self.cursor
        if top > 0 and self.rows[top - 1] < 0:
            top -= 1  # keep the year heading of the first entry in view
        if top < self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif self.cursor >= self.scroll_offset.y + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        """Move the cursor by `step` events."""
        row = self.cursor + step
        if 0 <= row < len(self.rows) and self.rows[row] < 0:
            row += step
        if 0 <= row < len(self.rows):
            self._set_cursor(row, step=step)

    def action_page(self, direction: int) -> None:
        """Move the cursor a screenful."""
        height = max(1, (self.scrollable_content_region.height or 1) - 1)
        self._set_cursor(self.cursor + direction * height, step=direction)

    def action_first(self) -> None:
        """Move to the first event."""
        self._set_cursor(0, step=1)

    def action_last(self) -> None:
        """Move to the last event."""
        self._set_cursor(len(self.rows) - 1, step=-1)

    def action_year(self, direction: int) -> None:
        """Move to the first event of the previous (-1, up) or next (+1, down) year heading."""
        rows = self.rows
        if not rows:
            return
        heading = self.cursor
        while heading > 0 and rows[heading] >= 0:
            heading -= 1
        if direction < 0:
            target = heading - 1
            while target > 0 and rows[target] >= 0:
                target -= 1
            if target < 0 or rows[target] >= 0:
                return
        else:
            target = self.cursor + 1
            while target < len(rows) and rows[target] >= 0:
                target += 1
            if target >= len(rows):
                return
        self._set_cursor(target + 1, step=1)
        # Put the year at the top so a jump shows the whole year.
        self.scroll_to(y=target, animate=False, immediate=True)

    def jump_to_year(self, year: int) -> bool:
        """Put the cursor on the first event of `year`; False if that year is not shown."""
        for row, value in enumerate(self.rows):
            if value == ~year:
                self._set_cursor(row + 1, step=1)
                self.scroll_to(y=row, animate=False, immediate=True)
                return True
        return False

    def jump_to_date(self, date: str, newest_first: bool) -> Event | None:
        """Put the cursor on the first event shown at `date` (at the precision both know), or
        else the nearest one past it in the current order; None when there is none."""
        rows, dates = self.rows, self.index.column("date") if self.index else []
        fallback = None
        for row, value in enumerate(rows):
            if value < 0:
                continue
            shown = dates[value]
            cut = min(len(shown), len(date))
            if shown[:cut] == date[:cut]:
                self._land(row)
                return self.current
            if fallback is None and (shown < date if newest_first else shown > date):
                fallback = row
        if fallback is None:
            return None
        self._land(fallback)
        return self.current

    def _land(self, row: int) -> None:
        self._set_cursor(row, step=1)
        top = row - 1 if row > 0 and self.rows[row - 1] < 0 else row
        self.scroll_to(y=top, animate=False, immediate=True)

    def find(self, wanted: Callable[[str], bool], step: int) -> Event | None:
        """Move to the next (step 1) or previous (-1) event whose id is `wanted`, wrapping
        around; None (and no move) when no other event is."""
        rows, index = self.rows, self.index
        if not rows or index is None:
            return None
        ids = index.ids
        for offset in range(1, len(rows) + 1):
            row = (self.cursor + step * offset) % len(rows)
            if rows[row] >= 0 and wanted(ids[rows[row]]):
                if row == self.cursor:
                    return None
                self._set_cursor(row, step=step)
                return self.current
        return None

    def action_open_detail(self) -> None:
        """Enter: show the event's detail."""
        if self.current is not None:
            self.post_message(self.Chosen())

    def on_click(self, event: Click) -> None:
        """Clicking a row selects it."""
        row = event.y + self.scroll_offset.y
        if 0 <= row < len(self.rows) and self.rows[row] >= 0:
            self._set_cursor(row)

    def on_focus(self) -> None:
        """The cursor row shows whether the timeline has the focus (▶) or not (▷)."""
        self.refresh_line(self.cursor)

    def on_blur(self) -> None:
        """See on_focus."""
        self.refresh_line(self.cursor)

    def on_resize(self) -> None:
        """Keep the cursor visible when the terminal shrinks."""
        self._scroll_to_cursor()

    # -- drawing ---------------------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        """Draw the lines in `crop`, with the widget's style worked out once for all of them
        (rich_style walks every ancestor's styles: a full screen asked for it ~40 times)."""
        self._base = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base = None

    def render_line(self, y: int) -> Strip:
        """Draw one visible line (the Line API: called only for rows on screen)."""
        width = self.scrollable_content_region.width
        row = y + self.scroll_offset.y
        base = self.rich_style if self._base is None else self._base
        rows = self.rows
        if not rows:
            return self._empty_line(y, width, base)
        if row >= len(rows):
            return Strip.blank(width, base)
        value = rows[row]
        if value < 0:
            strip = self._heading(~value, width, base)
        elif (event := self._event(value)) is None:
            return Strip.blank(width, base)
        else:
            strip = self._event_row(event, width, base, row == self.cursor)
        if row == self.cursor:
            # Over the row's own colours (a pre-style, Strip.apply_style, lost to them).
            cursor = self.get_component_rich_style("timeline--cursor")
            strip = Strip(Segment.apply_style(strip, post_style=cursor), strip.cell_length)
        return strip

    def _empty_line(self, y: int, width: int, base: Style) -> Strip:
        # Wrapped, and without its top margin when short: cut at 40×12, the hint lost the key
        # that clears every filter.
        room = max(8, width - 4)
        lines = [part for line in self.empty_lines for part in wrap(line, room)]
        if len(lines) < self.size.height:
            lines.insert(0, "")
        if y >= len(lines):
            return Strip.blank(width, base)
        style = base + self.get_component_rich_style("timeline--empty")
        return Strip([Segment(set_cell_size("  " + lines[y], width), style)])

    def _heading(self, year: int, width: int, base: Style) -> Strip:
        style = base + self.get_component_rich_style("timeline--year")
        count = self.view.year_counts.get(year, 0) if self.view else 0
        right = f" {counted(count, 'event')} "
        label = f" {year} "
        rule = max(0, width - cell_len(label) - cell_len(right))
        return Strip([Segment(set_cell_size(label + "─" * rule + right, width), style)])

    def _event_row(self, event: Event, width: int, base: Style, cursor: bool) -> Strip:
        get = self.get_component_rich_style
        title_room = max(1, min(self.title_cap, title_share(width - ROW_FIXED), self._longest))
        title = (HIDDEN + " " if event.hidden else "") + cell_text(event.title)
        tag_room = width - ROW_FIXED - title_room - 1
        tags = [self._tags.get(t, t[:4]) for t in event.topics]
        tag_text = fit_tags(tags, tag_room) if tag_room >= TAG_MIN else ""
        marker = (CURSOR if self.has_focus else CURSOR_BLURRED) if cursor else " "
        date = event.date + ("?" if event.certainty == "partial" else "")
        title_style = (
            base
            + (get("timeline--milestone") if event.milestone else Style())
            + (Style(dim=True, strike=True) if event.hidden else Style())
        )
        title_cells = lit(fit(title, title_room), self.words, title_style, get("timeline--match"))
        segments = [
            Segment(marker, base),
            Segment(self.mark_of(event), base + get("timeline--new")),
            Segment(MILESTONE if event.milestone else " ", base + get("timeline--milestone")),
            Segment(ORIGIN_MARKS.get(event.origin, " "), base + get("timeline--origin")),
            Segment(" ", base),
            Segment(set_cell_size(date, 11) + " ", base + get("timeline--date")),
            *title_cells,
        ]
        if tag_text:
            segments.append(Segment(" " + tag_text, base + get("timeline--tags")))
        return Strip(segments).adjust_cell_length(width, base)


class DensityStrip(Widget):
    """Entries per year on a real time axis: bars over the years (empty years left empty), the
    years labelled under them, and the cursor's year marked on both lines."""

    DEFAULT_CSS = """
    DensityStrip { height: 2; background: $panel; color: $text-muted; }
    DensityStrip > .density--cursor { color: $accent; text-style: bold reverse; }
    DensityStrip > .density--bar { color: $text-primary; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"density--cursor", "density--bar"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.year_counts: dict[int, int] = {}
        self.year: int | None = None

    def show(self, year_counts: dict[int, int], year: int | None) -> None:
        """Draw these per-year counts with `year` highlighted."""
        if year_counts != self.year_counts or year != self.year:
            self.year_counts, self.year = dict(year_counts), year
            self.refresh()

    def render(self) -> Text:
        """Two lines: the bars, then the axis with year labels and the cursor's year."""
        width = max(1, self.size.width)
        bars, axis = density_lines(self.year_counts, self.year, width)
        cursor = self.get_component_rich_style("density--cursor")
        text = Text(no_wrap=True, overflow="crop", end="")
        text.append_text(Text(bars, self.get_component_rich_style("density--bar")))
        text.append("\n")
        text.append(axis)
        if self.year is not None and self.year_counts:
            column = axis_column(self.year, self.year_counts, width)
            text.stylize(cursor, column, column + 1)
            for label in (f"▲{self.year}", f"{self.year}▲"):
                at = axis.find(label)
                if at >= 0:
                    start = len(bars) + 1 + at
                    text.stylize(cursor, start, start + len(label))
                    break
        return text


TICKS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000)


def axis_column(year: int, year_counts: dict[int, int], width: int) -> int:
    """The column of `year` on an axis from the first to the last year with events."""
    first, last = min(year_counts), max(year_counts)
    return min(width - 1, (year - first) * width // (last - first + 1))


def density_lines(year_counts: dict[int, int], year: int | None, width: int) -> tuple[str, str]:
    """The bar line and the axis line of the density strip, each `width` characters: time runs
    evenly left to right, so a century without events is a gap, not one bar."""
    if not year_counts:
        return " " * width, " " * width
    first, last = min(year_counts), max(year_counts)
    span = last - first + 1
    totals = [0] * width
    for y, count in year_counts.items():
        totals[min(width - 1, (y - first) * width // span)] += count
    if span < width:  # fewer years than columns: each year a band of columns
        for column in range(width):
            totals[column] = year_counts.get(first + column * span // width, 0)
    peak = max(totals) or 1
    # Square-root heights: one event in a quiet century still shows beside a busy year.
    bars = "".join(
        BARS[min(len(BARS) - 1, math.ceil(math.sqrt(total / peak) * len(BARS)) - 1)]
        if total
        else " "
        for total in totals
    )
    axis = [" "] * width
    if year is not None and first <= year <= last:  # the cursor's year first: it always shows
        column = axis_column(year, year_counts, width)
        label = f"▲{year}" if column + len(str(year)) < width else f"{year}▲"
        start = column if label[0] == "▲" else max(0, column - len(str(year)))
        axis[start : start + len(label)] = list(label)
    _put(axis, 0, str(first))
    step = next((t for t in TICKS if t * width / span >= 7), TICKS[-1])
    for tick in range(first - first % step + step, last + 1, step):
        _put(axis, axis_column(tick, year_counts, width), f"┴{tick}")
    return bars, "".join(axis)[:width]


def _put(axis: list[str], column: int, label: str) -> None:
    # A tick label goes only where it does not run into another.
    end = column + len(label)
    if end > len(axis) or any(c != " " for c in axis[max(0, column - 1) : end + 1]):
        return
    axis[column:end] = list(label)
