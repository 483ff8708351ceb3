"""The refreshers compared: `amity refresh`, newsboat and reader, each run as its own process on
its own fresh state; plus the parsers, timed on the same bodies the server sends."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .measure import Run, Samples, run_child, time_call
from .synth import FeedDoc

BENCH_ROOT = Path(__file__).resolve().parent.parent


def amity_command() -> list[str]:
    """How to run the `amity` console script of this interpreter's environment."""
    script = Path(sys.executable).with_name("amity")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from amity.tui.cli import main; main()"]


def compile_amity() -> str:
    """Write amity's bytecode before measuring, as `pip install` does for every package it
    installs (the peers' and Textual's included). An editable install run with
    PYTHONDONTWRITEBYTECODE set (as in some sandboxes) would otherwise compile each of amity's
    modules again at every start, ~0.17 s that no installed amity pays. Says what it did."""
    import compileall
    import importlib.util

    folders = []
    for package in ("amity.store", "amity.feeds", "amity.tui"):
        spec = importlib.util.find_spec(package)
        folders += list(spec.submodule_search_locations or []) if spec else []
    if not folders:
        return "amity not installed"
    ok = all(compileall.compile_dir(folder, quiet=2) for folder in folders)
    return "compiled before measuring" if ok else "could not be compiled"


def amity_version() -> str:
    """The installed amity's version, or why there is none."""
    try:
        from amity.store import __version__
    except ImportError:
        return "not installed"
    return __version__


def newsboat_version() -> str | None:
    """`newsboat 2.21.0`, or None when newsboat is not on PATH."""
    exe = shutil.which("newsboat")
    if not exe:
        return None
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, check=False).stdout
    return out.split(" - ")[0].removeprefix("newsboat ") if out else "unknown version"


def reader_version() -> str | None:
    """reader's version, or None when it cannot be imported (with its feedparser's sgmllib)."""
    probe = "import reader, reader._vendor.feedparser as f; print(reader.__version__)"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


@dataclass
class Peer:
    """A refresher: `prepare` builds a subscribed-but-never-fetched state in a folder once;
    each run copies it (a fresh state), then `refresh` runs one refresh on the copy."""

    label: str
    prepare: Callable[[Path], None]
    refresh: Callable[[Path], Run]
    state_file: str
    summarize: Callable[[Run, Path], str]
    # Whether each run's state may share the template's files (hard links) instead of copies:
    # only for a refresher that replaces every file it changes, never writing one in place.
    linked: bool = False


def write_subscriptions(folder: Path, urls: list[str]) -> tuple[Path, Path]:
    """The feed list as newsboat's urls file and as OPML (what every reader imports)."""
    folder.mkdir(parents=True, exist_ok=True)
    urls_file = folder / "urls"
    urls_file.write_text("\n".join(urls) + "\n")
    outlines = "\n".join(
        f'    <outline type="rss" text="bench feed {i}" xmlUrl={quoteattr(u)}/>'
        for i, u in enumerate(urls)
    )
    opml = folder / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0"><head><title>bench</title>'
        f"</head>\n  <body>\n{outlines}\n  </body>\n</opml>\n"
    )
    return urls_file, opml


# -- amity -------------------------------------------------------------------------------------


def amity_refresh_missing() -> str | None:
    """Why `amity refresh` cannot be benchmarked, or None when it can."""
    for words in (["refresh", "--help"], ["feeds", "import", "--help"]):
        proc = subprocess.run([*amity_command(), *words], capture_output=True, text=True)
        if proc.returncode != 0:
            return f"`amity {' '.join(words[:-1])}` is not available in this checkout yet"
    return None


def amity_peer(
    subscriptions: Path,
    concurrency: int,
    store: Path | None = None,
    *,
    command: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    label: str = "amity refresh",
) -> Peer:
    """`amity refresh --json` on a fresh store (or a copy of `store`) that subscribed to the
    feeds by OPML import; another amity is run by its `command`, with `extra_env` set."""
    amity = command or amity_command()

    def _amity_env(folder: Path) -> dict[str, str]:
        return {**os.environ, **(extra_env or {}), "AMITY_CONFIG": str(folder / "config.toml")}

    def prepare(folder: Path) -> None:
        (folder / "config.toml").write_text(f"[refresh]\nconcurrency = {concurrency}\n")
        if store is not None:
            shutil.copy(store, folder / "amity.json")
        db = ["--db", str(folder / "amity.json")]
        env = _amity_env(folder)
        for words in (["feeds", "import", str(subscriptions)], ["feeds", "list", "--json"]):
            proc = subprocess.run([*amity, *db, *words], capture_output=True, text=True, env=env)
            if proc.returncode != 0:
                raise RuntimeError(f"amity {' '.join(words)} failed: {proc.stderr.strip()}")
        # A new store also subscribes to the default (internet) feeds; the bench has no network.
        for feed in json.loads(proc.stdout):
            if "default" in feed.get("tags", []):
                subprocess.run(
                    [*amity, *db, "feeds", "remove", feed["url"]],
                    capture_output=True,
                    env=env,
                    check=True,
                )

    def refresh(folder: Path) -> Run:
        cmd = [*amity, "--db", str(folder / "amity.json"), "refresh", "--json"]
        return run_child(cmd, env=_amity_env(folder))

    def summarize(run: Run, folder: Path) -> str:
        try:
            data = json.loads(run.stdout)
        except json.JSONDecodeError:
            return f"exit {run.returncode}: {run.stderr.strip()[-200:]}"
        counts: dict[str, int] = {}
        for feed in data.get("feeds", []):
            counts[feed["status"]] = counts.get(feed["status"], 0) + 1
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
        return f"{statuses}; {data.get('new_events', '?')} new events"

    # amity replaces its store and side files (a write is a rename), so a run's state is the
    # template's files linked: a copy is another inode, which amity's view vouches for only
    # once it has checked the copy's CRC-32 (0.05-0.1 s at 100k events), as after a restored
    # backup, never before a refresh of the store the last write made.
    return Peer(f"{label} ({concurrency})", prepare, refresh, "amity.json", summarize, True)


