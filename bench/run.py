"""Run the benchmarks and print the Markdown report: `python -m bench [--quick] [--only WHAT]`.

Every number is measured in this run, on this machine, next to its baseline (the network floor,
a bare Textual app, `python -c pass`), and reported as median, min and max of several runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # `python bench/run.py`: make `bench` importable as a package
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "bench"

from . import app_probe, baseline, machine, peers, quality
from .feedserver import FeedServer
from .measure import Samples, run_child, time_call
from .report import Report, Row, Section, Target, seconds

WHAT = ("refresh", "relevant", "baseline", "app", "list", "quality")
# quality is a score, not a timing: it runs when asked for by name.
DEFAULT_WHAT = ("refresh", "relevant", "baseline", "app", "list")
NO_NEWSBOAT = "newsboat not installed (apt-get install newsboat)"
NO_READER = "reader not installed (pip install reader sgmllib3k)"
Say = Callable[[str], None]


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; --quick shrinks every size and runs once."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small sizes, one run: a quick check")
    p.add_argument("--only", action="append", choices=WHAT, help="run only this part (repeat)")
    p.add_argument("--feeds", type=_ints, help="feed counts (default 50,200)")
    p.add_argument("--entries", type=int, default=50, help="entries per feed (default 50)")
    p.add_argument("--latency", type=float, default=0.1, help="server latency, s (default 0.1)")
    p.add_argument("--hosts", type=int, default=16, help="loopback hosts serving (default 16)")
    p.add_argument("--concurrency", type=int, default=16, help="fetch concurrency (default 16)")
    p.add_argument("--events", type=_ints, help="start-up sizes (default 1000,10000,100000)")
    p.add_argument("--list-events", type=_ints, help="list sizes (default 10000,100000)")
    p.add_argument(
        "--relevant-feeds", type=int, help="all-relevant feeds (default 100; --quick 20)"
    )
    p.add_argument(
        "--large-events", type=int, help="events of the large store refreshed (default 100000)"
    )
    p.add_argument(
        "--against",
        default=baseline.BEFORE_ISSUE_8,
        help=f"the earlier amity the baseline part runs (default {baseline.BEFORE_ISSUE_8})",
    )
    p.add_argument("--baseline-feeds", type=int, help="baseline feeds (default 100; --quick 20)")
    p.add_argument("--pair-runs", type=int, help="runs of each amity, baseline (default 6)")
    p.add_argument("--interact-events", type=int, help="interaction size (default 100000)")
    p.add_argument("--runs", type=int, help="runs of app and list measurements (default 5)")
    p.add_argument("--refresh-runs", type=int, help="runs of each refresh (default 3)")
    p.add_argument("--no-peers", action="store_true", help="skip newsboat and reader")
    p.add_argument("--out", type=Path, help="also write the Markdown report here")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the work folder (stores, states)")
    args = p.parse_args(argv)
    quick = args.quick
    args.only = args.only or list(DEFAULT_WHAT)
    args.feeds = args.feeds or ([20] if quick else [50, 200])
    args.events = args.events or ([1000, 10000] if quick else [1000, 10000, 100000])
    args.list_events = args.list_events or ([1000, 10000] if quick else [10000, 100000])
    args.interact_events = args.interact_events or (10000 if quick else 100000)
    args.relevant_feeds = args.relevant_feeds or (20 if quick else 100)
    args.large_events = args.large_events or (10000 if quick else 100000)
    args.runs = args.runs or (1 if quick else 5)
    args.refresh_runs = args.refresh_runs or (1 if quick else 3)
    args.baseline_feeds = args.baseline_feeds or (20 if quick else 100)
    args.pair_runs = args.pair_runs or (2 if quick else 6)
    return args


def _signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


# -- 1, 2: refresh -----------------------------------------------------------------------------


def bench_refresh(report: Report, args: argparse.Namespace, work: Path, say: Say) -> None:
    """Full and no-change refresh of N local feeds: amity, newsboat, reader, floor, parsers."""
    conc = args.concurrency
    amity_missing = peers.amity_refresh_missing()
    newsboat = None if args.no_peers else peers.newsboat_version()
    reader = None if args.no_peers else peers.reader_version()
    for n in args.feeds:
        say(f"refresh: {n} feeds, {args.entries} entries each, {args.latency * 1000:g} ms latency")
        with FeedServer(n, entries=args.entries, hosts=args.hosts, latency=args.latency) as server:
            folder = work / f"refresh-{n}"
            urls_file, opml = peers.write_subscriptions(folder, server.urls)
            size = sum(len(d.body) for d in server.docs)
            full = report.section(
                f"Refresh: {n} feeds × {args.entries} entries ({size / 1e6:.1f} MB), "
                f"{args.latency * 1000:g} ms latency, {server.hosts} hosts",
                "floor",
            )
            again = report.section(
                f"No-change refresh (every feed answers 304): {n} feeds", "floor"
            )
            _add_floor((full, again), args.latency, n, conc)
            versions = {"newsboat": newsboat, "reader": reader}
            candidates = _candidates(
                say, (full, again), args, (urls_file, opml), amity_missing, versions, (None, conc)
            )
            _run_peers(candidates, server, folder, args.refresh_runs, full, again, say)
            _add_fetch_only(full, server, conc, args.refresh_runs)
            for label, result in peers.parse_costs(server.docs, args.refresh_runs).items():
                if isinstance(result, str):
                    _skip(say, (full,), label, result)
                else:
                    full.add(label, result, f"{n * args.entries} entries, in one process")


def _candidates(
    say: Say,
    sections: tuple[Section, ...],
    args: argparse.Namespace,
    subscriptions: tuple[Path, Path],
    amity_missing: str | None,
    versions: dict[str, str | None],
    newsboat_threads: tuple[int | None, ...],
) -> list[peers.Peer]:
    """The refreshers to compare: amity, newsboat with each of `newsboat_threads` (None: its
    default) and, when `versions` names it, reader; one that cannot run (no version) is
    reported as skipped in `sections`."""
    urls_file, opml = subscriptions
    conc = args.concurrency
    candidates: list[peers.Peer] = []
    if amity_missing:
        _skip(say, sections, f"amity refresh ({conc})", amity_missing)
    else:
        candidates.append(peers.amity_peer(opml, conc))
    if versions["newsboat"]:
        candidates += [peers.newsboat_peer(urls_file, n) for n in newsboat_threads]
    else:
        label = f"newsboat ({conc} threads)" if newsboat_threads == (conc,) else "newsboat"
        _skip(say, sections, label, "--no-peers" if args.no_peers else NO_NEWSBOAT)
    if "reader" in versions:
        if versions["reader"]:
            candidates.append(peers.reader_peer(urls_file, conc))
        else:
            why = "--no-peers" if args.no_peers else NO_READER
            _skip(say, sections, f"reader ({conc} workers)", why)
    return candidates


def _add_floor(sections: tuple[Section, ...], latency: float, n: int, conc: int) -> None:
    """The baseline row of a refresh: no refresh of `n` feeds, `conc` at a time, can beat it."""
    floor = latency * math.ceil(n / conc)
    for sec in sections:
        sec.add(f"network floor: {latency:g} s × ⌈{n}/{conc}⌉", Samples([floor]), baseline=True)


def _add_fetch_only(full: Section, server: FeedServer, conc: int, runs: int) -> None:
    """The row of httpx fetching every feed with nothing else: what the network part costs."""
    fetch = time_call(lambda: peers.fetch_only(server.urls, conc, 2), runs)
    full.add(f"fetch only: httpx, {conc} at a time, 2 per host", fetch, "no parsing, no store")


def _skip(say: Say, sections: tuple[Section, ...], label: str, reason: str) -> None:
    say(f"  SKIPPED {label}: {reason}")
    for sec in sections:
        sec.skip(label, reason)


@dataclass
class _Twice:
    """A peer's first (full) and second (no-change) refreshes over several runs."""

    first: Samples = field(default_factory=Samples)
    second: Samples = field(default_factory=Samples)
    notes: list[str] = field(default_factory=lambda: ["", ""])
    rewrites: int = 0  # runs in which the no-change refresh rewrote the state file


