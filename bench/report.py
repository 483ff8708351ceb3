"""The benchmark's results as data, and as the Markdown tables the README carries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .measure import Samples


@dataclass
class Row:
    """One measured thing (or one skipped peer, with `samples` None and the reason in `note`)."""

    label: str
    samples: Samples | None
    note: str = ""
    baseline: bool = False


@dataclass
class Section:
    """One table: rows measured in the same run, with ratios to the baseline row."""

    title: str
    baseline_name: str
    rows: list[Row] = field(default_factory=list)

    def add(self, label: str, samples: Samples | None, note: str = "", *, baseline: bool = False):
        """Append a row; returns it."""
        row = Row(label, samples, note, baseline)
        self.rows.append(row)
        return row

    def skip(self, label: str, reason: str) -> Row:
        """Record a peer or case that was not measured, and why."""
        return self.add(label, None, f"skipped: {reason}")

    @property
    def baseline(self) -> Row | None:
        """The row the others are compared to."""
        return next((r for r in self.rows if r.baseline and r.samples), None)

    def ratio(self, row: Row) -> float | None:
        """The row's median over the baseline's median."""
        base = self.baseline
        if base is None or row.samples is None or not base.samples or not base.samples.median:
            return None
        return row.samples.median / base.samples.median

    def find(self, prefix: str) -> Row | None:
        """The first measured row whose label starts with `prefix`."""
        return next((r for r in self.rows if r.samples and r.label.startswith(prefix)), None)


@dataclass
class Target:
    """One goal of the issue and where amity stands against it."""

    goal: str
    measured: str
    met: bool | None  # None: could not be measured


@dataclass
class Report:
    """Everything one run of the harness found."""

    machine: dict[str, str]
    settings: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Free-standing Markdown (the quality table): titled blocks printed after the sections.
    blocks: dict[str, str] = field(default_factory=dict)

    def section(self, title: str, baseline_name: str) -> Section:
        """Start a new table."""
        sec = Section(title, baseline_name)
        self.sections.append(sec)
        return sec

    def to_markdown(self) -> str:
        """The README form: machine, settings, one table per section, targets, notes."""
        out = ["**Machine:** " + "; ".join(f"{k} {v}" for k, v in self.machine.items()), ""]
        out.append("**Settings:** " + ", ".join(f"{k}={v}" for k, v in self.settings.items()))
        for sec in self.sections:
            out += ["", f"#### {sec.title}", ""]
            out.append(f"| | median | min | max | × {sec.baseline_name} | peak RSS | note |")
            out.append("|---|---:|---:|---:|---:|---:|---|")
            for row in sec.rows:
                out.append(_markdown_row(sec, row))
        for title, block in self.blocks.items():
            out += ["", f"#### {title}", "", block]
        if self.targets:
            out += ["", "#### Targets", "", "| goal | measured | met |", "|---|---|---|"]
            for t in self.targets:
                met = {True: "yes", False: "**no**", None: "n/a"}[t.met]
                out.append(f"| {t.goal} | {t.measured} | {met} |")
        if self.notes:
            out += ["", *[f"- {n}" for n in self.notes]]
        return "\n".join(out) + "\n"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (seconds, KiB) for scripts."""
        return {
            "machine": self.machine,
            "settings": self.settings,
            "sections": [
                {
                    "title": s.title,
                    "baseline": s.baseline_name,
                    "rows": [
                        {
                            "label": r.label,
                            "note": r.note,
                            "baseline": r.baseline,
                            "seconds": r.samples.seconds if r.samples else None,
                            "median": _num(r.samples.median) if r.samples else None,
                            "peak_kib": r.samples.peak_kib if r.samples else None,
                            "ratio": s.ratio(r),
                        }
                        for r in s.rows
                    ],
                }
                for s in self.sections
            ],
            "targets": [t.__dict__ for t in self.targets],
            "notes": self.notes,
            "blocks": self.blocks,
        }


def _num(x: float) -> float | None:
    return None if math.isnan(x) else x


def seconds(x: float) -> str:
    """A duration at a sensible precision: ms below a second."""
    if math.isnan(x):
        return "–"
    return f"{x * 1000:.1f} ms" if x < 1 else f"{x:.2f} s"


def _markdown_row(sec: Section, row: Row) -> str:
    label = f"**{row.label}**" if row.label.startswith("amity") else row.label
    if row.samples is None:
        return f"| {label} | – | – | – | – | – | {row.note} |"
    s = row.samples
    ratio = sec.ratio(row)
    peak = f"{s.peak_kib / 1024:.0f} MiB" if s.peak_kib else ""
    return (
        f"| {label} | {seconds(s.median)} | {seconds(s.low)} | {seconds(s.high)} | "
        f"{'' if ratio is None else f'{ratio:.2f}'} | {peak} | {row.note} |"
    )
