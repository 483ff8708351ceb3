"""What `amity` runs first: the app straight away when the command line names nothing but the
store and the config, else the click command line (tui/cli.py).

Opening the app is most of what `amity` is run for, and the command line costs it ~40 million
instructions (~5 ms) before the first frame: click and every command's module. Anything
unusual (a command, --help, a value that looks like an option, a config path that is a folder)
goes to click, which says what it says as before.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

# The options the app needs, each with the environment variable click falls back to
# (cli.py declares them with these names).
APP_OPTIONS = {"--db": "AMITY_DB", "--config": "AMITY_CONFIG"}


def main() -> None:
    """Console-script entry point."""
    chosen = app_only(sys.argv[1:])
    if chosen is None:
        from .cli import main as command_line

        command_line()
        return
    from .tuning import tune_process

    # Held off from here, not only from run_app: amity's and Textual's modules are imported on
    # the way (run_app turns it on again at the first frame, see there).
    gc.disable()
    tune_process()
    sys.exit(open_app(*chosen))


def app_only(args: Sequence[str]) -> tuple[Path | None, Path | None] | None:
    """(store path, config path) when `args` ask for the app and nothing else (each of
    --db/--config at most once, as `--db PATH` or `--db=PATH`, else from the environment);
    None for anything click should read."""
    given: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        name, equals, value = arg.partition("=")
        if name not in APP_OPTIONS or name in given:
            return None
        if not equals:
            value = next(rest, "")
        if not value or value.startswith("-"):
            return None
        given[name] = value
    for name, variable in APP_OPTIONS.items():
        if name not in given and os.environ.get(variable):
            given[name] = os.environ[variable]
    db, config = (Path(given[n]) if n in given else None for n in APP_OPTIONS)
    if config is not None and config.is_dir():
        return None  # click's error names it
    return db, config


def open_app(db: Path | None, config_path: Path | None) -> int:
    """What `amity` with no command does (cli.cli), with the command line's exit codes: a
    config that cannot be read 2 before the screen is taken, an unusable store 3."""
    from amity.store import ConfigError, Store, StoreError, ValidationError, load_config

    from .output import say

    try:
        config = load_config(config_path)
        store = Store.open(db)  # curated updates are told by the app, as notifications
        from .app import run_app  # textual is imported only here

        return run_app(store, config)
    except StoreError as exc:
        message, code = str(exc), 3
    except (ConfigError, ValidationError) as exc:
        message, code = str(exc), 2
    except KeyboardInterrupt:
        message, code = "interrupted", 130
    say(f"amity: {message}")
    return code
