"""Refresh of 200 local feeds against the network floor, and the parser choice, in one run.

    python bench/refresh_feeds.py [--feeds 200] [--entries 50] [--latency 0.1] [--hosts 16]

The feeds are served by bench.feedserver in its own process, spread over `hosts` loopback
addresses, each response delayed by `latency`. The floor is one feed's latency times
ceil(feeds / concurrency); a bare httpx fetch of the same URLs (no parsing, no store) is measured
beside it. The parser section times feedparser, fastfeedparser and amity's parse_feed (which
wraps fastfeedparser and cleans every entry) on the same bodies.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):  # `python bench/refresh_feeds.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

import fastfeedparser
import feedparser
import httpx
from amity.feeds import parse_feed, refresh
from amity.store import Config, Feed, RefreshSettings, Store

from .feedserver import FeedServer
from .synth import make_feeds


def bare_fetch(urls: list[str], concurrency: int) -> float:
    """Wall time to GET every URL with `concurrency` requests in flight and nothing else."""

    async def main() -> None:
        gate = asyncio.Semaphore(concurrency)
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency)) as client:

            async def one(url: str) -> None:
                async with gate:
                    (await client.get(url)).raise_for_status()

            await asyncio.gather(*(one(u) for u in urls))

    started = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - started


def amity_refresh(urls: list[str], config: Config, folder: Path, name: str) -> tuple[float, float]:
    """Wall time of a first refresh into a new store, then of a second (all 304)."""
    store = Store.open(folder / f"{name}.json")
    with store.transaction() as txn:
        for url in list(txn.feeds()):
            txn.remove_feed(url)
        txn.put_feeds(Feed(url) for url in urls)
    times = []
    for _ in range(2):
        started = time.perf_counter()
        report = asyncio.run(refresh(store, config))
        times.append(time.perf_counter() - started)
        assert report.failed == 0, [r for r in report.feeds if r.error][:3]
    return times[0], times[1]


def parsers(bodies: list[bytes], rounds: int = 3) -> dict[str, float]:
    """Best-of-`rounds` seconds for each parser over every body."""
    contenders = {
        "feedparser": feedparser.parse,
        "fastfeedparser": fastfeedparser.parse,
        "amity parse_feed": lambda body: parse_feed(body, "https://bench.example/"),
    }
    best = {}
    for name, parse in contenders.items():
        runs = []
        for _ in range(rounds):
            started = time.perf_counter()
            for body in bodies:
                parse(body)
            runs.append(time.perf_counter() - started)
        best[name] = min(runs)
    return best


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--feeds", type=int, default=200)
    args.add_argument("--entries", type=int, default=50)
    args.add_argument("--latency", type=float, default=0.1)
    args.add_argument("--hosts", type=int, default=16)
    args.add_argument("--runs", type=int, default=3)
    opts = args.parse_args()
    config = Config(refresh=RefreshSettings())
    concurrency = config.refresh.concurrency
    floor = opts.latency * math.ceil(opts.feeds / concurrency)
    print(
        f"{opts.feeds} feeds x {opts.entries} entries, {opts.latency * 1000:g} ms latency, "
        f"{opts.hosts} hosts, concurrency {concurrency}, per host {config.refresh.per_host}"
    )
    with FeedServer(
        opts.feeds, entries=opts.entries, hosts=opts.hosts, latency=opts.latency
    ) as srv:
        urls = list(srv.urls)
        bare, cold, warm = [], [], []
        with tempfile.TemporaryDirectory() as folder:
            for n in range(opts.runs):
                bare.append(bare_fetch(urls, concurrency))
                first, second = amity_refresh(urls, config, Path(folder), f"run{n}")
                cold.append(first)
                warm.append(second)
    med = statistics.median
    print(f"floor latency*ceil(feeds/concurrency): {floor:.3f} s")
    for label, runs in (
        ("bare httpx GET of every feed:", bare),
        ("amity refresh, new store:", cold),
        ("amity refresh again (all 304):", warm),
    ):
        print(f"{label:38} {med(runs):.3f} s  ({med(runs) / floor:.2f}x floor)")
    print(f"  (medians of {opts.runs} runs; min/max new store {min(cold):.3f}/{max(cold):.3f} s)")
    bodies = [doc.body for doc in make_feeds(100, opts.entries)]
    timings = parsers(bodies)
    base = timings["fastfeedparser"]
    print(f"parsing {len(bodies)} feeds ({len(bodies) * opts.entries} entries), best of 3:")
    for name, seconds in timings.items():
        print(f"  {name:18} {seconds:.3f} s  ({seconds / base:.1f}x fastfeedparser)")


if __name__ == "__main__":
    main()
