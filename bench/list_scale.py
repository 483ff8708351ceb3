"""How long `amity list` takes on stores of 10,000 and 100,000 events, against `python -c pass`.

Run: /work/venv/bin/python bench/list_scale.py [--sizes 10000 100000] [--runs 5]
Not part of the test suite: numbers are reported as seconds and as ratios to the baseline.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from storegen import AMITY, make_store


def median_seconds(argv: list[str], runs: int) -> float:
    """Median wall time of `runs` runs of argv, output discarded."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    """Build the stores, time the commands, print one table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline = median_seconds([sys.executable, "-c", "pass"], args.runs)
        print(f"python -c pass: {baseline * 1000:.0f} ms (median of {args.runs})")
        print(f"{'events':>8}  {'file MB':>7}  {'command':<26}  {'median s':>8}  {'× pass':>7}")
        for size in args.sizes:
            path = Path(folder) / f"store-{size}.json"
            total = len(make_store(path, size).events())
            megabytes = path.stat().st_size / 1e6
            for label, extra in [
                ("list --json", ["--json"]),
                ("list (table)", []),
                ("list --search japan", ["--search", "japan"]),
                ("list --topic defense", ["--topic", "defense", "--since", "2020"]),
            ]:
                seconds = median_seconds([AMITY, "--db", str(path), "list", *extra], args.runs)
                print(
                    f"{total:>8}  {megabytes:>7.1f}  {label:<26}  {seconds:>8.2f}  "
                    f"{seconds / baseline:>7.1f}"
                )


if __name__ == "__main__":
    main()