def _run_peers(
    candidates: list[peers.Peer],
    server: FeedServer,
    folder: Path,
    runs: int,
    full: Section,
    again: Section,
    say: Say,
) -> dict[str, _Twice]:
    """Refresh twice with each peer on a fresh copy of its state, `runs` times: the first
    refresh into `full`, the second (every feed answers 304) into `again`."""
    results = _refresh_twice(candidates, server, folder, runs, (full, again), say)
    for label, twice in results.items():
        full.add(label, twice.first, twice.notes[0])
        again.add(label, twice.second, twice.notes[1])
    return results


def _refresh_twice(
    candidates: list[peers.Peer],
    server: FeedServer,
    folder: Path,
    runs: int,
    sections: tuple[Section, ...],
    say: Say,
) -> dict[str, _Twice]:
    templates: dict[str, Path] = {}
    for i, peer in enumerate(candidates):
        tmpl = folder / f"template-{i}"
        tmpl.mkdir(parents=True)
        try:
            peer.prepare(tmpl)
        except Exception as exc:  # a broken peer is reported, the others still run
            _skip(say, sections, peer.label, f"setup failed: {exc}")
            continue
        templates[peer.label] = tmpl
    results = {label: _Twice() for label in templates}
    for r in range(runs):
        for peer in candidates:
            if peer.label not in templates:
                continue
            twice = results[peer.label]
            state = folder / f"run-{r}"
            copy = os.link if peer.linked else shutil.copy2
            shutil.copytree(templates[peer.label], state, copy_function=copy)
            # The copy's own writeback (a 100k-event store and its view: 220 MB) is the
            # harness's work, not the refresher's: left running, it stalls the fsync of the
            # refresh that follows (+0.5 s at 100k events, interleaved runs).
            os.sync()
            server.stats(reset=True)
            first = peer.refresh(state)
            served = server.stats(reset=True)
            before = _signature(state / peer.state_file)
            second = peer.refresh(state)
            served_again = server.stats(reset=True)
            rewritten = _signature(state / peer.state_file) != before
            twice.rewrites += rewritten
            twice.first.add(first.seconds, first.peak_kib)
            twice.second.add(second.seconds, second.peak_kib)
            twice.notes[0] = f"{peer.summarize(first, state)}; server: {served['ok']}×200"
            twice.notes[1] = (
                f"server: {served_again['not_modified']}×304, {served_again['ok']}×200; "
                f"state file {'REWRITTEN' if rewritten else 'not rewritten'}; "
                f"store writes: {twice.rewrites} in {r + 1} runs"
            )
            say(
                f"  run {r + 1}/{runs} {peer.label}: {first.seconds:.2f} s, "
                f"again {second.seconds:.2f} s"
            )
            shutil.rmtree(state)
    return results


