"""The package type-checks: mypy, configured in pyproject.toml, finds nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LAYERS = ("store", "feeds", "tui")


def test_mypy_finds_no_type_errors(tmp_path: Path) -> None:
    # Installed, store/ feeds/ tui/ are amity.store, amity.feeds, amity.tui (setuptools'
    # package-dir), which mypy cannot follow: give it a tree that names them so, of links to the
    # checkout. The cache lives in the checkout, so a second run checks only what changed.
    for layer in LAYERS:
        link = tmp_path / "amity" / layer
        link.parent.mkdir(exist_ok=True)
        link.symlink_to(ROOT / layer, target_is_directory=True)
    mypy = Path(sys.executable).with_name("mypy")
    run = subprocess.run(
        [
            str(mypy),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "-p",
            "amity",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no issues found" in run.stdout
