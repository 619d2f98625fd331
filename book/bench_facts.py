"""Sphinx extension: what the book says about its own run times, read from the benchmark.

Prose outside the chapters (the introduction) cannot glue values from executed code, so claims
such as "the chapters run in 0.1 to 9 minutes" come from ``bench/results.json`` (the committed
``make bench`` results) as MyST substitutions, e.g. ``{{ chapter_minutes }}``: one measurement,
quoted everywhere, never typed by hand.
"""

from __future__ import annotations

import json
from pathlib import Path


def facts(results: dict) -> dict[str, str]:
    """Substitutions from the benchmark results: the machine the book was built on, each
    chapter's run time and the whole build's, in minutes."""
    build = results["benchmarks"]["book_build"]
    if build.get("quick_mode"):
        raise ValueError("bench/results.json holds a quick-mode book_build: its times mean nothing; "
                         "rerun `make bench NAME=book_build`")
    # The machine of that run (older results recorded it only once, for the whole file).
    machine = build.get("machine") or results["machine"]
    seconds = build["chapter_execution_seconds"]
    fastest, slowest = min(seconds, key=seconds.get), max(seconds, key=seconds.get)
    memory = f", {machine['memory_gib']:g} GiB" if machine.get("memory_gib") else ""
    accelerator = machine.get("accelerator", "")
    accelerator = "no GPU" if accelerator.startswith("none") else accelerator
    return {
        "bench_machine": f"{machine['cores']} CPU cores ({machine['cpu']}){memory}"
                         + (f", {accelerator}" if accelerator else ""),
        "chapter_minutes": f"{seconds[fastest] / 60:.1f} (chapter {int(fastest[:2])}) to "
                           f"{seconds[slowest] / 60:.0f} (chapter {int(slowest[:2])})",
        "book_minutes": f"{build['total_seconds'] / 60:.0f}",
    }


def _add_substitutions(app, config) -> None:
    results = json.loads((Path(app.srcdir) / "bench" / "results.json").read_text())
    config.myst_substitutions = {**facts(results), **(config.myst_substitutions or {})}


def setup(app):
    app.connect("config-inited", _add_substitutions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
