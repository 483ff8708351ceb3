"""`amity add|edit|hide|unhide|note|merge|move-source|mute`: the person's curation, headless.

Each command is one locked read-modify-write of the store (store/curation.py), so it can run
from cron while the app is open: both edits are kept. Never imports textual.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from amity.store import KINDS, ValidationError, curation
from amity.store.model import CERTAINTIES
from amity.store.mutes import add_mute, mute_rules, remove_mute

from .output import counted, print_json, say, table
from .session import session_of

# Options whose values are event fields: the error of a field names its option.
_OPTION_OF = {"end_date": "--end-date", "topics": "--topic", "note": "TEXT", "id": "ID"}


def register(cli: click.Group) -> None:
    """Add the curation commands to the amity command line."""
    for command in (add_command, edit_command, hide_command, unhide_command, note_command):
        cli.add_command(command)
    for command in (merge_command, move_source_command, mute_group):
        cli.add_command(command)


@contextmanager
def _at_option() -> Iterator[None]:
    """A field's validation error as a usage error naming the option (exit 2)."""
    try:
        yield
    except ValidationError as exc:
        name = exc.field.split(".")[0].split("[")[0]
        hint = _OPTION_OF.get(name, f"--{name.replace('_', '-')}")
        raise click.BadParameter(
            f"{exc.where + ': ' if exc.where else ''}{exc.message}", param_hint=hint
        ) from None


