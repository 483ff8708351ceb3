"""`amity` with only --db/--config opens the app without the command line; everything else,
and every error, reads as it did through click."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from amity.tui.start import app_only


def test_the_store_and_config_alone_open_the_app_directly(tmp_path, monkeypatch):
    monkeypatch.delenv("AMITY_DB", raising=False)
    monkeypatch.delenv("AMITY_CONFIG", raising=False)
    assert app_only([]) == (None, None)
    assert app_only(["--db", "a.json"]) == (Path("a.json"), None)
    assert app_only(["--db=a.json", "--config", "c.toml"]) == (Path("a.json"), Path("c.toml"))
    monkeypatch.setenv("AMITY_DB", "env.json")
    assert app_only(["--config=c.toml"]) == (Path("env.json"), Path("c.toml"))
    assert app_only(["--db", "given.json"]) == (Path("given.json"), None)  # the option wins


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["--db", "a.json", "list"],
        ["-h"],
        ["--help"],
        ["-V"],
        ["--db"],  # click says the value is missing
        ["--db="],
        ["--db", "--config"],
        ["--db", "a", "--db", "b"],
        ["--verbose"],
    ],
)
def test_anything_else_goes_to_the_command_line(args):
    assert app_only(args) is None


def test_a_config_path_that_is_a_folder_goes_to_the_command_line(tmp_path):
    assert app_only(["--config", str(tmp_path)]) is None


def _amity(entry: str, args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys\n"
        f"from amity.tui.{entry} import main\n"
        f"sys.argv = ['amity', *{args!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    print(exc.code)\n"
        "print('click' in sys.modules)\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
    )


def test_a_bad_config_or_store_fails_as_through_click_and_without_it(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text("topics = [", encoding="utf-8")
    damaged = tmp_path / "damaged.json"
    damaged.write_text("{not json", encoding="utf-8")
    env = {"AMITY_DB": "", "AMITY_CONFIG": ""}
    for args, code in (
        (["--db", str(tmp_path / "s.json"), "--config", str(config)], "2"),
        ([f"--db={damaged}"], "3"),
    ):
        direct = _amity("start", args, env)
        through_click = _amity("cli", args, env)
        assert direct.stdout.split() == [code, "False"], direct.stderr
        assert through_click.stdout.split() == [code, "True"]
        assert direct.stderr == through_click.stderr
        assert direct.stderr.startswith("amity: ") and str(tmp_path) in direct.stderr
    assert damaged.read_text(encoding="utf-8") == "{not json"  # never overwritten


def test_help_still_comes_from_the_command_line():
    out = _amity("start", ["--help"], {})
    assert "With no command, opens the timeline app." in out.stdout
    assert out.stdout.split()[-2:] == ["0", "True"]


def _typed_at_launch(store_path: Path, keys: bytes) -> bytes:
    """Run amity for real in a terminal (a pty), type `keys` before it has drawn anything, and
    return what it showed once it has exited by itself (its exit status must be 0)."""
    import pty
    import select

    master, slave = pty.openpty()
    amity = str(Path(sys.executable).with_name("amity"))
    env = {**os.environ, "TERM": "xterm-256color", "AMITY_CONFIG": ""}
    with subprocess.Popen(
        [amity, "--db", str(store_path)], stdin=slave, stdout=slave, stderr=slave, env=env
    ) as proc:
        os.close(slave)
        os.write(master, keys)
        shown = b""
        while select.select([master], [], [], 60)[0]:  # until the app closes the terminal
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the other end is closed
                break
            if not chunk:
                break
            shown += chunk
        assert proc.wait(60) == 0, shown[-2000:]
    os.close(master)
    return shown


def test_q_typed_as_the_app_starts_quits_it_cleanly(store):
    # A person who presses q at once, or a script that sends it: the app quit before its
    # first frame, then mounted the search box into the screen it had taken down, and ended
    # with a MountError traceback and exit status 1.
    shown = _typed_at_launch(store.path, b"q")
    assert b"Traceback" not in shown and b"Error" not in shown


def test_an_edit_made_just_before_q_is_saved(store):
    # h then q at once: the hide was written by a worker thread that quitting left behind,
    # and the process ended before it had saved (at 100,000 events a write takes a second).
    first = store.snapshot().events
    _typed_at_launch(store.path, b"hq")
    hidden = [e for e in store.snapshot().events if e.hidden]
    assert len(hidden) == 1 and len(first) == len(store.snapshot().events)
