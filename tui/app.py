"""The timeline app: topics on the left, the timeline in the middle, the detail right or below."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import replace
from functools import partial
from itertools import compress
from operator import gt
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from amity.store import (
    Config,
    Event,
    Filter,
    Store,
    StoreError,
    StoreLocked,
    clean_text,
    format_iso,
    last_checked,
    sidecar_path,
    strip_controls,
)
from amity.store.index import Shown, Timeline, TimelineIndex, read_timeline, use_timeline
from amity.store.storage import resume_gc
from amity.store.view import ViewDamaged
from rich.markup import escape as escape_markup
from textual import on
from textual.app import App, ComposeResult
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.containers import Container, Vertical
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Footer, Input
from textual.worker import get_current_worker

from . import layout
from .actions import APP_KEYS, bindings
from .cells import cell_text
from .curating import Curating
from .detail import DetailPane
from .header import StatusHeader, describe_filter, progress_text, refresh_status
from .output import counted
from .palette import FilterCommands, TimelineCommands, choices_provider
from .sidebar import TopicList
from .timeline import MORE, NEW, DensityStrip, TimelineView
from .visits import Visits, load_visits, save_visits, visit_path

if TYPE_CHECKING:
    from amity.feeds import RefreshReport

POLL_SECONDS = 2.0
# What the first paint reads and derives (checked before the screen is taken); the rest is
# read in the background right after it (TimelineIndex.warm).
FIRST_PAINT = ("id", "mask_codes", "year_codes", "hidden", "added", "source_codes")
Clock = Callable[[], dt.datetime]


def utc_clock() -> dt.datetime:
    """The real clock (tests inject a fixed one)."""
    return dt.datetime.now(dt.UTC)


class Panes(NamedTuple):
    """The app's widgets, made in compose and kept: the first view is shown in them before
    they are mounted (shown after, in on_mount, each was drawn a second time). A NamedTuple:
    a frozen dataclass costs start-up 0.4 ms to make."""

    header: StatusHeader
    sidebar: TopicList
    timeline: TimelineView
    density: DensityStrip
    detail: DetailPane


class AmityApp(Curating):
    """Browse the years, filter by topic with one key, refresh in place."""

    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses live elsewhere
    TITLE = "amity"
    COMMANDS = App.COMMANDS | {TimelineCommands, FilterCommands}
    BINDINGS: ClassVar[list[BindingType]] = bindings(APP_KEYS)
    parts: Panes  # made in compose

    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        loaded: Timeline | None = None,
        clock: Clock = utc_clock,
    ) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.clock = clock
        self.loaded = loaded if loaded is not None else read_timeline(store, config.topics)
        self.index = self.loaded.index
        self.view_filter = Filter()
        self.view = Shown([], 0, {}, {})  # on_mount's apply() builds the real one
        self.visit_file = visit_path(store.path)
        self.visits = load_visits(self.visit_file)
        self.seen: set[str] = set()
        self.source_base = dict(self.visits.sources)  # sources an event had when last seen
        self.marks = self._whats_new()
        self.store_error: str | None = None
        self.refreshing = False
        self.reloading = False  # a live reload of another process's write is under way
        self.progress = (0, 0)
        self.title = f"amity — {config.pair_label}"
        for topic in config.topics:  # keys 1-9; the footer names them together
            if not topic.key:
                continue
            first = topic.key == "1"
            self.bind(
                topic.key,
                f"toggle_topic('{topic.key}')",
                description="Topics" if first else escape_markup(f"Topic: {topic.label}"),
                show=first,
                key_display="1-9" if first else None,
            )
        self._checked_mtime = _mtime(sidecar_path(store))
        self.sidebar_choice: bool | None = None  # None: the layout decides
        self.wide_detail = False
        self.panes = layout.choose(80, 24)
        self.checked_at = last_checked(store, self.loaded)  # when a refresh last ran
        self._damaged_index: TimelineIndex | None = None  # its view found damaged while drawn
        self.painted = False  # the first frame is on the screen (see on_ready)

    # -- layout ----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """Header, topics | timeline + density | detail, search, progress, footer."""
        body = Container(id="body")
        parts = self.parts = Panes(
            StatusHeader(id="header"),
            TopicList(self.config.topics, id="sidebar"),
            TimelineView(id="timeline"),
            DensityStrip(id="density"),
            DetailPane(self.config.topics, id="detail"),
        )
        # Laid out for the terminal's size before anything is styled: chosen at the first
        # resize instead, the screen's classes restyled every widget a second time.
        self._lay_out(self._layout_at(self.size.width, self.size.height), body)
        parts.timeline.mark_of = self.mark_of
        self.apply()  # the index built in __init__
        yield parts.header
        with body:
            yield parts.sidebar
            with Vertical(id="main"):
                yield parts.timeline
                yield parts.density
            yield parts.detail
        yield Footer()  # the search box comes after the first frame: see on_ready

    @property
    def timeline(self) -> TimelineView:
        """The timeline widget."""
        return self.parts.timeline

    def on_mount(self) -> None:
        """Start polling the store (the first view was shown in compose)."""
        if self.visits.theme in self.available_themes:
            self.theme = self.visits.theme  # the theme chosen last time
        self._layout_for(self.size.width, self.size.height)
        # At once, not deferred as Widget.focus is: keys typed during start-up are already
        # queued, and a / among them must keep the focus it gives the search box.
        self.screen.set_focus(self.timeline, scroll_visible=False)
        self.set_interval(POLL_SECONDS, self.check_store)
        self.call_after_refresh(self._warm_search)
        for update in self.store.curated_updates:
            self.notify(update.message(), markup=False)

    def on_ready(self) -> None:
        """The first frame is on the screen: the collector run_app held off works again, the
        detail of the event under the cursor is drawn (a fifth of the first frame's work), and
        the search box, hidden until / and another fifth, is mounted."""
        if not gc.isenabled():
            resume_gc()
        self.painted = True
        self.parts.detail.show(self.timeline.current, self.view_filter.words)
        self.call_later(self._search_bar)

    def _search_bar(self) -> Input:
        # Mounted now if the first frame has not come yet (a key pressed during start-up).
        for bar in self.query("#search").results(Input):
            return bar
        from .search import SearchBar  # here: not for the first paint

        bar = SearchBar(placeholder="search titles, summaries, sources", id="search")
        if self.screen.is_attached:  # not when q, typed at launch, took the screen down first
            self.mount(bar, before=self.query_one(Footer))
        return bar

    def _warm_search(self) -> None:
        # After the first frame: build the search texts so the first keystroke of a search
        # filters at once (at 100,000 events this takes a few hundred ms).
        index = self.loaded.index

        def work() -> None:
            try:
                index.warm()
            except ViewDamaged as exc:  # read the store file itself instead
                self.store.discard_view(exc)
                self.call_from_thread(self._reload_now)

        self.run_worker(work, thread=True, group="warm")

    @on(TimelineView.Unreadable)
    def _view_damaged(self, message: TimelineView.Unreadable) -> None:
        if message.index is not self.index or self.index is self._damaged_index:
            return  # told already, or already replaced
        self._damaged_index = self.index
        self.store.discard_view(message.error)
        self.notify(
            "The store's view was damaged: reading the store file itself.", severity="warning"
        )
        self._reload_now()

    def _reload_now(self) -> None:
        if not (self.refreshing or self.reloading):
            self.reloading = True
            self.run_worker(self._reload, thread=True, exclusive=True, group="reload")

    def on_resize(self, event: Resize) -> None:
        """Titles get the width first; the sidebar and a side detail come when there is room."""
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        chosen = self._layout_at(width, height)
        if chosen != self.panes:  # start-up sends two resizes; each restyle costs a pass
            self._lay_out(chosen, self.query_one("#body"))

    def _layout_at(self, width: int, height: int) -> layout.Layout:
        return layout.choose(
            width, height, sidebar=self.sidebar_choice, wide_detail=self.wide_detail
        )

    def _lay_out(self, chosen: layout.Layout, body: Widget) -> None:
        timeline, detail = self.parts.timeline, self.parts.detail
        self.panes = chosen
        self.screen.set_class(not chosen.sidebar, "no-sidebar")
        self.screen.set_class(not chosen.detail_right, "detail-below")
        self.screen.set_class(not chosen.density, "no-density")
        self.screen.set_class(not chosen.detail_size, "no-detail")
        styles = body.styles
        sidebar = f"{layout.SIDEBAR} " if chosen.sidebar else ""
        columns = 1 + chosen.sidebar
        if chosen.detail_right:
            styles.grid_size_columns, styles.grid_size_rows = columns + 1, 1
            styles.grid_columns = f"{sidebar}1fr {chosen.detail_size}"
            styles.grid_rows = "1fr"
            detail.styles.column_span = 1
        else:
            styles.grid_size_columns, styles.grid_size_rows = columns, 2
            styles.grid_columns = f"{sidebar}1fr"
            styles.grid_rows = f"1fr {chosen.detail_size}"
            detail.styles.column_span = columns
        if timeline.title_cap != chosen.title_room:
            timeline.title_cap = chosen.title_room
            timeline.refresh()

    def action_toggle_sidebar(self) -> None:
        """Hide or show the topic sidebar (your choice holds until you change it)."""
        self.sidebar_choice = not self.panes.sidebar
        self._layout_for(self.size.width, self.size.height)
        if self.sidebar_choice and not self.panes.sidebar:
            self.notify("No room for the topic sidebar at this width.", severity="warning")

    def action_widen_detail(self) -> None:
        """Give the detail pane more room, or back to normal."""
        self.wide_detail = not self.wide_detail
        self._layout_for(self.size.width, self.size.height)

    # -- filtering -------------------------------------------------------------------------

    def apply(self, keep: str | None = None) -> None:
        """Re-filter and redraw, keeping the cursor on event `keep` (default: the current)."""
        timeline = self.timeline
        if keep is None and timeline.current is not None:
            keep = timeline.current.id
        self.view = self.index.show(self.view_filter)
        timeline.empty_lines = self._empty_hint()
        timeline.words = self.view_filter.words
        timeline.set_view(self.index, self.view, keep)
        self.parts.sidebar.show(
            self.view_filter.topics,
            self.view.topic_counts,
            self.view_filter.milestones_only,
            self.view_filter.newest_first,
        )
        self._show_header()
        self._show_current(timeline.current)

    def _empty_hint(self) -> tuple[str, ...]:
        if not len(self.index):
            return (
                "The timeline is empty.",
                "Press r to fetch the feeds, or add events with `amity import FILE`.",
            )
        ways = []
        if self.view_filter.topics:
            ways.append("0 clears the topics")
        if self.view_filter.milestones_only:
            ways.append("m shows more than milestones")
        if self.view_filter.words:
            ways.append("Esc clears the search")
        chosen = self.view_filter
        if chosen.kinds or chosen.origins or chosen.outlets:
            ways.append("f changes the kind, origin and outlet filters")
        ways.append("x clears every filter")
        # Not capitalised: each way starts with its key, and "M" or "F" is another key.
        return ("No events match.", "; ".join(ways) + ".")

    def _show_header(self) -> None:
        total = len(self.index) - self.index.hidden_count
        left = f"{self.config.pair_label}  {counted(total, 'event')}"
        if not self.view_filter.is_empty:
            left += f", {self.view.matched} shown"
        if new := self.new_count:
            left += f" · {new} new (n)"
        if self.refreshing:
            right, bad = progress_text(*self.progress), False
        else:
            right, bad = refresh_status(self.checked_at, self.loaded.feeds, self.clock())
        chosen, topics = self.view_filter, self.config.topics
        self.parts.header.show(
            left,
            describe_filter(chosen, topics),
            right,
            bad,
            describe_filter(chosen, topics, short=True),
        )

    def _set_query(self, **changes: Any) -> None:
        self.view_filter = replace(self.view_filter, **changes)
        self.apply()

    def action_toggle_topic(self, key: str) -> None:
        """Toggle the topic whose key is `key`."""
        for topic in self.config.topics:
            if key and topic.key == key:
                self.toggle_topic(topic.id)
                return
        self.notify(f"no topic {key}", severity="warning")

    def toggle_topic(self, topic_id: str) -> None:
        """Toggle a topic by id (a topic past the ninth has no key)."""
        self._set_query(topics=self.view_filter.topics ^ {topic_id})

    @on(TopicList.Toggled)
    def _clicked_topic(self, message: TopicList.Toggled) -> None:
        self.toggle_topic(message.topic.id)

    def toggle_filter(self, field: str, value: str) -> None:
        """Toggle one kind, origin or outlet (`field`: kinds, origins, outlets)."""
        self._set_query(**{field: getattr(self.view_filter, field) ^ {value}})

    def action_clear_filters(self) -> None:
        """Show everything: no topics, kinds, origins, outlets, search or milestones only."""
        self.screen.remove_class("searching")
        self._search_bar().value = ""
        self._set_query(
            topics=frozenset(),
            kinds=frozenset(),
            origins=frozenset(),
            outlets=frozenset(),
            search="",
            milestones_only=False,
        )

    def action_filter(self) -> None:
        """Choose kinds, origins (curated, feed, yours) and outlets to show."""
        self.push_screen(
            CommandPalette(
                providers=[FilterCommands], placeholder="Filter by kind, origin or outlet…"
            )
        )

    def action_go_to_date(self) -> None:
        """Ask for a year or month and move there."""

        def go(date: str | None) -> None:
            if date is None:
                return
            found = self.timeline.jump_to_date(date, self.view_filter.newest_first)
            if found is None:
                self.notify(f"No event shown near {date}.", severity="warning")
            elif not found.date.startswith(date[: len(found.date)]):
                self.notify(f"Nothing shown in {date}; the nearest is {found.date}.")
            self.timeline.focus()

        from .goto import GoToDate  # here, like the other screens: not for the first paint

        self.push_screen(GoToDate(), go)

    def action_clear_topics(self) -> None:
        """Show every topic."""
        self._set_query(topics=frozenset())

    def action_milestones(self) -> None:
        """Milestones only on/off."""
        self._set_query(milestones_only=not self.view_filter.milestones_only)

    def action_sort(self) -> None:
        """Newest first / oldest first."""
        self._set_query(newest_first=not self.view_filter.newest_first)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """/ (a priority key) is text where the focus takes typing (the search box, a form):
        Textual keeps such keys from bindings and the footer, but misses / ("slash")."""
        focused = self.focused
        if action == "search" and focused is not None and focused.check_consume_key("slash", "/"):
            return False
        return super().check_action(action, parameters)

    def action_search(self) -> None:
        """Show and focus the search box."""
        if len(self.screen_stack) > 1:
            return  # a priority key reaches here under a dialog too, where / searched nothing
        bar = self._search_bar()
        self.screen.add_class("searching")
        # Focus now, not after the keys already queued (Widget.focus defers it): text pasted or
        # typed fast after / must reach the box, not run h (hide), e (edit), p (promote), ...
        # The key is a priority one, so the keys after it are sent to the box, not to the
        # widget that had the focus (a start-up's typed-ahead `/meloni` lost every letter).
        self.screen.set_focus(bar)

    def action_escape(self) -> None:
        """Esc: close the Keys panel if it is open, else clear the search, else drop a merge or
        move waiting for its target (the search may be how the person is finding it)."""
        if self.screen.query("HelpPanel").nodes:
            self.action_hide_help_panel()
        elif self.view_filter.search or not self.cancel_pending():
            self.action_end_search()

    def action_end_search(self) -> None:
        """Clear the search and hide the box."""
        bar = self._search_bar()
        bar.value = ""
        self.screen.remove_class("searching")
        if self.view_filter.search:
            self._set_query(search="")
        self.timeline.focus()

    @on(Input.Changed, "#search")
    def _search_changed(self, message: Input.Changed) -> None:
        if message.value != self.view_filter.search:
            self._set_query(search=message.value)

    @on(Input.Submitted, "#search")
    def _search_kept(self, message: Input.Submitted) -> None:
        if message.value.strip():
            self.timeline.focus()
        else:
            self.action_end_search()  # nothing to keep: no stray blanks in the box next time

    def jump_to_year(self, year: int) -> None:
        """Move the cursor to the first event of `year`."""
        if not self.timeline.jump_to_year(year):
            self.notify(f"no events shown in {year}", severity="warning")
        self.timeline.focus()

    # -- selection and detail ----------------------------------------------------------------

    def _whats_new(self) -> dict[str, str]:
        # Once, when the app opens (reloads carry the marks over: see install): ● new since
        # the last visit, + seen then but with new sources since.
        # From the index's columns: no event is built.
        index, last = self.index, self.visits.last_visit
        ids = index.where(self.visits.unseen | self.source_base.keys())
        marks = dict.fromkeys(self.visits.unseen & ids.keys(), NEW)
        if last is not None:
            added = index.column("added")  # a few distinct values (see view.CODED)
            later = {a for a in set(added) if (a or "") > last}
            if later:  # most visits: nothing was added since, and no pass over every event
                marks.update(
                    dict.fromkeys(compress(index.ids, map(later.__contains__, added)), NEW)
                )
        # Recent events with more sources than they had then.
        base = self.source_base
        known = list(filter(base.__contains__, ids))
        if known:
            now = index.source_counts(map(ids.__getitem__, known))
            # operator.gt, not int.__gt__: a slot wrapper called 15,000 times at 100k events
            grown = compress(known, map(gt, now, map(base.__getitem__, known)))
            for event_id in grown:
                marks.setdefault(event_id, MORE)
        return marks

    def _recent(self, index: TimelineIndex) -> Iterable[int]:
        """The positions of the past year or so's events, newest first: the ones that gain
        sources."""
        return index.recent(str(self.clock().year - 1))

    def mark_of(self, event: Event) -> str:
        """● new, + new sources, or blank; a mark goes once the cursor has been on the event."""
        return self._mark(event.id)

    def _mark(self, event_id: str) -> str:
        return " " if event_id in self.seen else self.marks.get(event_id, " ")

    def is_new(self, event: Event) -> bool:
        """New (or newly sourced) since the last visit and not yet seen."""
        return self._is_new(event.id)

    def _is_new(self, event_id: str) -> bool:
        return event_id in self.marks and event_id not in self.seen

    @property
    def new_count(self) -> int:
        """How many events are still marked new or newly sourced."""
        return len(self.marks.keys() - self.seen)

    def action_next_new(self, step: int) -> None:
        """n / N: the next or previous search match while a search is on, else new event."""
        timeline = self.timeline
        if self.view_filter.words:
            if timeline.find(lambda event_id: True, step) is None:
                self.notify("No other match.", severity="warning")
            return
        if timeline.find(self._is_new, step) is None:
            self.notify("Nothing else is new.")

    def action_mark_seen(self) -> None:
        """Mark every new event seen."""
        count = self.new_count
        self.seen |= self.marks.keys()
        self.timeline.refresh()
        self._show_header()
        self.notify(f"Marked {counted(count, 'event')} seen.")

    @on(TimelineView.Highlighted)
    def _highlighted(self) -> None:
        # The cursor's event now, not the message's: a highlight posted before a filter key
        # can arrive after that filter moved the cursor, and would show the wrong detail.
        self._show_current(self.timeline.current)

    def _show_current(self, event: Event | None) -> None:
        if event is not None and self._is_new(event.id):
            self.seen.add(event.id)
            self.timeline.refresh_line(self.timeline.cursor)
            self._show_header()
        if self.painted:  # the first frame goes without it: see on_ready
            self.parts.detail.show(event, self.view_filter.words)
        self.parts.density.show(self.view.year_counts, event.year if event is not None else None)

    @on(TimelineView.Chosen)
    def _chosen(self) -> None:
        if not self.panes.detail_size:  # a terminal too short for it: focus would vanish
            self.notify("No room for the detail at this height.", severity="warning")
            return
        self.parts.detail.focus()

    @on(DetailPane.Back)
    def _back(self) -> None:
        self.timeline.focus()

    def action_open_source(self, number: int = 0) -> None:
        """Open source `number` of the selected entry in the browser (0: ask which, when there
        are several)."""
        self._with_source(number, self._open_url, "open")

    def action_copy_source(self, number: int = 0) -> None:
        """Copy the URL of source `number` (0: ask which) to the clipboard (OSC 52)."""
        self._with_source(number, self._copy_url, "copy")

    @on(DetailPane.OpenSource)
    def _open_numbered(self, message: DetailPane.OpenSource) -> None:
        self.action_open_source(message.number)

    def _with_source(self, number: int, act: Callable[[str], None], verb: str) -> None:
        event = self.timeline.current
        if event is None or not event.sources:
            self.notify(f"This entry has no source to {verb}.", severity="warning")
            return
        if number > len(event.sources):
            self.notify(f"This entry has no source {number}.", severity="warning")
            return
        if number or len(event.sources) == 1:
            act(strip_controls(event.sources[max(number, 1) - 1].url))
            return
        choices = [
            (
                f"{n}. {cell_text(s.title) or cell_text(s.url)}",
                cell_text(s.url),
                partial(act, strip_controls(s.url)),
            )
            for n, s in enumerate(event.sources, 1)
        ]
        self.push_screen(
            CommandPalette(
                providers=[choices_provider(choices)], placeholder=f"Which source to {verb}?"
            )
        )

    def _open_url(self, url: str) -> None:
        import webbrowser  # here: it costs start-up a few ms for a key seldom pressed

        try:
            opened = webbrowser.open(url)
        except webbrowser.Error:
            opened = False
        if opened:
            self.notify(f"Opened {url}", markup=False)
        else:
            self.notify(f"No browser could open {url}", severity="warning", markup=False)

    def _copy_url(self, url: str) -> None:
        self.copy_to_clipboard(url)
        if os.environ.get("TERM_PROGRAM") == "Apple_Terminal":
            self.notify(
                f"This terminal cannot take a copy from an app (no OSC 52); select it: {url}",
                severity="warning",
                markup=False,
                timeout=10,
            )
        else:
            self.notify(
                f"Copied {url} (a terminal without OSC 52 ignores this: the URL is in the "
                "detail pane to select)",
                markup=False,
            )

    def action_feeds(self) -> None:
        """Show every feed: status, last success, next check, the error in full."""
        from .feeds_screen import FeedsScreen  # here: not for the first paint

        if not isinstance(self.screen, FeedsScreen):
            self.push_screen(FeedsScreen(self.loaded.feeds, self.clock()))

    def action_help(self) -> None:
        """Show every key."""
        from .help import HelpScreen  # here: not for the first paint

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    # -- live reload and refresh ---------------------------------------------------------------

    def check_store(self) -> None:
        """Reload in the background if another process wrote the store (polled every 2 s);
        a refresh elsewhere that found nothing new only touches the sidecar: re-read the time."""
        checked = _mtime(sidecar_path(self.store))
        if checked != self._checked_mtime:
            self._checked_mtime = checked
            self.checked_at = last_checked(self.store, self.loaded)
            self._show_header()
        if self.refreshing or self.reloading:
            return  # a reload in progress is never cancelled by the next poll
        if self.store.signature() != self.loaded.signature:
            self._reload_now()

    def _reload(self) -> None:
        # At 100k events a reload takes longer than the poll interval: polls that come while
        # it runs wait for it (cancelling it threw every reload away, the CPU busy forever).
        loaded = None
        try:
            loaded = self._load()
        except StoreError as exc:
            self.call_from_thread(self.fail_store, str(exc))
        except FileNotFoundError:
            pass  # the file is being replaced or was removed; keep showing what we have
        finally:
            if loaded is None or get_current_worker().is_cancelled:  # quitting, say
                self.reloading = False
            else:
                self.call_from_thread(self._reloaded, loaded)

    def _reloaded(self, loaded: Timeline) -> None:
        self.reloading = False  # on the UI thread, like the poll: no reload starts in between
        self.install(loaded)

    def _load(self) -> Timeline:
        return use_timeline(self.store, _warmed, self.config.topics, FIRST_PAINT)

    def install(self, loaded: Timeline, keep: str | None = None) -> None:
        """Show a freshly read store, keeping the filters and the cursor's event (or `keep`)."""
        index = loaded.index
        old, ids, positions = self.index, index.ids, index.position_of
        # The marks carry over; what arrived since is new, and recent events that gained
        # sources are marked + (a set difference and the past year: cheap at 100k events).
        marks = {event_id: mark for event_id, mark in self.marks.items() if event_id in positions}
        marks.update(dict.fromkeys(positions.keys() - old.position_of.keys(), NEW))
        for position in self._recent(index):
            event_id = ids[position]
            was = old.position_of.get(event_id)
            if was is None:
                continue
            before = old.source_count(was)
            if index.source_count(position) > before:
                self.source_base.setdefault(event_id, before)
                self.seen.discard(event_id)
                marks.setdefault(event_id, MORE)
        self.loaded, self.index, self.marks = loaded, index, marks
        self.checked_at = last_checked(self.store, loaded)
        self.apply(keep)
        from .feeds_screen import FeedsScreen

        if isinstance(self.screen, FeedsScreen):
            self.screen.show(loaded.feeds, self.clock())

    def fail_store(self, message: str) -> None:
        """The store became unusable: leave with exit code 3 (run_app prints the message)."""
        self.store_error = message
        self.exit(return_code=3)

    def action_refresh(self) -> None:
        """Fetch every feed in the background, with a progress bar."""
        if self.refreshing:
            self.notify("A refresh is already running.")
            return
        self.refreshing = True
        self.progress = (0, len(self.loaded.feeds))
        self._show_header()
        self.run_worker(self._refresh, thread=True, exclusive=True, group="refresh")

    def _refresh(self) -> None:
        from amity.feeds import refresh  # imported here so start-up stays fast

        worker = get_current_worker()

        def progress(done: int, total: int, url: str) -> None:
            if not worker.is_cancelled:
                self.call_from_thread(self._progress, done, total, url)

        async def until_quit() -> RefreshReport:
            # Quitting cancels the worker, which cannot stop a thread: cancel the refresh from
            # here, so it saves the feeds that finished and the app exits without waiting.
            task = asyncio.ensure_future(refresh(self.store, self.config, progress=progress))
            while not task.done():
                await asyncio.wait([task], timeout=0.2)
                if worker.is_cancelled:
                    task.cancel()
            return task.result()

        try:
            report = asyncio.run(until_quit())
            loaded = self._load()
        except asyncio.CancelledError:
            return  # the app is gone; what finished is saved
        except StoreLocked as exc:  # another process holds the store: say so and carry on
            self.call_from_thread(self._refresh_done, None, f"refresh not saved: {exc}")
            return
        except StoreError as exc:
            self.call_from_thread(self.fail_store, str(exc))
            return
        except Exception as exc:  # a bug in a layer below must not kill the app
            self.call_from_thread(self._refresh_done, None, f"refresh failed: {exc}")
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._refresh_done, report, None, loaded)

    def _progress(self, done: int, total: int, url: str) -> None:
        self.progress = (done, total)
        self._show_header()

    def _refresh_done(
        self,
        report: RefreshReport | None,
        error: str | None,
        loaded: Timeline | None = None,
    ) -> None:
        self.refreshing = False
        self._show_header()
        if report is None:
            self.notify(clean_text(error or "refresh failed"), severity="error", markup=False)
            return
        if loaded is not None:
            self.install(loaded)
        failed = report.failed
        self.notify(
            f"{report.new_events} new, {failed} failed" + ("; F shows why" if failed else ""),
            title="Refreshed",
            severity="warning" if failed else "information",
        )

    # -- leaving ---------------------------------------------------------------------------

    def record_visit(self) -> None:
        """Remember this visit: its end time, the new entries still unseen, how many sources
        the past year's events have now, and the theme."""
        now = self.clock()
        unseen = {id for id, mark in self.marks.items() if mark == NEW and id not in self.seen}
        index, base = self.index, self.source_base
        more = {i for i, mark in self.marks.items() if mark == MORE and i not in self.seen}
        recent = list(self._recent(index))
        ids = map(index.ids.__getitem__, recent)
        counts = index.source_counts(recent)
        sources = {i: base[i] if i in more else n for i, n in zip(ids, counts, strict=True)}
        save_visits(self.visit_file, Visits(format_iso(now), unseen, sources, self.theme))


def _warmed(loaded: Timeline) -> Timeline:
    loaded.index.warm()  # here, off the UI thread
    return loaded


def run_app(store: Store, config: Config) -> int:
    """Run the app until the user quits; returns the exit code (3 if the store is unusable)."""
    # Until the first frame (on_ready) the collector is held off: start-up builds tens of
    # thousands of long-lived objects, and the collections they set off walked them again
    # and again, and the loaded events too (34 ms of a 10k first paint, 11 ms for bare Textual).
    gc.disable()
    try:
        loaded = read_timeline(store, config.topics, FIRST_PAINT)
    except (StoreError, FileNotFoundError) as exc:
        sys.stderr.write(f"amity: {clean_text(str(exc))}\n")
        return 3
    else:
        app = AmityApp(store, config, loaded=loaded)
        app.run()
    finally:
        gc.enable()  # when the app never got to its first frame
    if app.store_error:
        sys.stderr.write(f"amity: {clean_text(app.store_error)}\n")
        return 3
    app.record_visit()
    return app.return_code or 0


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0
