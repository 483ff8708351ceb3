"""This checkout's `amity refresh` against an earlier amity's, on the same feeds in the same run:
`python -m bench --only baseline [--against REV]`. REV (by default 7375835, the amity from
before issue 8's relevance, languages and clustering) is checked out with `git worktree` into
a temporary folder and run with this interpreter's environment (its dependencies are a subset
of today's); both amities are run the same way, from a folder that names their layers as
installed (amity.store, amity.feeds, amity.tui), with their bytecode compiled first. The runs
alternate (old, new, new, old, ...) so that the machine's other load falls on both alike.
"""

from __future__ import annotations

import compileall
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import peers
from .feedserver import FeedServer
from .measure import Run, Samples
from .report import Report, Section

BEFORE_ISSUE_8 = "7375835"
LAYERS = ("store", "feeds", "tui")
RUN_AMITY = "import sys; from amity.tui.cli import main; sys.exit(main())"
TITLE = "Refresh against an earlier amity"


@contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A detached worktree of this repository at `rev`, removed afterwards."""
    root = peers.BENCH_ROOT
    with tempfile.TemporaryDirectory(prefix="amity-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        git = ["git", "-C", str(root), "worktree"]
        subprocess.run([*git, "add", "--detach", str(tree), rev], check=True, capture_output=True)
        try:
            yield tree
        finally:
            subprocess.run([*git, "remove", "--force", str(tree)], capture_output=True)


def runner(tree: Path, folder: Path) -> tuple[list[str], dict[str, str]]:
    """The command and environment that run the amity of `tree` (compiled first): a folder of
    links names its layers as installed, ahead of any installed amity on the path."""
    package = folder / "amity"
    package.mkdir(parents=True)
    for layer in LAYERS:
        (package / layer).symlink_to(tree / layer, target_is_directory=True)
        compileall.compile_dir(tree / layer, quiet=2)
    return [sys.executable, "-c", RUN_AMITY], {"PYTHONPATH": str(folder)}


def revision(rev: str) -> str:
    """`rev` as a short commit hash."""
    git = ["git", "-C", str(peers.BENCH_ROOT), "rev-parse", "--short", "--verify"]
    found = subprocess.run([*git, f"{rev}^{{commit}}"], capture_output=True, text=True)
    if found.returncode != 0:
        raise RuntimeError(
            f"{rev} is not a commit of this clone (a shallow clone lacks older ones: "
            "git fetch --unshallow, or pass --against with a commit it has)"
        )
    return found.stdout.strip()


def bench_baseline(
    report: Report,
    rev: str,
    feeds: int,
    runs: int,
    server_args: dict[str, float],
    work: Path,
    say: Callable[[str], None],
    *,
    all_relevant: bool = True,
) -> None:
    """Both amities on `feeds` feeds, 15 % relevant and (unless told not to) all relevant:
    wall and CPU time."""
    old, new = revision(rev), revision("HEAD")
    dirty = subprocess.run(
        ["git", "-C", str(peers.BENCH_ROOT), "status", "--porcelain", *LAYERS],
        capture_output=True,
        text=True,
    ).stdout.strip()
    new_label = f"amity at HEAD ({new}{' + changes' if dirty else ''})"
    with checkout(rev) as tree:
        amities = {
            f"amity at {old}": runner(tree, work / "old"),
            new_label: runner(peers.BENCH_ROOT, work / "new"),
        }
        workloads = ((None, "15 % relevant"), (1.0, "all relevant"))
        for share, name in workloads if all_relevant else workloads[:1]:
            say(f"baseline: {feeds} feeds, {name}, {new} against {old}, {runs} runs each")
            extra = {} if share is None else {"relevant": share}
            with FeedServer(feeds, **server_args, **extra) as server:  # type: ignore[arg-type]
                title = f"{TITLE} ({old}): {feeds} feeds × {server.entries} entries, {name}"
                wall = report.section(f"{title}, wall time", f"amity at {old}")
                cpu = report.section(f"{title}, CPU time", f"amity at {old}")
                folder = work / f"baseline-{share or 'standard'}"
                _, opml = peers.write_subscriptions(folder, server.urls)
                _pair(amities, opml, folder, runs, (wall, cpu), say)


def _pair(
    amities: dict[str, tuple[list[str], dict[str, str]]],
    opml: Path,
    folder: Path,
    runs: int,
    sections: tuple[Section, Section],
    say: Callable[[str], None],
) -> None:
    candidates = [
        peers.amity_peer(opml, 16, command=cmd, extra_env=env, label=label)
        for label, (cmd, env) in amities.items()
    ]
    for n, peer in enumerate(candidates):
        (folder / f"template-{n}").mkdir()
        peer.prepare(folder / f"template-{n}")  # raises: a broken checkout has no row to show
    wall = {peer.label: Samples() for peer in candidates}
    cpu = {peer.label: Samples() for peer in candidates}
    notes = {}
    for r in range(runs):
        order = list(enumerate(candidates))
        for n, peer in order if r % 2 == 0 else order[::-1]:
            state = folder / f"run-{r}-{n}"
            shutil.copytree(folder / f"template-{n}", state)
            os.sync()  # the copy's writeback is not the refresh's to pay (as in run.py)
            run = peer.refresh(state)
            # A refresh that failed did less work: it gives no row, not a fast one.
            if problem := _failed(run):
                raise RunFailed(f"{peer.label}: {problem}")
            wall[peer.label].add(run.seconds, run.peak_kib)
            cpu[peer.label].add(run.cpu, run.peak_kib)
            notes[peer.label] = peer.summarize(run, state)
            shutil.rmtree(state)
    for label in wall:
        first = label == candidates[0].label
        sections[0].add(label, wall[label], notes[label], baseline=first)
        sections[1].add(label, cpu[label], baseline=first)
    old, new = (peer.label for peer in candidates)
    for sec, what in zip(sections, ("wall", "CPU"), strict=True):
        say(f"  {what}: {new} / {old} = {sec.ratio(sec.rows[-1]) or math.nan:.2f}")


class RunFailed(RuntimeError):
    """A refresh in the comparison failed: the target is missed, not left unmeasured."""


def _failed(run: Run) -> str | None:
    """Why an `amity refresh --json` run does not count: a non-zero exit, or a feed not read."""
    if run.returncode != 0:
        return f"exit {run.returncode}: {run.stderr.strip()[-200:]}"
    try:
        feeds = json.loads(run.stdout).get("feeds", [])
    except (json.JSONDecodeError, AttributeError):
        return "no JSON report"
    bad = [f"{f.get('url')}: {f.get('status')}" for f in feeds if f.get("status") != "ok"]
    return f"{len(bad)} feeds not read, e.g. {bad[0]}" if bad else None