# -- the all-relevant and the large-store workloads --------------------------------------------

RELEVANT = "all relevant"


def bench_relevant(report: Report, args: argparse.Namespace, work: Path, say: Say) -> None:
    """Feeds whose every item concerns the pair (a news search, a ministry's feed): amity
    beside newsboat (16 threads), httpx alone and the floor; then the same refresh into a large
    store against an empty one."""
    n, conc = args.relevant_feeds, args.concurrency
    say(f"relevant: {n} all-relevant feeds, {args.entries} entries each")
    amity_missing = peers.amity_refresh_missing()
    newsboat = None if args.no_peers else peers.newsboat_version()
    server_args = {"entries": args.entries, "hosts": args.hosts, "latency": args.latency}
    with FeedServer(n, relevant=1.0, **server_args) as server:
        folder = work / "relevant"
        urls_file, opml = peers.write_subscriptions(folder, server.urls)
        size = sum(len(d.body) for d in server.docs)
        full = report.section(
            f"Refresh, {RELEVANT}: {n} feeds × {args.entries} entries that all concern the pair "
            f"({size / 1e6:.1f} MB), {args.latency * 1000:g} ms latency, {conc} at a time",
            "floor",
        )
        again = report.section(f"No-change refresh, {RELEVANT}: {n} feeds", "floor")
        _add_floor((full, again), args.latency, n, conc)
        versions = {"newsboat": newsboat}
        candidates = _candidates(
            say, (full, again), args, (urls_file, opml), amity_missing, versions, (conc,)
        )
        empty = _run_peers(candidates, server, folder, args.refresh_runs, full, again, say)
        _add_fetch_only(full, server, conc, args.refresh_runs)
        if not amity_missing:
            _bench_large(report, args, work, server, opml, empty, say)


