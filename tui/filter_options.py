"""The timeline filter as command-line options: one definition for `amity list` and `export`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from amity.store import KINDS, ORIGINS, Filter, ValidationError

_OPTIONS = (
    click.option(
        "--topic",
        "topics",
        multiple=True,
        metavar="ID",
        help="Only events with this topic (repeatable: any of them).",
    ),
    click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice(KINDS),
        help="Only events of this kind (repeatable).",
    ),
    click.option(
        "--since", metavar="DATE", help="From this date, inclusive (YYYY, YYYY-MM or YYYY-MM-DD)."
    ),
    click.option("--until", metavar="DATE", help="Up to this date, inclusive."),
    click.option(
        "--search",
        default="",
        metavar="TEXT",
        help="Every word must appear in the title, summary, your note or a source title.",
    ),
    click.option("--milestones", is_flag=True, help="Milestones only."),
    click.option(
        "--origin",
        "origins",
        multiple=True,
        type=click.Choice(ORIGINS),
        help="Only events from here: curated, feed or user (yours). Repeatable.",
    ),
    click.option("--hidden", is_flag=True, help="Only the events you hid (`amity unhide` them)."),
)


def filter_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the filter options to a command, which receives them as one `query: Filter`."""

    @functools.wraps(command)
    def with_query(
        *args: Any,
        topics: tuple[str, ...],
        kinds: tuple[str, ...],
        since: str | None,
        until: str | None,
        search: str,
        milestones: bool,
        origins: tuple[str, ...],
        hidden: bool,
        **kwargs: Any,
    ) -> Any:
        # The group put the session (with its config) in the context before any command runs.
        known = click.get_current_context().obj.config.topic_ids
        for topic in topics:
            if topic not in known:
                raise click.BadParameter(
                    f"unknown topic {topic!r}; try one of: {', '.join(known)}",
                    param_hint="--topic",
                )
        try:
            query = Filter(
                topics=frozenset(topics),
                kinds=frozenset(kinds),
                since=since,
                until=until,
                search=search,
                milestones_only=milestones,
                origins=frozenset(origins),
                hidden=hidden,
            )
        except ValidationError as exc:
            # The store names its own fields (since, until); the options carry the same names.
            raise click.BadParameter(exc.message, param_hint=f"--{exc.field}") from None
        return command(*args, query=query, **kwargs)

    for option in reversed(_OPTIONS):
        with_query = option(with_query)
    return with_query
