"""The app's curation actions: hide (with undo), show hidden, promote, edit, add, note, merge and
move a source. Mixed into AmityApp; the keys are declared in actions.py (CURATION_KEYS).

Every write is one store transaction (store/curation.py) in a worker thread, so a large store
never freezes the screen and a cron `amity edit` at the same moment keeps its edit too; the app
then re-reads the store and puts the cursor where the person expects it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from typing import Any

from amity.store import (
    Config,
    Event,
    Filter,
    Store,
    StoreError,
    ValidationError,
    clean_text,
    curation,
    utc_now,
)
from amity.store.index import Shown, Timeline, TimelineIndex
from textual.app import App
from textual.worker import WorkerCancelled, WorkerFailed

from .cells import cell_text, named
from .timeline import TimelineView

# A write: the transaction's work, and which event the cursor should land on afterwards.
Change = Callable[[Any], Any]
CURATION_ACTIONS = frozenset(
    {
        *("hide", "undo_hide", "show_hidden", "promote", "edit", "add", "note", "merge"),
        *("move_source", "mute"),
    }
)


class Curating(App[None]):
    """The curation half of AmityApp, which provides what is declared here."""

    store: Store
    config: Config
    index: TimelineIndex
    view: Shown
    view_filter: Filter
    loaded: Timeline
    clock: Callable[[], dt.datetime]

    @property
    def timeline(self) -> TimelineView:
        """The timeline widget (AmityApp's)."""
        raise NotImplementedError

    def install(self, loaded: Timeline, keep: str | None = None) -> None:
        """Show a freshly read store (AmityApp's)."""
        raise NotImplementedError

    def _load(self) -> Timeline:
        raise NotImplementedError

    def _set_query(self, **changes: Any) -> None:
        raise NotImplementedError

    last_hidden: tuple[str, ...] = ()
    # A merge or a move waiting for its target: (what, event id, source URL or "").
    pending: tuple[str, str, str] | None = None

    async def action_quit(self) -> None:
        """q: quit once the edits under way are written. Quitting leaves a worker's thread
        behind, and the process ended before it had saved: h then q lost the hide."""
        for worker in [w for w in self.workers if w.group == "curate" and not w.is_finished]:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):  # said already, if so
                await worker.wait()
        self.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Curation keys act on the timeline only: not under a form, the help or the palette."""
        if action in CURATION_ACTIONS and len(self.screen_stack) > 1:
            return False
        return super().check_action(action, parameters)

    # -- writing -----------------------------------------------------------------------------

    def curate(self, change: Change, keep: Callable[[Any], str | None], done: str) -> None:
        """Run `change(txn)` in one transaction off the UI thread; then show the store as it
        is now with the cursor on `keep(result)` and say `done`."""

        def work() -> None:
            try:
                with self.store.transaction() as txn:
                    result = change(txn)
                loaded = self._load()
            except ValidationError as exc:
                self.call_from_thread(self._not_saved, exc.message)
                return
            except StoreError as exc:
                self.call_from_thread(self._not_saved, str(exc))
                return
            self.call_from_thread(self._saved, loaded, keep(result), done)

        self.run_worker(work, thread=True, group="curate")

    def _saved(self, loaded: Timeline, keep: str | None, done: str) -> None:
        self.install(loaded, keep=keep)
        self.notify(done, markup=False)

    def _not_saved(self, message: str) -> None:
        self.notify(f"Not saved: {clean_text(message)}", severity="error", markup=False)

    def _current(self) -> Event | None:
        event = self.timeline.current
        if event is None:
            self.notify("No entry selected.", severity="warning")
        return event

    def _neighbour(self) -> str | None:
        """The event the cursor goes to when the current one leaves the view: the next one
        down, or the one above at the end."""
        rows, cursor = self.view.rows, self.timeline.cursor
        for row in (*range(cursor + 1, len(rows)), *range(cursor - 1, -1, -1)):
            if rows[row] >= 0:
                return self.index.ids[rows[row]]
        return None

    # -- hide, undo, show hidden -------------------------------------------------------------

    def action_hide(self) -> None:
        """Hide the selected entry (u undoes it); on a hidden one (shown with H), show it."""
        event = self._current()
        if event is None:
            return
        if event.hidden:
            self._set_hidden((event.id,), False, f"Shown again: {named(event.title)}")
            return
        keep = event.id if self.view_filter.hidden is None else self._neighbour()
        self.last_hidden = (event.id,)

        def change(txn: Any) -> None:
            curation.set_hidden(txn, [event.id], True)

        self.curate(change, lambda _: keep, f"Hidden: {named(event.title)} — u undoes it")

    def _set_hidden(self, ids: tuple[str, ...], hidden: bool, done: str) -> None:
        def change(txn: Any) -> None:
            curation.set_hidden(txn, list(ids), hidden)

        self.curate(change, lambda _: ids[0], done)

    def action_undo_hide(self) -> None:
        """Show again what the last h hid, with the cursor back on it."""
        if not self.last_hidden:
            self.notify("Nothing to undo.", severity="warning")
            return
        ids, self.last_hidden = self.last_hidden, ()
        self._set_hidden(ids, False, "Undone: shown again")

    def action_show_hidden(self) -> None:
        """Show the hidden entries too (marked), or leave them out again."""
        self._set_query(hidden=False if self.view_filter.hidden is None else None)
        if self.view_filter.hidden is None:
            self.notify(f"{self.index.hidden_count} hidden shown, marked ⊘; h shows one again")

    # -- promote, edit, add, note ------------------------------------------------------------

    def action_promote(self) -> None:
        """Make the selected entry a milestone, or news again."""
        event = self._current()
        if event is None:
            return
        value = not event.milestone
        said = "Milestone" if value else "No longer a milestone"

        def change(txn: Any) -> None:
            curation.edit(txn, event.id, {"milestone": value}, self.config.topic_ids)

        self.curate(change, lambda _: event.id, f"{said}: {named(event.title)}")

    def action_edit(self) -> None:
        """Edit the selected entry's fields in a form."""
        event = self._current()
        if event is None:
            return
        topic_ids = self.config.topic_ids

        def check(changes: dict[str, Any]) -> None:
            curation.edited(event, changes, topic_ids, utc_now())

        def saved(changes: dict[str, Any] | None) -> None:
            if not changes:
                return

            def change(txn: Any) -> None:
                curation.edit(txn, event.id, changes, topic_ids)

            self.curate(change, lambda _: event.id, f"Saved: {', '.join(changes)}")

        from .forms import EventForm  # here, not at start-up: a TextArea costs ~10 ms to import

        self.push_screen(EventForm("Edit entry", self.config.topics, check, event), saved)

    def action_add(self) -> None:
        """Add an entry of your own, dated by default in the cursor's year."""
        current = self.timeline.current
        year = str(current.year) if current is not None else self.clock().strftime("%Y")
        topic_ids, countries = self.config.topic_ids, self.config.country_codes

        def split(values: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
            # Empty optional fields are left out; an empty title or date is refused as such.
            fields = {
                k: v
                for k, v in values.items()
                if k in ("title", "date") or (k != "sources" and v not in ("", None))
            }
            return fields, values.get("sources", [])

        def check(values: dict[str, Any]) -> None:
            fields, sources = split(values)
            curation.new_event(fields, sources, topic_ids, countries, ())

        def saved(values: dict[str, Any] | None) -> None:
            if values is None:
                return
            fields, sources = split(values)

            def change(txn: Any) -> Event:
                return curation.add(txn, fields, sources, topic_ids, countries)

            self.curate(change, lambda event: event.id, f"Added: {named(fields['title'])}")

        from .forms import EventForm

        self.push_screen(EventForm("New entry", self.config.topics, check, date=year), saved)

    def action_note(self) -> None:
        """Write your private note on the selected entry."""
        event = self._current()
        if event is None:
            return

        def check(values: dict[str, Any]) -> None:
            curation.with_note(event, values["note"], utc_now())

        def saved(note: str | None) -> None:
            if note is None:
                return

            def change(txn: Any) -> None:
                curation.set_note(txn, event.id, note)

            self.curate(
                change, lambda _: event.id, "Note saved" if note.strip() else "Note cleared"
            )

        from .forms import NoteForm

        self.push_screen(NoteForm(event, check), saved)

    # -- merge and move: choose the target with the cursor -------------------------------------

    def action_merge(self) -> None:
        """M on an entry, then M on the entry to fold it into (Esc cancels)."""
        event = self._current()
        if event is None:
            return
        if self.pending is None or self.pending[0] != "merge":
            self.pending = ("merge", event.id, "")
            self.notify(
                f"Merging “{named(event.title)}”: go to the entry to fold it into and press M"
                " (Esc cancels).",
                markup=False,
                timeout=10,
            )
            return
        absorbed_id = self.pending[1]
        if absorbed_id == event.id:
            self.notify("Go to another entry to merge into.", severity="warning")
            return
        absorbed = self._event(absorbed_id)
        self.pending = None
        if absorbed is None:
            return
        question = (
            f"Fold “{cell_text(absorbed.title)}” into “{cell_text(event.title)}”?\n"
            "Its sources and note move over; it leaves the timeline for good."
        )

        def answered(yes: bool | None) -> None:
            if yes:

                def change(txn: Any) -> None:
                    curation.merge(txn, absorbed_id, event.id)

                self.curate(change, lambda _: event.id, f"Merged into {named(event.title)}")

        from .forms import Confirm

        self.push_screen(Confirm(question), answered)

    def action_move_source(self) -> None:
        """v: move one of the entry's sources out into its own entry, or (t, then v on the
        target) to another entry."""
        event = self._current()
        if event is None:
            return
        if self.pending is not None and self.pending[0] == "move":
            _, from_id, url = self.pending
            self.pending = None
            self._move(url, from_id, event.id)
            return
        if not event.sources:
            self.notify("This entry has no source to move.", severity="warning")
            return

        def chosen(choice: tuple[str, str] | None) -> None:
            if choice is None:
                return
            where, url = choice
            if where == "new":
                self._move(url, event.id, None)
                return
            self.pending = ("move", event.id, url)
            self.notify(
                "Moving a source: go to the entry that should hold it and press v (Esc cancels).",
                timeout=10,
            )

        from .forms import SourceChoice

        self.push_screen(SourceChoice(event), chosen)

    def _move(self, url: str, from_id: str, to_id: str | None) -> None:
        def change(txn: Any) -> tuple[Event, Event]:
            return curation.move_source(txn, url, to_id, from_id=from_id)

        self.curate(change, lambda moved: moved[1].id, "Source moved")

    # -- mute ----------------------------------------------------------------------------------

    def action_mute(self) -> None:
        """Mute events like the selected one: a phrase (and a feed); matching feed entries are
        hidden now and dropped by later refreshes (`amity mute list|remove` manages them)."""
        event = self._current()
        if event is None:
            return
        from amity.store.mutes import add_mute, check_phrase  # here, like the form: seldom used

        feeds = [(f.title or f.url, f.url) for f in self.loaded.feeds]

        def check(values: dict[str, Any]) -> None:
            check_phrase(values["phrase"])

        def saved(rule: tuple[str, str | None] | None) -> None:
            if rule is None:
                return
            phrase, feed = rule
            keep = event.id if self.view_filter.hidden is None else self._neighbour()

            def change(txn: Any) -> Any:
                return add_mute(txn, phrase, feed)

            def where(done: Any) -> str | None:
                return keep if event.id in done.hid else event.id

            self.curate(change, where, f"Muted “{named(phrase)}”")

        from .forms import MuteForm

        self.push_screen(MuteForm(event, feeds, check), saved)

    def cancel_pending(self) -> bool:
        """Esc: drop a merge or move waiting for its target; True if there was one."""
        if self.pending is None:
            return False
        self.pending = None
        self.notify("Cancelled.")
        return True

    def _event(self, event_id: str) -> Event | None:
        position = self.index.position_of.get(event_id)
        return self.index.event(position) if position is not None else None
