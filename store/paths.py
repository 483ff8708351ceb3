"""Where amity keeps its files by default."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def default_db_path() -> Path:
    """`AMITY_DB`, or `<user_data_dir>/amity/amity.json`."""
    env = os.environ.get("AMITY_DB")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("amity", appauthor=False)) / "amity.json"


def default_config_path() -> Path:
    """`<user_config_dir>/amity/config.toml`."""
    return Path(platformdirs.user_config_dir("amity", appauthor=False)) / "config.toml"
