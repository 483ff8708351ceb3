"""What every command shares: where the store is and the loaded config."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import click
from amity.store import Config, Store, load_config

from .output import say


@dataclass
class Session:
    """Where the store is and the config, as the command line gave them."""

    db_path: Path | None
    config_path: Path | None
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        """The config file, read on first use."""
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config

    def store(self, *, announce: bool = True) -> Store:
        """Open (creating and seeding if new) the store; say on stderr what a curated dataset
        update did to it (once: the next open finds it up to date)."""
        store = Store.open(self.db_path)
        if announce:
            for update in store.curated_updates:
                say(update.message())
        return store


pass_session = click.make_pass_decorator(Session)


def session_of(ctx: click.Context) -> Session:
    """The running command's session, its config read first: a config that cannot be read is
    reported (exit 2) by every command alike, even one that does not need it, instead of
    hiding until the next command that does."""
    session: Session = ctx.find_root().obj
    session.config  # noqa: B018
    return session