def _bench_large(
    report: Report,
    args: argparse.Namespace,
    work: Path,
    server: FeedServer,
    opml: Path,
    empty: dict[str, _Twice],
    say: Say,
) -> None:
    count, conc = args.large_events, args.concurrency
    say(f"relevant: the same refresh into a store of {count:,} events")
    label = f"amity refresh ({conc})"
    sec = report.section(
        f"Refresh of the same {len(server.urls)} {RELEVANT} feeds into a store of {count:,} events",
        "into an empty store",
    )
    if label in empty:
        sec.add("amity refresh, into an empty store", empty[label].first, baseline=True)
        sec.add("amity no-change refresh, empty store", empty[label].second, empty[label].notes[1])
    peer = peers.amity_peer(opml, conc, store=build_store(work, count))
    large = _refresh_twice([peer], server, work / "large", args.refresh_runs, (sec,), say)
    for twice in large.values():
        sec.add(f"amity refresh, into {count:,} events", twice.first, twice.notes[0])
        sec.add(f"amity no-change refresh, {count:,} events", twice.second, twice.notes[1])


def bench_baseline(report: Report, args: argparse.Namespace, work: Path, say: Say) -> None:
    """This amity's refresh against the one at `--against`, interleaved in this run (--quick:
    the 15 % relevant workload alone)."""
    server_args = {"entries": args.entries, "hosts": args.hosts, "latency": args.latency}
    try:
        baseline.bench_baseline(
            report,
            args.against,
            args.baseline_feeds,
            args.pair_runs,
            server_args,
            work,
            say,
            all_relevant=not args.quick,
        )
    except (subprocess.CalledProcessError, RuntimeError) as exc:
        why = getattr(exc, "stderr", None) or str(exc)
        say(f"  SKIPPED baseline: {why}")
        report.notes.append(f"{baseline.TITLE} ({args.against}): skipped: {str(why).strip()}")
        # A refused run is a miss in the Targets table, not a target that quietly went away.
        failed = isinstance(exc, baseline.RunFailed)
        report.targets.append(
            Target(
                f"Refresh not slower than amity at {args.against}",
                f"{'failed' if failed else 'not measured'}: {str(why).strip()[:200]}",
                False if failed else None,
            )
        )


# -- 3, 4: the app -----------------------------------------------------------------------------


def build_store(work: Path, count: int) -> Path:
    """A store with the curated timeline plus `count` synthetic events (made once per size),
    as refreshed before under today's rules (the default config's), so that a refresh into it
    takes new articles instead of judging the stored ones again."""
    from amity.feeds.classify import rules_fingerprint
    from amity.store import Config, Store

    from .synth import make_events

    path = work / "stores" / f"events-{count}.json"
    if not path.exists():
        with Store.open(path).transaction() as txn:
            txn.put_events(make_events(count))
            txn.update_meta(rules=rules_fingerprint(Config()))
    return path


