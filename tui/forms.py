"""The curation forms: an event's fields (edit or add), a note, which source to move, a yes/no.

Each form checks what was typed with the store's own validation (the `check` it is given) and
shows a refusal under the field it concerns; nothing is returned, so nothing is saved, until
every field passes. Text is shown as data, never parsed as markup.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from amity.store import KINDS, Event, Topic, ValidationError
from amity.store.model import CERTAINTIES
from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import ItemGrid, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import (
    Button,
    Checkbox,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from .cells import cell_text
from .dialog import dialog_css

Check = Callable[[dict[str, Any]], object]
BUTTON_FRAME = 4  # a button's border and padding around its label
BUTTON_GAP = 2  # between two buttons side by side

_FIELDS_CSS = """
{name} Label.field {{ color: $text-muted; }}
{name} Static.hint {{ color: $text-muted; margin-top: 1; }}
{name} Input, {name} Select, {name} SelectionList, {name} TextArea {{ background: $boost; }}
{name} Label.error {{ color: $error; text-style: bold; display: none; }}
{name} Label.error.shown {{ display: block; }}
{name} SelectionList {{ height: auto; max-height: 9; }}
{name} TextArea {{ height: 10; }}
{name} ItemGrid {{ height: auto; margin-top: 1; grid-gutter: 0 {gap}; }}
"""


def form_css(name: str) -> str:
    """The CSS of the form screen `name`: the dialog frame and its fields."""
    frame = dialog_css(
        name, "VerticalScroll", "width: 90%; max-width: 90; height: auto; max-height: 95%;"
    )
    return frame + _FIELDS_CSS.format(name=name, gap=BUTTON_GAP)


def field_of(error: ValidationError) -> str:
    """The form field a validation error is about ('sources[0].url' -> 'sources')."""
    return error.field.split(".")[0].split("[")[0]


class Form(ModalScreen[Any]):
    """A modal form: Ctrl+S or Save checks and closes with the result; Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "save", "Save"),
    ]

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show each message under its field (or at the top) and focus the first such field."""
        for label in self.query("Label.error"):
            label.remove_class("shown")
        for name, message in errors.items():
            target = self.query(f"#error-{name}")
            label = target.first(Label) if target else self.query_one("#error-form", Label)
            label.update(Content(message))
            label.add_class("shown")
        for name in errors:
            field = self.query(f"#field-{name}")
            if field:
                field.first().focus()
                break

    def errors(self) -> dict[str, str]:
        """The messages shown now, by field (what a test or a person reads)."""
        return {
            str(label.id).removeprefix("error-"): str(label.render())
            for label in self.query("Label.error.shown")
        }

    def checked(
        self, check: Check, values: dict[str, Any], baseline: dict[str, Any] | None = None
    ) -> bool:
        """Run the store's validation on each field (against `baseline`, valid values for the
        rest) and then on all together; show every refusal at its field. True when all pass."""
        errors: dict[str, str] = {}
        for name, value in values.items():
            alone = {**(baseline or {}), name: value}
            if name == "end_date" and "date" in values:
                alone["date"] = values["date"]  # the end is judged against the new start
            try:
                check(alone)
            except ValidationError as exc:
                if field_of(exc) == name:
                    errors[name] = exc.message
        if not errors:
            try:
                check(values)
            except ValidationError as exc:
                errors[field_of(exc)] = exc.message
        self.show_errors(errors)
        return not errors

    def action_cancel(self) -> None:
        """Close without saving."""
        self.dismiss(None)

    def action_save(self) -> None:
        """Check and close with the result (subclasses)."""

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or Cancel."""
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    @staticmethod
    def buttons() -> ComposeResult:
        """Save and Cancel, with their keys."""
        yield button_row(
            Button("Save (ctrl+s)", id="save", variant="primary"),
            Button("Cancel (Esc)", id="cancel"),
        )


def button_row(*buttons: Button) -> ItemGrid:
    """Buttons side by side where they fit, wrapped onto more rows where not (in one row, a
    narrow terminal cut the last ones off)."""
    widest = max(cell_len(str(button.label)) for button in buttons) + BUTTON_FRAME
    # The grid's maximum includes the gap between columns, so that as many columns as fit
    # are packed at the left at the buttons' own width.
    return ItemGrid(*buttons, min_column_width=widest, max_column_width=widest + BUTTON_GAP)


