"""The `amity` command line. Headless commands never import textual; bare `amity` opens the app."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import click
from amity.store import (
    ConfigError,
    Filter,
    Store,
    StoreError,
    Topic,
    ValidationError,
    parse_events,
)
from amity.store.curated import brought_up_to_date
from amity.store.curation import removed_ids
from amity.store.exports import FORMATS
from amity.store.storage import paused_gc
from amity.store.text import describe_error
from amity.store.view import View

from .filter_options import filter_options
from .output import counted, json_text, print_json, say, table, write_output
from .session import Session, pass_session
from .start import APP_OPTIONS, open_app
from .tuning import tune_process

if TYPE_CHECKING:
    from amity.store.index import Timeline

EXPORT_VERSION = 1


class AmityGroup(click.Group):
    """Maps amity's errors to DESIGN.md's exit codes with a one-line message on stderr.

    The feed, curation and serve commands are added on first use, by the module (in tui/)
    whose `register` adds them: the feed commands import the feeds layer and httpx, which
    cost `amity list` and the app ~0.11 s of start-up for nothing, the others a few ms.
    """

    lazy_commands: ClassVar[dict[str, str]] = {
        **dict.fromkeys(("feeds", "refresh", "explain"), "feed_commands"),
        **dict.fromkeys(
            ("add", "edit", "hide", "unhide", "note", "merge", "move-source", "mute"),
            "curate_commands",
        ),
        "serve": "serve",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command name, the lazy ones included, without importing them."""
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The command, importing its module when it is a lazy one."""
        if cmd_name in self.lazy_commands and cmd_name not in self.commands:
            module = import_module(f".{self.lazy_commands[cmd_name]}", __package__)
            module.register(self)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; StoreError → 3, config/validation → 2, Ctrl-C → 130."""
        try:
            return super().invoke(ctx)
        except StoreError as exc:
            _fail(str(exc), 3)
        except (ConfigError, ValidationError) as exc:
            _fail(str(exc), 2)
        except KeyboardInterrupt:
            _fail("interrupted", 130)


def _fail(message: str, code: int) -> None:
    say(f"amity: {message}")
    sys.exit(code)


@click.group(
    cls=AmityGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    # Not checked here: a folder, device or unreadable file is the store's error (exit 3,
    # named by the store), not a usage error.
    type=click.Path(readable=False, path_type=Path),
    envvar=APP_OPTIONS["--db"],
    help="The store file (default: the user data folder). Also AMITY_DB.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar=APP_OPTIONS["--config"],
    help="The config file (default: the user config folder). Also AMITY_CONFIG.",
)
@click.option(
    "-V",
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, db: Path | None, config_path: Path | None) -> None:
    """amity: the history of a diplomatic relationship as a timeline, kept current from feeds.

    With no command, opens the timeline app.
    """
    ctx.obj = Session(db_path=db, config_path=config_path)
    if ctx.invoked_subcommand is None:
        sys.exit(open_app(db, config_path))  # what the entry point does without click


def _print_version(ctx: click.Context) -> None:
    # click.version_option needs the version when the command line is built, which would import
    # importlib.metadata on every start-up; this reads it only when asked.
    from amity.store import __version__

    click.echo(f"amity, version {__version__}")
    ctx.exit()


@cli.command("list")
@filter_options
@click.option("--ids", is_flag=True, help="Show each event's id (for edit, hide, note, merge).")
@click.option("--oldest-first", is_flag=True, help="Oldest first instead of newest first.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the export event form).")
@pass_session
def list_command(
    session: Session, query: Filter, ids: bool, oldest_first: bool, as_json: bool
) -> None:
    """The timeline, headless (newest first); events you hid are left out."""
    query = replace(query, newest_first=not oldest_first)
    _read(session.store(), lambda timeline: _print_list(timeline, query, ids, as_json))


T = TypeVar("T")


def _read(store: Store, use: Callable[[Timeline], T], topics: Sequence[Topic] = ()) -> T:
    """`use` the store's timeline, from the store file if its view proves damaged (before
    anything is printed: every part is checked before use)."""
    from amity.store.index import use_timeline  # not for the feed commands: they never list

    return use_timeline(store, use, topics)