def bench_app(report: Report, args: argparse.Namespace, work: Path, say: Say) -> None:
    """Start-up to first paint against a bare Textual app; interaction timings inside the app."""
    say("app: start-up to first paint")
    sec = report.section(
        f"App start-up to first paint ({app_probe.SIZE[0]}×{app_probe.SIZE[1]} pty)",
        "bare Textual",
    )
    stores = {n: build_store(work, n) for n in args.events}
    bare = Samples()
    amity = {n: Samples() for n in args.events}
    failures: dict[int, str] = {}
    for _ in range(args.runs):
        run, painted = app_probe.startup_in_pty("bare", None, work)
        if painted is not None:
            bare.add(painted, run.peak_kib)
        for n, store in stores.items():
            run, painted = app_probe.startup_in_pty("amity", store, work)
            if painted is None:
                failures[n] = f"exit {run.returncode}, never painted"
            else:
                amity[n].add(painted, run.peak_kib)
    sec.add("bare Textual app, one label", bare, baseline=True)
    for n in args.events:
        sec.add(f"amity, {n:,} events", amity[n], failures.get(n, ""))
    n = args.interact_events
    say(f"app: interaction at {n:,} events")
    inter = report.section(f"Interaction at {n:,} events, inside the app (key → repaint)", "target")
    inter.add("target: 50 ms (a frame and a half)", Samples([0.05]), baseline=True)
    run, times = app_probe.interact(build_store(work, n), max(args.runs, 3), work)
    if times is None:
        inter.skip("amity interactions", f"probe failed: {run.stderr.strip()[-300:]}")
        return
    labels = {
        "toggle": "amity: topic toggle (key 1)",
        "search": "amity: one-letter search (/ then j)",
        "jump": "amity: jump to the oldest year (palette)",
        "filter_topic": "amity: re-filter alone, topic (no repaint)",
        "filter_search": "amity: re-filter alone, search 'j' (no repaint)",
    }
    for key, label in labels.items():
        samples = Samples()
        for t in times[key]:
            samples.add(t, run.peak_kib)
        inter.add(label, samples, "peak RSS of the whole app process")


# -- 5: the headless list ----------------------------------------------------------------------


LIST_FORMS = {
    "--json": ["--json"],
    "(table)": [],
    "--search japan": ["--search", "japan"],
    "--topic defense --since 2020": ["--topic", "defense", "--since", "2020"],
}


BARE_PARSE = "import sys, orjson; orjson.loads(open(sys.argv[1], 'rb').read())"


def bench_list(report: Report, args: argparse.Namespace, work: Path, say: Say) -> None:
    """`amity list` as JSON, as the table, searched and by topic, against `python -c pass`."""
    say("list: amity list")
    sec = report.section("Headless `amity list` (stdout to /dev/null)", "python -c pass")
    base = Samples()
    stores = {n: build_store(work, n) for n in args.list_events}
    amity = {(n, form): Samples() for n in stores for form in LIST_FORMS}
    notes = {n: f"store file {store.stat().st_size / 1e6:.1f} MB" for n, store in stores.items()}
    codes: dict[tuple[int, str], str] = {}
    parse = {n: Samples() for n in stores}
    for _ in range(args.runs):
        run = run_child([sys.executable, "-c", "pass"])
        base.add(run.seconds, run.peak_kib)
        for n, store in stores.items():
            run = run_child([sys.executable, "-c", BARE_PARSE, str(store)])
            parse[n].add(run.seconds, run.peak_kib)
        for (n, form), samples in amity.items():
            cmd = [*peers.amity_command(), "--db", str(stores[n]), "list", *LIST_FORMS[form]]
            run = run_child(cmd, stdout=subprocess.DEVNULL)
            samples.add(run.seconds, run.peak_kib)
            if run.returncode:
                codes[n, form] = f"exit {run.returncode}: {run.stderr.strip()[-200:]}"
    sec.add("python -c pass", base, baseline=True)
    for n in stores:
        sec.add(f"bare orjson parse of the store file, {n:,} events", parse[n], notes[n])
    for (n, form), samples in amity.items():
        sec.add(f"amity list {form}, {n:,} events", samples, codes.get((n, form), notes[n]))