# -- newsboat ----------------------------------------------------------------------------------


def newsboat_peer(urls_file: Path, threads: int | None) -> Peer:
    """`newsboat -x reload` with its own urls file, cache and config (HOME isolated too)."""

    def prepare(folder: Path) -> None:
        shutil.copy(urls_file, folder / "urls")
        setting = f"reload-threads {threads}\n" if threads else ""
        (folder / "config").write_text(setting)

    def refresh(folder: Path) -> Run:
        cmd = ["newsboat", "-x", "reload", "-u", "urls", "-c", "cache.db", "-C", "config"]
        return run_child(cmd, cwd=folder, env={**os.environ, "HOME": str(folder)})

    def summarize(run: Run, folder: Path) -> str:
        if run.returncode != 0:
            return f"exit {run.returncode}: {(run.stderr or run.stdout).strip()[-200:]}"
        with sqlite3.connect(folder / "cache.db") as db:
            (items,) = db.execute("select count(*) from rss_item").fetchone()
        return f"{items} items cached"

    label = f"newsboat ({threads} threads)" if threads else "newsboat (default: 1 thread)"
    return Peer(label, prepare, refresh, "cache.db", summarize)


# -- reader ------------------------------------------------------------------------------------


def reader_peer(urls_file: Path, workers: int) -> Peer:
    """reader's `update_feeds(workers=...)` in its own process, on a fresh SQLite file."""
    env = {**os.environ, "PYTHONPATH": str(BENCH_ROOT)}

    def prepare(folder: Path) -> None:
        cmd = [sys.executable, "-m", "bench.reader_peer", "add", "reader.sqlite", str(urls_file)]
        subprocess.run(cmd, cwd=folder, env=env, check=True, capture_output=True)

    def refresh(folder: Path) -> Run:
        cmd = [sys.executable, "-m", "bench.reader_peer", "update", "reader.sqlite", str(workers)]
        return run_child(cmd, cwd=folder, env=env)

    def summarize(run: Run, folder: Path) -> str:
        try:
            data = json.loads(run.stdout)
        except json.JSONDecodeError:
            return f"exit {run.returncode}: {run.stderr.strip()[-200:]}"
        return f"{data['entries']} entries, {data['broken_feeds']} broken feeds"

    return Peer(f"reader ({workers} workers)", prepare, refresh, "reader.sqlite", summarize)


# -- parsing and fetching alone ----------------------------------------------------------------


def parse_costs(docs: list[FeedDoc], repeat: int) -> dict[str, Samples | str]:
    """Seconds to parse every body once, per parser (or why a parser is missing)."""
    bodies = [d.body for d in docs]
    parsers: dict[str, Callable[[bytes], object]] = {}
    missing: dict[str, str] = {}
    try:
        import feedparser

        parsers["parse only: feedparser"] = feedparser.parse
    except ImportError:
        missing["parse only: feedparser"] = "feedparser not installed (pip install feedparser)"
    try:
        import fastfeedparser

        parsers["parse only: fastfeedparser (lxml)"] = fastfeedparser.parse
    except ImportError:
        missing["parse only: fastfeedparser (lxml)"] = "pip install fastfeedparser"
    from amity.feeds import parse_feed

    parsers["parse only: amity parse_feed (fastfeedparser + cleaning)"] = lambda body: parse_feed(
        body, "https://bench.example/"
    )
    try:
        from lxml import etree

        parsers["parse only: bare lxml tree"] = etree.fromstring
    except ImportError:
        missing["parse only: bare lxml tree"] = "pip install lxml"
    results: dict[str, Samples | str] = dict(missing)
    for label, parse in parsers.items():
        results[label] = time_call(lambda parse=parse: [parse(b) for b in bodies], repeat)
    return results


def fetch_only(urls: list[str], concurrency: int, per_host: int) -> None:
    """GET every URL with httpx (no parsing) under amity's caps: the reachable floor."""
    import asyncio

    import httpx

    async def go() -> None:
        overall = asyncio.Semaphore(concurrency)
        hosts: dict[str, asyncio.Semaphore] = {}
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(limits=limits) as client:

            async def one(url: str) -> None:
                host = hosts.setdefault(httpx.URL(url).netloc.decode(), asyncio.Semaphore(per_host))
                async with host, overall:
                    (await client.get(url)).raise_for_status()

            await asyncio.gather(*(one(u) for u in urls))

    asyncio.run(go())
