"""The command line's frame: --version, --help, headless imports, quiet pipes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from amity.store import Store, __version__
from storegen import AMITY, amity, export_file, synthetic_events


def test_version() -> None:
    result = amity("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"amity, version {__version__}"


def test_help_lists_the_commands() -> None:
    result = amity("--help")
    assert result.returncode == 0
    for command in ("list", "import", "export", "topics"):
        assert command in result.stdout
    assert "--db" in result.stdout
    listing = amity("list", "--help")
    for option in ("--topic", "--kind", "--since", "--until", "--search", "--milestones", "--json"):
        assert option in listing.stdout


def test_unknown_command_exits_2() -> None:
    assert amity("frobnicate").returncode == 2


HEADLESS = """
import sys
from amity.tui.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    print("TEXTUAL-LOADED" if "textual" in sys.modules else "TEXTUAL-ABSENT", file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--json"],
        ["list", "--topic", "defense"],
        ["import", "IN"],
        ["export", "-o", "OUT"],
        ["topics", "--json"],
    ],
)
def test_headless_commands_never_import_textual(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "amity.json"
    Store.open(db)
    files = {
        "IN": str(export_file(tmp_path / "in.json", synthetic_events(2))),
        "OUT": str(tmp_path / "out.json"),
    }
    argv = ["--db", str(db), *(files.get(a, a) for a in args)]
    result = subprocess.run(
        [sys.executable, "-c", HEADLESS, *argv], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "TEXTUAL-ABSENT" in result.stderr


def test_list_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    db = tmp_path / "amity.json"
    Store.open(db).put_events(synthetic_events(3000))  # more than a pipe buffer holds
    for extra in ([], ["--json"]):
        result = subprocess.run(
            f"'{AMITY}' --db '{db}' list {' '.join(extra)} | head -1",
            shell=True,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.stdout.count("\n") == 1
        assert result.stderr == "", result.stderr


@pytest.mark.parametrize("value", ["abc", "-1", "inf"])
def test_bad_lock_timeout_is_a_configuration_error(tmp_path: Path, value: str) -> None:
    result = amity("--db", str(tmp_path / "amity.json"), "list", env={"AMITY_LOCK_TIMEOUT": value})
    assert result.returncode == 2
    assert "AMITY_LOCK_TIMEOUT" in result.stderr
    assert "Traceback" not in result.stderr


PAIR = '[[pair]]\ncode = "JP"\nname = "Japan"\n[[pair]]\ncode = "IT"\nname = "Italy"\n'


@pytest.mark.parametrize(
    ("toml", "words"),
    [
        (PAIR + "aliases = [1]\n", ["[[pair]] 2", "aliases"]),
        (PAIR.replace('"IT"', '"Italia"'), ["[[pair]] 2", "code", "ITALIA"]),
        ('[[topics]]\nlabel = "No id"\n', ["[[topics]] 1", "id"]),
        ('[[topics]]\nid = "x"\nkeywords = "space"\n', ["[[topics]] 1", "keywords"]),
        ("topics = [1]\n", ["[[topics]] 1", "table"]),
        ('[refresh]\nconcurrency = "many"\n', ["[refresh] concurrency", "many"]),
        ("[refresh]\ndeadline = -1\n", ["[refresh] deadline", "-1"]),
        ("refresh = 5\n", ["[refresh]", "table"]),
    ],
)
def test_bad_config_setting_exits_2_naming_the_file_and_setting(
    tmp_path: Path, toml: str, words: list[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(toml, encoding="utf-8")
    result = amity("topics", db=tmp_path / "amity.json", env={"AMITY_CONFIG": str(config)})
    assert result.returncode == 2, result.stderr
    assert str(config) in result.stderr and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr


def test_a_config_with_its_own_topics_and_settings_is_used(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        PAIR + '[[topics]]\nid = "trade"\nkeywords = ["Tariff"]\n[refresh]\ndeadline = 5\n',
        encoding="utf-8",
    )
    result = amity("topics", "--json", db=tmp_path / "a.json", env={"AMITY_CONFIG": str(config)})
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"id": "trade", "key": "1", "label": "trade", "events": 0, "keywords": ["tariff"]}
    ]