# -- targets -----------------------------------------------------------------------------------


def judge(report: Report, args: argparse.Namespace) -> None:
    """The issues' targets, each with the measurement it rests on."""
    targets = report.targets
    for sec in report.sections:
        amity = sec.find("amity refresh")
        if sec.title.startswith("Refresh:") and amity:
            _judge_standard_refresh(sec, amity, args.concurrency, targets)
        if sec.title.startswith(f"Refresh, {RELEVANT}") and amity:
            ratio = sec.ratio(amity) or math.nan
            name = sec.title.split(" (")[0]
            targets.append(_within(f"{name}: ≤ 2× the floor", amity, ratio, 2.0))
            other = sec.find(f"newsboat ({args.concurrency} threads)")
            if other:
                ratio = amity.samples.median / other.samples.median
                targets.append(_within(f"{name}: ≤ 0.6× newsboat-16", amity, ratio, 0.6))
        if sec.title.startswith("No-change") and amity:
            full = next(
                s for s in report.sections if s.title.startswith(_full_title(sec.title))
            ).find("amity refresh")
            where = sec.title.rsplit(": ", 1)[1]
            targets.append(
                _no_change(f"{RELEVANT}, {where}" if RELEVANT in sec.title else where, amity, full)
            )
        if sec.title.startswith("Refresh of the same"):
            into_large = sec.find(f"amity refresh, into {args.large_events:,}")
            if into_large:
                name = sec.title.split(" feeds")[0].replace("Refresh of the same ", "")
                ratio = sec.ratio(into_large) or math.nan
                goal = f"Refresh of {name} feeds into {args.large_events:,} events: ≤ 1.3× empty"
                targets.append(_within(goal, into_large, ratio, 1.3))
                targets.append(
                    _peak(f"Peak RSS, refresh at {args.large_events:,}", into_large, 300)
                )
            no_change = sec.find(f"amity no-change refresh, {args.large_events:,}")
            if no_change:
                targets.append(
                    _no_change(f"at {args.large_events:,} events", no_change, into_large)
                )
        wall = sec.title.startswith(baseline.TITLE) and sec.title.endswith("wall time")
        if wall and sec.baseline and sec.rows[-1].samples:  # issue 8: "not slower"
            new = sec.rows[-1]
            ratio = sec.ratio(new) or math.nan
            goal = f"{sec.title.split(': ', 1)[1]}: ≤ 1.00× {sec.baseline_name}"
            targets.append(_within(goal, new, ratio, 1.0))
        if sec.title.startswith("App start-up"):
            for n, limit in ((10000, 1.3), (100000, 1.5)):
                row = sec.find(f"amity, {n:,} events")
                if row:
                    ratio = sec.ratio(row) or math.nan
                    goal = f"First paint, {n:,} events: ≤ {limit:g}× bare Textual"
                    targets.append(_within(goal, row, ratio, limit))
            big = f"{max(args.events):,}"
            row = sec.find(f"amity, {big} events")
            if row:
                targets.append(_peak(f"Peak RSS, app at {big}", row, 150))
        if sec.title.startswith("Interaction"):
            for prefix in ("amity: topic toggle", "amity: one-letter search"):
                row = sec.find(prefix)
                if row:
                    targets.append(
                        Target(
                            f"{prefix[7:].capitalize()}, {sec.title.split(', ')[0][12:]}: < 50 ms",
                            seconds(row.samples.median),
                            row.samples.median < 0.05,
                        )
                    )
        if sec.title.startswith("Headless"):
            big = f"{max(args.list_events):,}"
            row = sec.find(f"amity list --json, {big} events")
            bare = sec.find(f"bare orjson parse of the store file, {big} events")
            if row and bare:
                ratio = row.samples.median / bare.samples.median
                goal = f"`list --json`, {big} events: ≤ 0.5× a bare orjson parse of the store"
                targets.append(_within(goal, row, ratio, 0.5))
            if row:
                targets.append(_peak(f"Peak RSS, list at {big}", row, 150))


