"""The benchmark harness runs end to end (one feed, one run, tiny stores) and reports every part.

Timings are not asserted (they belong to `python -m bench`, as ratios); the report's shape is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


def test_bench_quick_run_reports_every_section(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench",
            "--quick",
            "--feeds=1",
            "--latency=0.01",
            "--events=200",
            "--list-events=200",
            "--interact-events=200",
            "--relevant-feeds=2",
            "--large-events=200",
            "--no-peers",
            # The earlier amity of the baseline part: this very commit, checked out again.
            *("--against=HEAD", "--baseline-feeds=2", "--pair-runs=1"),
            # The quality scorer refreshes the whole labelled corpus (minutes on a loaded
            # machine); the timing harness is what this test runs end to end.
            *("--only=refresh", "--only=relevant", "--only=baseline", "--only=app", "--only=list"),
            f"--json={out}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text())

    assert {"CPU", "Python", "amity", "textual", "newsboat", "reader"} <= report["machine"].keys()
    titles = [s["title"] for s in report["sections"]]
    starts = ("Refresh: 1 feeds", "No-change refresh", "Refresh, all relevant: 2 feeds")
    starts += ("Refresh of the same 2", "App start-up", "Interaction", "Head")
    starts += ("Refresh against an earlier amity",)
    for start in starts:
        assert any(t.startswith(start) for t in titles), (start, titles)

    for section in report["sections"]:
        baselines = [r for r in section["rows"] if r["baseline"]]
        assert len(baselines) == 1 and baselines[0]["median"] > 0, section["title"]
        for row in section["rows"]:
            # Every row is either measured, or skipped with its reason.
            assert row["seconds"] or row["note"].startswith("skipped: "), row

    rows = {r["label"]: r for s in report["sections"] for r in s["rows"]}
    assert rows["amity refresh (16)"]["seconds"], rows["amity refresh (16)"]["note"]
    assert rows["amity, 200 events"]["seconds"]
    assert rows["amity list --json, 200 events"]["peak_kib"] > 0
    assert rows["newsboat"]["note"] == "skipped: --no-peers"
    assert "SKIPPED newsboat: --no-peers" in proc.stderr  # a missing peer is never silent
    assert "| | median | min | max |" in proc.stdout
    assert any(t["goal"].startswith("No-change refresh") for t in report["targets"])
    goals = " ".join(t["goal"] for t in report["targets"])
    for goal in ("≤ 0.6× newsboat", "into 200 events", "Peak RSS, refresh", "Peak RSS, list"):
        assert goal in goals or "newsboat" in goal, (goal, goals)
    assert rows["bare orjson parse of the store file, 200 events"]["seconds"]
    # Both amities refreshed the same feeds, and the ratio is judged against issue 8's target.
    earlier = [s for s in report["sections"] if s["title"].startswith("Refresh against")]
    assert len(earlier) == 2 and all(len(s["rows"]) == 2 for s in earlier)  # wall, CPU
    assert all(r["note"].startswith("2 ok") for r in earlier[0]["rows"])
    assert "wall time: ≤ 1.00× amity at" in goals