def _field(label: str, name: str, widget: Any) -> ComposeResult:
    yield Label(label, classes="field")
    widget.id = f"field-{name}"
    yield widget
    yield Label("", id=f"error-{name}", classes="error")


class EventForm(Form):
    """Title, dates at their precision, kind, topics, summary, certainty, milestone (and, for a
    new event, its sources). Returns the changed fields in the JSON form, or None."""

    DEFAULT_CSS = form_css("EventForm")

    def __init__(
        self,
        heading: str,
        topics: Sequence[Topic],
        check: Check,
        event: Event | None = None,
        date: str = "",
    ) -> None:
        super().__init__()
        self.heading = heading
        self.topics = tuple(topics)
        self.check = check
        self.event = event
        self.date = event.date if event else date

    def compose(self) -> ComposeResult:
        """Every field, its error line, and the buttons."""
        event = self.event
        with VerticalScroll() as scroll:
            scroll.border_title = self.heading
            scroll.border_subtitle = "Tab next field · ctrl+s saves · Esc cancels"
            yield Label("", id="error-form", classes="error")
            yield from _field("Title", "title", Input(event.title if event else "", compact=True))
            yield from _field(
                "Date (YYYY, YYYY-MM or YYYY-MM-DD)",
                "date",
                Input(self.date, placeholder="2026", compact=True),
            )
            end = (event.end_date if event else None) or ""
            yield from _field("End date (optional)", "end_date", Input(end, compact=True))
            kind = event.kind if event else "news"
            yield from _field(
                "Kind",
                "kind",
                Select([(k, k) for k in KINDS], allow_blank=False, value=kind, compact=True),
            )
            chosen = set(event.topics) if event else set()
            yield from _field(
                "Topics (space toggles)",
                "topics",
                SelectionList[str](
                    *[(Content(cell_text(t.label)), t.id, t.id in chosen) for t in self.topics]
                ),
            )
            yield from _field(
                "Summary, in your own words",
                "summary",
                Input(event.summary if event else "", compact=True),
            )
            certainty = event.certainty if event else "verified"
            yield from _field(
                "Certainty",
                "certainty",
                Select(
                    [(c, c) for c in CERTAINTIES], allow_blank=False, value=certainty, compact=True
                ),
            )
            yield from _field(
                "",
                "milestone",
                Checkbox("Milestone", event.milestone if event else False, compact=True),
            )
            if event is None:
                yield from _field(
                    "Sources (URLs, separated by spaces)", "sources", Input("", compact=True)
                )
            yield from self.buttons()

    def on_mount(self) -> None:
        """Start in the title."""
        self.query_one("#field-title", Input).focus()

    def values(self) -> dict[str, Any]:
        """What the fields say, as event fields (for an edit: only those that changed)."""
        get = self.query_one
        end = get("#field-end_date", Input).value.strip()
        values: dict[str, Any] = {
            "title": get("#field-title", Input).value,
            "date": get("#field-date", Input).value.strip(),
            "end_date": end or None,
            "kind": get("#field-kind", Select).value,
            "topics": list(get("#field-topics", SelectionList).selected),
            "summary": get("#field-summary", Input).value,
            "certainty": get("#field-certainty", Select).value,
            "milestone": get("#field-milestone", Checkbox).value,
        }
        if self.event is None:
            values["sources"] = get("#field-sources", Input).value.split()
            return values
        old = self.event.to_dict()
        return {name: value for name, value in values.items() if value != old[name]}

    def action_save(self) -> None:
        """Check the fields as import would; close with them only if every one passes."""
        values = self.values()
        # A new event needs a title and a date: each other field is judged beside valid ones.
        baseline = {"title": "-", "date": "2000", "sources": []} if self.event is None else {}
        if self.checked(self.check, values, baseline):
            self.dismiss(values)