def _full_title(no_change_title: str) -> str:
    # "No-change refresh (every feed answers 304): 50 feeds" -> "Refresh: 50 "
    # "No-change refresh, all relevant: 100 feeds" -> "Refresh, all relevant: 100 "
    n = no_change_title.rsplit(":", 1)[1].split()[0]
    if RELEVANT in no_change_title:
        return f"Refresh, {RELEVANT}: {n} "
    return f"Refresh: {n} "


def _within(goal: str, row: Row, ratio: float, limit: float) -> Target:
    return Target(goal, f"{ratio:.2f}× ({seconds(row.samples.median)})", ratio <= limit)


def _peak(goal: str, row: Row, mib: int) -> Target:
    peak = row.samples.peak_kib / 1024
    return Target(f"{goal}: ≤ {mib} MiB", f"{peak:.0f} MiB", 0 < peak <= mib)


def _no_change(where: str, row: Row, full: Row | None) -> Target:
    writes = row.note.split("store writes: ")[-1] if "store writes" in row.note else "?"
    if full is None:
        return Target(f"No-change refresh, {where}: ≤ 0.3× a full one", "no full refresh", None)
    ratio = row.samples.median / full.samples.median
    return Target(
        f"No-change refresh, {where}: ≤ 0.3× a full one, 0 store writes",
        f"{ratio:.2f}× ({seconds(row.samples.median)} vs {seconds(full.samples.median)}); "
        f"store writes: {writes}",
        ratio <= 0.3 and writes.startswith("0 "),
    )


def _judge_standard_refresh(sec: Section, amity: Row, conc: int, targets: list[Target]) -> None:
    ratio = sec.ratio(amity) or math.nan
    name = sec.title.split(",")[0]
    targets.append(_within(f"{name}: within 1.5× of the floor", amity, ratio, 1.5))
    for peer in (f"newsboat ({conc} threads)", f"reader ({conc} workers)"):
        other = sec.find(peer)
        if other:
            targets.append(
                Target(
                    f"{name}: faster than {peer}",
                    f"{seconds(amity.samples.median)} vs {seconds(other.samples.median)}",
                    amity.samples.median < other.samples.median,
                )
            )


# -- the whole run -----------------------------------------------------------------------------


def run(args: argparse.Namespace, say: Say) -> Report:
    """Measure what `args` asks for; returns the report."""
    settings = {
        "runs": args.runs,
        "refresh runs": args.refresh_runs,
        "concurrency": args.concurrency,
        "latency": f"{args.latency * 1000:g} ms",
        "entries/feed": args.entries,
        "amity's bytecode": peers.compile_amity(),
    }
    report = Report(machine.describe(), settings)
    say("machine: " + "; ".join(f"{k} {v}" for k, v in report.machine.items()))
    work = Path(tempfile.mkdtemp(prefix="amity-bench-"))
    try:
        if "refresh" in args.only:
            bench_refresh(report, args, work, say)
        if "relevant" in args.only:
            bench_relevant(report, args, work, say)
        if "baseline" in args.only:
            bench_baseline(report, args, work, say)
        if "app" in args.only:
            bench_app(report, args, work, say)
        if "list" in args.only:
            bench_list(report, args, work, say)
        if "quality" in args.only:
            title = "Quality on the labelled corpus (bench/corpus, one refresh)"
            report.blocks[title] = quality.run(work, say)
    finally:
        if args.keep:
            say(f"work folder kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    judge(report, args)
    return report


def main(argv: list[str] | None = None) -> int:
    """Entry point: progress on stderr, the Markdown report on stdout (and --out/--json)."""
    args = parse_args(argv)

    def say(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    report = run(args, say)
    text = report.to_markdown()
    print(text)
    if args.out:
        args.out.write_text(text)
    if args.json:
        args.json.write_text(json.dumps(report.to_dict(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
