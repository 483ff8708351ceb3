"""Child processes that time the app from the inside.

    python -m bench.app_probe startup amity DB MARK   the real `amity --db DB`, quits at first paint
    python -m bench.app_probe startup bare - MARK     a bare Textual app painting one label
    python -m bench.app_probe interact DB REPEAT      toggle / search / jump timings, and the
                                                      re-filter alone (no repaint), JSON on stdout

"First paint" is Textual's Ready event, which it sends once the first frame has been written to
the terminal; the probe records time.time() there into MARK and exits. `startup_in_pty` runs a
probe on a real pseudo-terminal (120×40) so the frame really is rendered and written.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import pty
import struct
import sys
import termios
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from .measure import Run, run_child

SIZE = (120, 40)


def _mark_first_paint(mark: str) -> None:
    from textual.app import App

    def on_ready(self: App, _event: object) -> None:
        Path(mark).write_text(repr(time.time()))
        self.exit()

    # Textual dispatches `_on_ready` found anywhere in the app's MRO, so the base class will do.
    App._on_ready = on_ready  # type: ignore[attr-defined]


def _startup(kind: str, db: str, mark: str) -> int:
    _mark_first_paint(mark)
    if kind == "bare":
        from textual.app import App, ComposeResult
        from textual.widgets import Label

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Label("amity")

        Bare().run()
        return 0
    from amity.tui.start import main  # the console script's entry point

    sys.argv = ["amity", "--db", db]
    main()
    return 0


async def _interact(db: str, repeat: int) -> dict[str, list[float]]:
    from amity.store import Filter, Store, load_config
    from amity.tui.app import AmityApp
    from textual import events

    app = AmityApp(Store(db), load_config(None))
    times: dict[str, list[float]] = {"toggle": [], "search": [], "jump": []}
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        async def timed(label: str, act: Callable[[], Awaitable[None]], done: Callable[[], bool]):
            t0 = time.perf_counter()
            await act()
            # Until the app's state shows the change, then one screen update (the repaint).
            deadline = t0 + 30
            while not done() and time.perf_counter() < deadline:
                await pilot._wait_for_screen()
            app.screen._on_timer_update()
            await pilot._wait_for_screen()
            if label:
                times[label].append(time.perf_counter() - t0)

        async def key(name: str) -> None:
            # What the terminal driver does on a key-press; Pilot.press would add its own
            # idle-waiting sleeps (tens of ms) to every measurement.
            app._driver.send_message(events.Key(name, name if len(name) == 1 else None))

        topic = app.config.topics[0]
        for _ in range(repeat):
            await timed("toggle", lambda: key(topic.key), lambda: bool(app.view_filter.topics))
            await timed("", lambda: key(topic.key), lambda: not app.view_filter.topics)
            await pilot.press("slash")
            await timed("search", lambda: key("j"), lambda: app.view_filter.search == "j")
            await timed("", lambda: pilot.press("escape"), lambda: not app.view_filter.search)
            years = sorted(app.view.year_counts)

            async def jump(year: int) -> None:
                app.jump_to_year(year)

            oldest, newest = years[0], years[-1]
            await timed("jump", lambda oldest=oldest: jump(oldest), lambda: True)
            await timed("", lambda newest=newest: jump(newest), lambda: True)
        for label, query in (
            ("filter_topic", Filter(topics=frozenset({topic.id}))),
            ("filter_search", Filter(search="j")),
        ):
            times[label] = []
            for _ in range(repeat):
                app.index.show(Filter())  # from nothing filtered, as the key finds it
                t0 = time.perf_counter()
                app.index.show(query)
                times[label].append(time.perf_counter() - t0)
    return times


def _empty_config(workdir: Path) -> Path:
    """A config file with nothing in it: amity's defaults, whatever the user's own config says."""
    path = workdir / "defaults.toml"
    path.touch()
    return path


def startup_in_pty(kind: str, db: Path | None, workdir: Path) -> tuple[Run, float | None]:
    """Run a start-up probe on a pseudo-terminal; (the run, seconds from spawn to first paint)."""
    mark = workdir / f"mark-{kind}"
    mark.unlink(missing_ok=True)
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))

    def drain() -> None:
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    env = {**os.environ, "TERM": "xterm-256color", "AMITY_CONFIG": str(_empty_config(workdir))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    cmd = [sys.executable, "-m", "bench.app_probe", "startup", kind, str(db or "-"), str(mark)]
    try:
        run = run_child(cmd, env=env, stdin=slave, stdout=slave, stderr=slave, timeout=300)
    finally:
        os.close(slave)
        reader.join(timeout=2)
        os.close(master)
    painted = float(mark.read_text()) - run.started if mark.exists() else None
    return run, painted


def interact(db: Path, repeat: int, workdir: Path) -> tuple[Run, dict[str, list[float]] | None]:
    """Run the interaction probe; (the run, seconds per action) or None with the run's error."""
    env = {**os.environ, "AMITY_CONFIG": str(_empty_config(workdir))}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    run = run_child(
        [sys.executable, "-m", "bench.app_probe", "interact", str(db), str(repeat)],
        env=env,
        timeout=600,
    )
    try:
        return run, json.loads(run.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        return run, None


def main(argv: list[str]) -> int:
    """Entry point of the probe processes."""
    if argv[0] == "startup":
        return _startup(argv[1], argv[2], argv[3])
    if argv[0] == "interact":
        print(json.dumps(asyncio.run(_interact(argv[1], int(argv[2])))))
        return 0
    print(f"unknown probe {argv[0]!r}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