def _print_list(timeline: Timeline, query: Filter, ids: bool, as_json: bool) -> None:
    # Everything is read and checked before the first byte goes out (see copy_lines).
    index, view = timeline.index, timeline.view
    positions = index.select(query)
    if as_json and view is not None:
        _print_view_json(view, positions)
        return
    if as_json:
        with paused_gc():
            print_json([event.to_dict() for event in index.events(positions)])
        return
    if not positions:
        say("no events match" + ("" if query.is_empty else "; remove a filter to see more"))
        return
    columns = [index.column(name) for name in ("date", "certainty", "milestone", "kind")]
    titles, topics, event_ids = (index.column(name) for name in ("title", "topics", "id"))
    dates, certainties, milestones, kinds = columns
    rows = [
        [
            dates[p] + ("?" if certainties[p] == "partial" else ""),
            "★" if milestones[p] else "·",
            kinds[p],
            titles[p],
            ",".join(topics[p]),
            *([event_ids[p]] if ids else []),
        ]
        for p in positions
    ]
    headers = ["DATE", "", "KIND", "TITLE", "TOPICS", *(["ID"] if ids else [])]
    table(headers, rows, flex=3, shrink=(4,))
    say(counted(len(positions), "event"))


def _print_view_json(view: View, positions: list[int]) -> None:
    """`list --json` from the store's view (see store/view.py): the very lines printing the
    events would give, without building one."""
    out = sys.stdout.buffer
    if not positions:
        lines = None
    elif positions == list(range(len(view))):
        sys.stdout.flush()
        view.copy_lines(out, b"[\n", b"\n]\n")
        return
    else:
        lines = view.lines(positions)
    sys.stdout.flush()
    out.write(b"[\n" + b",\n".join(lines) + b"\n]\n" if lines else b"[]\n")


@cli.command("topics")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_session
def topics_command(session: Session, as_json: bool) -> None:
    """The topics, their keys in the app and how many events each has."""
    topics = session.config.topics
    counts = _read(session.store(), lambda t: t.index.show(Filter()).topic_counts, topics)
    if as_json:
        print_json(
            [
                {
                    "id": t.id,
                    "key": t.key,
                    "label": t.label,
                    "events": counts[t.id],
                    "keywords": list(t.keywords),
                }
                for t in session.config.topics
            ]
        )
        return
    table(
        ["KEY", "ID", "LABEL", "EVENTS"],
        [[t.key, t.id, t.label, str(counts[t.id])] for t in session.config.topics],
        flex=2,
    )


@cli.command("import")
@click.argument("file", type=click.File("rb"))
@pass_session
def import_command(session: Session, file: Any) -> None:
    """Merge events from a JSON file (an export, or a bare list) by id, in one write."""
    name = getattr(file, "name", "-")
    try:
        data = json.loads(file.read())
    except (ValueError, RecursionError) as exc:  # a 5,000-digit number is a ValueError
        raise click.UsageError(f"{name}: not valid JSON ({describe_error(exc)})") from None
    if isinstance(data, dict):
        fmt = data.get("amity", EXPORT_VERSION)
        if not isinstance(fmt, int) or isinstance(fmt, bool):
            raise click.UsageError(f"{name}: 'amity' must be the format number, got {fmt!r}")
        if fmt > EXPORT_VERSION:
            raise click.UsageError(f"{name}: written by a newer amity (format {fmt})")
    try:
        events = parse_events(data, session.config.topic_ids)
    except ValidationError as exc:
        raise click.UsageError(f"{name}: {exc}; nothing was imported") from None
    events = brought_up_to_date(events)  # an export made before a curated update keeps it
    with session.store().transaction() as txn:
        removed = removed_ids(txn.meta)
        new, updated = txn.put_events(events)
    skipped = sum(event.id in removed for event in events)
    unchanged = len(events) - new - updated - skipped
    counts = f"{new} new, {updated} updated, {unchanged} unchanged"
    if skipped:
        counts += f", {skipped} skipped (you removed or merged them)"
    say(f"imported {len(events)} events from {name}: {counts}")


@cli.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", *FORMATS]),
    default="json",
    show_default=True,
    help="json (what `amity import` takes back), markdown, csv, ics, timelinejs or html.",
)
@filter_options
@click.option("--notes", is_flag=True, help="Include your notes (json always carries them).")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of stdout.",
)
@pass_session
def export_command(
    session: Session, fmt: str, query: Filter, notes: bool, output: Path | None
) -> None:
    """The events list would show (every event by default), oldest first, as a file."""
    if fmt == "json" and query.hidden is False:
        query = replace(query, hidden=None)  # the form import restores: hidden events too
    query = replace(query, newest_first=False)
    events = _read(session.store(), lambda t: t.index.events(t.index.select(query)))
    if fmt == "json":
        text = json_text({"amity": EXPORT_VERSION, "events": [e.to_dict() for e in events]})
    else:
        config = session.config
        labels = {topic.id: topic.label for topic in config.topics}
        from amity.store.exports import render
        from amity.store.exports.shared import ExportContext

        context = ExportContext(title=config.pair_label, topic_labels=labels, notes=notes)
        text = render(fmt, events, context)
    write_output(text, output, f"{len(events)} events")


def main() -> None:
    """Console-script entry point."""
    tune_process()
    cli(prog_name="amity")
