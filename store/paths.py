"""Where amity keeps its files by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

# The data amity ships (the package amity.store.data: curated datasets, language rules), read
# as files: it is a folder beside this module, never zipped, and importlib.resources cost every
# process 1.8 ms of imports (zipfile's among them) to say so.
DATA = Path(__file__).with_name("data")


def default_db_path() -> Path:
    """`AMITY_DB`, or `<user_data_dir>/amity/amity.json`."""
    env = os.environ.get("AMITY_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("amity", appauthor=False)) / "amity.json"


def default_config_path() -> Path:
    """`<user_config_dir>/amity/config.toml`."""
    return Path(platformdirs.user_config_dir("amity", appauthor=False)) / "config.toml"