class NoteForm(Form):
    """The person's private note on an event: several lines; an empty note clears it."""

    DEFAULT_CSS = form_css("NoteForm")

    def __init__(self, event: Event, check: Check) -> None:
        super().__init__()
        self.event = event
        self.check = check

    def compose(self) -> ComposeResult:
        """The text area and the buttons."""
        with VerticalScroll() as scroll:
            scroll.border_title = "Note"
            scroll.border_subtitle = "ctrl+s saves · Esc cancels · empty clears"
            yield Static(Content(cell_text(self.event.title)))
            yield Label("", id="error-form", classes="error")
            yield from _field(
                "Your note (only you see it)", "note", TextArea(self.event.note, compact=True)
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        """Start typing at once."""
        self.query_one("#field-note", TextArea).focus()

    def action_save(self) -> None:
        """Check the note's size and text; close with it only if it passes."""
        note = self.query_one("#field-note", TextArea).text
        if self.checked(self.check, {"note": note}):
            self.dismiss(note)


class SourceChoice(Form):
    """Which source to move, and where: out into an event of its own, or to another event."""

    DEFAULT_CSS = (
        form_css("SourceChoice") + "SourceChoice OptionList { height: auto; max-height: 12; }"
    )
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("n", "choose('new')", "Own event"),
        Binding("t", "choose('pick')", "To another event"),
    ]

    def __init__(self, event: Event) -> None:
        super().__init__()
        self.event = event

    def compose(self) -> ComposeResult:
        """The sources, and what to do with the chosen one."""
        with VerticalScroll() as scroll:
            scroll.border_title = "Move a source"
            scroll.border_subtitle = "↑ ↓ choose · n own event · t to another event · Esc"
            yield Label("", id="error-form", classes="error")
            yield OptionList(
                *[Content(cell_text(s.title) or cell_text(s.url)) for s in self.event.sources],
                id="field-source",
            )
            yield button_row(
                Button("Into its own event (n)", id="new", variant="primary"),
                Button("To another event… (t)", id="pick"),
                Button("Cancel (Esc)", id="cancel"),
            )

    def on_mount(self) -> None:
        """The first source is chosen to begin with."""
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def action_choose(self, where: str) -> None:
        """Close with (where, the highlighted source's URL)."""
        index = self.query_one(OptionList).highlighted or 0
        self.dismiss((where, self.event.sources[index].url))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Own event, another event, or cancel."""
        if event.button.id in ("new", "pick"):
            self.action_choose(str(event.button.id))
        else:
            self.action_cancel()


class MuteForm(Form):
    """A mute rule: a word or phrase, for every feed or one. Returns (phrase, feed or None)."""

    DEFAULT_CSS = form_css("MuteForm")

    def __init__(self, event: Event, feeds: Sequence[tuple[str, str]], check: Check) -> None:
        super().__init__()
        self.event = event
        self.feeds = tuple(feeds)  # (label, url)
        self.check = check

    def compose(self) -> ComposeResult:
        """The phrase, the feed, and the buttons."""
        with VerticalScroll() as scroll:
            scroll.border_title = "Mute events like this"
            scroll.border_subtitle = "ctrl+s saves · Esc cancels"
            yield Static(Content(cell_text(self.event.title)))
            yield Static(
                "Feed entries with the phrase are hidden now and dropped by later refreshes;"
                " curated entries and yours never are. `amity mute list|remove` manages rules.",
                classes="hint",
            )
            yield Label("", id="error-form", classes="error")
            yield from _field(
                "Word or phrase (whole words, any case)", "phrase", Input("", compact=True)
            )
            yield from _field(
                "From",
                "feed",
                Select(
                    [
                        ("any feed", ""),
                        *((Content(cell_text(label)), url) for label, url in self.feeds),
                    ],
                    allow_blank=False,
                    value="",
                    compact=True,
                ),
            )
            yield from self.buttons()

    def on_mount(self) -> None:
        """Start in the phrase."""
        self.query_one("#field-phrase", Input).focus()

    def action_save(self) -> None:
        """Check the phrase; close with (phrase, feed URL or None)."""
        phrase = self.query_one("#field-phrase", Input).value
        feed = str(self.query_one("#field-feed", Select).value) or None
        if self.checked(self.check, {"phrase": phrase}):
            self.dismiss((phrase, feed))


class Confirm(Form):
    """A yes/no question: y or Enter says yes, n or Esc no."""

    DEFAULT_CSS = form_css("Confirm")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "cancel", "No"),
        Binding("y,enter", "yes", "Yes"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        """The question and two buttons."""
        with VerticalScroll() as scroll:
            scroll.border_title = "Confirm"
            yield Static(Content(self.question))
            yield button_row(
                Button("Yes (y)", id="save", variant="warning"),
                Button("No (n)", id="cancel"),
            )

    def action_yes(self) -> None:
        """Yes."""
        self.dismiss(True)

    def action_save(self) -> None:
        """The Yes button."""
        self.dismiss(True)
