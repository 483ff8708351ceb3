"""Time to first paint of the timeline app at 10,000 and 100,000 events, against a bare Textual
app that paints one label, and the time to apply a topic toggle and a one-letter search at
100,000 events, measured inside the running app. Everything in one run, on this machine:

    /work/venv/bin/python bench/app_startup.py [--repeat 3]

"First paint" is Textual's Ready event (sent once the first frame is drawn), timed from the moment
the parent starts the child process, so interpreter start and imports are included for both apps.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZE = (120, 40)
WORDS = (  # noqa: SIM905 - a sentence reads better than 40 quoted words
    "summit visit talks defence GCAP frigate minerals supply chain space JAXA ASI film expo "
    "students energy hydrogen Rome Tokyo Meloni Takaichi partnership agreement consultation "
    "exercise port call satellite research trade investment festival anniversary"
).split()


def synthetic_events(count: int, seed: int = 7) -> list:
    """`count` plausible events over 1860-2026 with 1-3 topics, some milestones and sources."""
    from amity.store import DEFAULT_TOPICS, KINDS, Event, Source

    rng = random.Random(seed)
    topics = [t.id for t in DEFAULT_TOPICS]
    events = []
    for n in range(count):
        year = rng.choice((rng.randint(1860, 2026), rng.randint(2000, 2026)))
        precision = rng.random()
        date = f"{year}"
        if precision > 0.1:
            date += f"-{rng.randint(1, 12):02d}"
        if precision > 0.3:
            date += f"-{rng.randint(1, 28):02d}"
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9))).capitalize()
        events.append(
            Event(
                id=f"synthetic-{n}",
                date=date,
                title=title,
                summary=" ".join(rng.choice(WORDS) for _ in range(20)),
                kind=rng.choice(KINDS),
                topics=tuple(rng.sample(topics, rng.randint(1, 3))),
                countries=("IT", "JP"),
                milestone=rng.random() < 0.05,
                origin="feed",
                sources=(Source(url=f"https://example.org/{n}", title=title, publisher="Wire"),),
            )
        )
    return events


def build_store(folder: Path, count: int) -> Path:
    """A store file holding the curated timeline plus `count` synthetic events."""
    from amity.store import Store

    path = folder / f"amity-{count}.json"
    Store.open(path).put_events(synthetic_events(count))
    return path


def child(kind: str, db: str) -> None:
    """Run one app headless; print time.time() at its first paint, then quit."""
    from textual.app import App

    def ready(app: App) -> None:
        print(f"{time.time():.6f}", flush=True)
        app.exit()

    if kind == "bare":
        from textual.app import ComposeResult
        from textual.widgets import Label

        class Bare(App[None]):
            def compose(self) -> ComposeResult:
                yield Label("hello")

            def on_ready(self) -> None:
                ready(self)

        Bare().run(headless=True, size=SIZE)
        return
    from amity.store import Config, Store
    from amity.tui.app import AmityApp

    class Probe(AmityApp):
        def on_ready(self) -> None:
            ready(self)

    store = Store(db)
    Probe(store, Config(), snapshot=store.snapshot()).run(headless=True, size=SIZE)


def first_paint(kind: str, db: str, repeat: int) -> float:
    """Median seconds from spawning the child to its first paint."""
    times = []
    for _ in range(repeat):
        start = time.time()
        out = subprocess.run(
            [sys.executable, __file__, "--child", kind, db],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        times.append(float(out.strip().splitlines()[-1]) - start)
    return statistics.median(times)


async def interactions(db: Path, repeat: int) -> dict[str, float]:
    """Inside the running app at 100k: a topic toggle and a one-letter search, each as the
    re-filter alone and as key-press to repainted screen."""
    from amity.store import Config, Store
    from amity.tui.app import AmityApp

    store = Store(db)
    app = AmityApp(store, Config(), snapshot=store.snapshot())
    results: dict[str, list[float]] = {}

    def note(name: str, seconds: float) -> None:
        results.setdefault(name, []).append(seconds)

    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for _ in range(repeat):
            start = time.perf_counter()
            await pilot.press("f12")  # bound to nothing: Pilot's own key-and-repaint overhead
            await pilot.pause()
            note("baseline: unbound key to repaint", time.perf_counter() - start)
            start = time.perf_counter()
            app.action_toggle_topic("1")
            note("toggle: re-filter + redraw call", time.perf_counter() - start)
            await pilot.pause()
            start = time.perf_counter()
            await pilot.press("1")
            await pilot.pause()
            note("toggle: key to repainted screen", time.perf_counter() - start)
            await pilot.press("1")  # back on
            app.action_toggle_topic("1")  # and off again
            await pilot.pause()
            start = time.perf_counter()
            app._set_query(search="j")
            note("search 'j': re-filter + redraw call", time.perf_counter() - start)
            app._set_query(search="")
            await pilot.press("slash")
            start = time.perf_counter()
            await pilot.press("j")
            await pilot.pause()
            note("search 'j': key to repainted screen", time.perf_counter() - start)
            assert app.view_filter.search == "j"
            await pilot.press("escape")
            await pilot.pause()
    index = app.index
    from amity.tui.index import ViewFilter

    for name, query in (
        ("index.view(topic)", ViewFilter(topics=frozenset({"defense"}))),
        ("index.view(search 'j')", ViewFilter(search="j")),
    ):
        for _ in range(repeat):
            start = time.perf_counter()
            index.view(query)
            note(name, time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in results.items()}


def main() -> None:
    """Build the stores, measure, print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("KIND", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as folder:
        stores = {n: build_store(Path(folder), n) for n in (10_000, 100_000)}
        bare = first_paint("bare", "-", args.repeat)
        print(f"first paint, bare Textual app (one label): {bare * 1000:7.0f} ms")
        for count, db in stores.items():
            seconds = first_paint("amity", str(db), args.repeat)
            print(
                f"first paint, amity with {count:>7,} events:   {seconds * 1000:7.0f} ms"
                f"  ({seconds / bare:.1f}× bare, +{(seconds - bare) * 1000:.0f} ms)"
            )
        print("at 100,000 events (median of", args.repeat, "runs):")
        for name, seconds in asyncio.run(interactions(stores[100_000], args.repeat)).items():
            print(f"  {name:<38} {seconds * 1000:7.1f} ms")


if __name__ == "__main__":
    main()