def _field_options(for_edit: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        options = [
            click.option(
                "--date", metavar="DATE", required=not for_edit, help="YYYY, YYYY-MM or YYYY-MM-DD."
            ),
            click.option("--end-date", metavar="DATE", help="When it ended, at its precision."),
            click.option("--title", metavar="TEXT", required=not for_edit, help="The title."),
            click.option("--kind", type=click.Choice(KINDS), help="What kind of event."),
            click.option(
                "--topic",
                "topics",
                multiple=True,
                metavar="ID",
                help="A topic (repeatable; replaces the topics)."
                if for_edit
                else "A topic (repeatable).",
            ),
            click.option("--summary", metavar="TEXT", help="One to three sentences, your words."),
            click.option(
                "--certainty", type=click.Choice(CERTAINTIES), help="How sure the details are."
            ),
            click.option("--milestone/--no-milestone", default=None, help="A milestone, or news."),
        ]
        if for_edit:
            options.append(click.option("--no-end-date", is_flag=True, help="Remove the end date."))
            options.append(click.option("--no-topics", is_flag=True, help="Remove every topic."))
        for option in reversed(options):
            function = option(function)
        return function

    return decorate


def _changes(values: dict[str, Any]) -> dict[str, Any]:
    changes = {
        name: value
        for name, value in values.items()
        if name in curation.EDITABLE and value is not None
    }
    if values.get("topics") == ():
        changes.pop("topics", None)
    if "topics" in changes:
        changes["topics"] = list(changes["topics"])
    if values.get("no_end_date"):
        changes["end_date"] = None
    if values.get("no_topics"):
        changes["topics"] = []
    return changes


@click.command("add")
@_field_options(for_edit=False)
@click.option("--source", "sources", multiple=True, metavar="URL", help="A source (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the new event as JSON.")
@click.pass_context
def add_command(ctx: click.Context, sources: tuple[str, ...], as_json: bool, **values: Any) -> None:
    """Add an event of your own (origin "user"); prints its id."""
    session = session_of(ctx)
    config = session.config
    with _at_option(), session.store().transaction() as txn:
        event = curation.add(
            txn, _changes(values), list(sources), config.topic_ids, config.country_codes
        )
    if as_json:
        print_json(event.to_dict())
        return
    click.echo(event.id)
    say(f"added {event.id}")


@click.command("edit")
@click.argument("event_id", metavar="ID")
@_field_options(for_edit=True)
@click.pass_context
def edit_command(ctx: click.Context, event_id: str, **values: Any) -> None:
    """Change fields of an event; what you set is never undone by a refresh or an update."""
    changes = _changes(values)
    if not changes:
        raise click.UsageError("nothing to change: give --title, --date, --topic, ... (see --help)")
    session = session_of(ctx)
    with _at_option(), session.store().transaction() as txn:
        before = curation.get_event(txn, event_id)
        after = curation.edit(txn, event_id, changes, session.config.topic_ids)
    changed = [name for name in changes if getattr(before, name) != getattr(after, name)]
    say(f"edited {event_id}: {', '.join(changed)}" if changed else f"{event_id}: nothing changed")


def _hide(ctx: click.Context, ids: tuple[str, ...], hidden: bool) -> None:
    with _at_option(), session_of(ctx).store().transaction() as txn:
        before = {event_id: curation.get_event(txn, event_id).hidden for event_id in ids}
        curation.set_hidden(txn, list(dict.fromkeys(ids)), hidden)
    done = [event_id for event_id, was in before.items() if was != hidden]
    already = len(before) - len(done)
    state = "hidden" if hidden else "shown"
    extra = f"; {already} already {state}" if already else ""
    say(f"{'hid' if hidden else 'showed'} {counted(len(done), 'event')}{extra}")


@click.command("hide")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.pass_context
def hide_command(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Hide events from the timeline (they stay hidden when refreshes bring more reports)."""
    _hide(ctx, ids, True)


@click.command("unhide")
@click.argument("ids", nargs=-1, required=True, metavar="ID...")
@click.pass_context
def unhide_command(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Show hidden events again (`amity list --hidden` lists them)."""
    _hide(ctx, ids, False)


@click.command("note")
@click.argument("event_id", metavar="ID")
@click.argument("text", required=False, metavar="TEXT")
@click.option("--clear", is_flag=True, help="Remove the note.")
@click.pass_context
def note_command(ctx: click.Context, event_id: str, text: str | None, clear: bool) -> None:
    """Write your private note on an event (TEXT, or - to read several lines from stdin)."""
    if clear == (text is not None):
        raise click.UsageError("give the note TEXT (or -), or --clear")
    if text == "-":
        text = sys.stdin.read(16 * 1024 * 1024)  # a note past the limit is refused by size
    with _at_option(), session_of(ctx).store().transaction() as txn:
        event = curation.set_note(txn, event_id, "" if clear else text or "")
    say(f"{'cleared the note of' if not event.note else 'noted'} {event_id}")


@click.command("merge")
@click.argument("absorbed", metavar="ID")
@click.argument("into", metavar="INTO_ID")
@click.pass_context
def merge_command(ctx: click.Context, absorbed: str, into: str) -> None:
    """Fold event ID into INTO_ID: its sources and note move over, ID is gone for good."""
    with _at_option(), session_of(ctx).store().transaction() as txn:
        result = curation.merge(txn, absorbed, into)
    say(f"merged {absorbed} into {into} ({len(result.sources)} sources)")


@click.command("move-source")
@click.argument("url", metavar="URL")
@click.option("--to", "to_id", metavar="ID", help="The event that should hold it.")
@click.option("--new", "as_new", is_flag=True, help="Out into an event of its own.")
@click.option("--from", "from_id", metavar="ID", help="The event it is in, if several hold it.")
@click.pass_context
def move_source_command(
    ctx: click.Context, url: str, to_id: str | None, as_new: bool, from_id: str | None
) -> None:
    """Move an article (a source) to another event, or out into one of its own."""
    if (to_id is None) == (not as_new):
        raise click.UsageError("give --to ID or --new")
    with _at_option(), session_of(ctx).store().transaction() as txn:
        left, target = curation.move_source(txn, url, to_id, from_id=from_id)
    say(f"moved the source from {left.id} to {target.id}")
    if as_new:
        click.echo(target.id)


@click.group("mute")
def mute_group() -> None:
    """Mute rules: a word or phrase (optionally for one feed) whose feed events are hidden and
    whose future articles refreshes drop."""


@mute_group.command("add")
@click.argument("phrase")
@click.option("--feed", metavar="URL", help="Only articles from this feed.")
@click.pass_context
def mute_add(ctx: click.Context, phrase: str, feed: str | None) -> None:
    """Mute PHRASE (whole words, any case); stored feed events it matches are hidden."""
    with _at_option(), session_of(ctx).store().transaction() as txn:
        rule = add_mute(txn, phrase, feed)
    where = f" for {feed}" if feed else ""
    say(f"muted {rule.phrase!r}{where}; hid {counted(len(rule.hid), 'stored event')}")


@mute_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def mute_list(ctx: click.Context, as_json: bool) -> None:
    """Every mute rule."""
    rules = mute_rules(session_of(ctx).store().snapshot().meta)
    if as_json:
        print_json([r.to_dict() for r in rules])
        return
    if not rules:
        say("no mute rules; add one with `amity mute add PHRASE`")
        return
    table(
        ["PHRASE", "FEED", "ADDED", "HID"],
        [[r.phrase, r.feed or "any", r.added, str(len(r.hid))] for r in rules],
        flex=0,
    )


@mute_group.command("remove")
@click.argument("phrase")
@click.option("--feed", metavar="URL", help="Only the rule for this feed.")
@click.pass_context
def mute_remove(ctx: click.Context, phrase: str, feed: str | None) -> None:
    """Remove a rule; the events it hid come back unless you hid them since."""
    with _at_option(), session_of(ctx).store().transaction() as txn:
        gone, shown = remove_mute(txn, phrase, feed)
    say(f"removed {counted(len(gone), 'rule')}; showed {counted(shown, 'event')} again")
