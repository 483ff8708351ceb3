"""Snapshots of what a person sees (pytest-textual-snapshot): a fresh store seeded with the
curated timeline, a frozen clock, and no visit file, so every run draws the same screen."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from amity.store import Config, Store
from amity.tui.app import AmityApp

NOW = dt.datetime(2026, 2, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def app(tmp_path: Path) -> AmityApp:
    store = Store.open(tmp_path / "amity.json")
    return AmityApp(store, Config(), clock=lambda: NOW)


def test_main_screen_80x24(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, terminal_size=(80, 24))


def test_main_screen_120x40(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, terminal_size=(120, 40))


def test_topic_filter_defense(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, press=["2"], terminal_size=(120, 40))


def test_search_gcap(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, press=["slash", *"gcap"], terminal_size=(120, 40))


def test_detail_of_the_2026_01_16_summit(app: AmityApp, snap_compare) -> None:
    # The summit is the newest entry: Enter takes the focus into its detail.
    assert snap_compare(app, press=["home", "enter"], terminal_size=(120, 40))


def test_help_screen(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, press=["question_mark"], terminal_size=(80, 24))


def test_empty_state_no_events_match(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, press=["m", "slash", *"zzqx", "enter"], terminal_size=(80, 24))


def test_small_terminal_60x20_keeps_the_basics(app: AmityApp, snap_compare) -> None:
    # Titles before the sidebar, the cursor marked, ? Help and q Quit in the footer.
    assert snap_compare(app, press=["j"], terminal_size=(60, 20))


def test_feeds_screen(app: AmityApp, snap_compare) -> None:
    assert snap_compare(app, press=["F"], terminal_size=(100, 30))
