"""Timing a child process (wall time and peak memory) and summarising repeated samples."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Run:
    """One finished child process."""

    seconds: float
    peak_kib: int
    returncode: int
    stdout: str
    stderr: str
    started: float  # time.time() just before the child was spawned
    cpu: float = float("nan")  # seconds of CPU, user and system


SPAWN = Path(__file__).with_name("spawn.py")


def run_child(
    cmd: Sequence[str],
    *,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout: float = 600.0,
    **popen: object,
) -> Run:
    """Run `cmd` to completion through bench/spawn.py: its wall time, and its own peak RSS."""
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r", suffix=".json") as result,
    ):
        popen.setdefault("stdout", out)
        popen.setdefault("stderr", err)
        popen.setdefault("stdin", subprocess.DEVNULL)
        launcher = [sys.executable, "-S", str(SPAWN), result.name, *cmd]
        proc = subprocess.Popen(launcher, env=env, cwd=cwd, start_new_session=True, **popen)  # type: ignore[call-overload]
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait()
        measured = json.loads(result.read() or "null") or {}
        out.seek(0)
        err.seek(0)
        return Run(
            measured.get("seconds", float("nan")),
            measured.get("peak_kib", 0),
            code,
            out.read(),
            err.read(),
            measured.get("started", 0.0),
            measured.get("cpu", float("nan")),
        )


@dataclass
class Samples:
    """Repeated measurements of one thing (seconds), with the peak memory seen (KiB)."""

    seconds: list[float] = field(default_factory=list)
    peak_kib: int = 0

    def add(self, seconds: float, peak_kib: int = 0) -> None:
        """Record one measurement."""
        self.seconds.append(seconds)
        self.peak_kib = max(self.peak_kib, peak_kib)

    @property
    def median(self) -> float:
        """The median of the samples (NaN when there are none)."""
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def low(self) -> float:
        """The fastest sample."""
        return min(self.seconds) if self.seconds else float("nan")

    @property
    def high(self) -> float:
        """The slowest sample."""
        return max(self.seconds) if self.seconds else float("nan")


def time_call(fn, repeat: int) -> Samples:  # type: ignore[no-untyped-def]
    """Time an in-process call `repeat` times."""
    samples = Samples()
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.add(time.perf_counter() - t0)
    return samples
