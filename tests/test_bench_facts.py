"""Run times quoted outside the chapters come from the committed benchmark (book/bench_facts.py)."""

from __future__ import annotations

import json
import re
import sys

from conftest import REPO

sys.path.insert(0, str(REPO / "book"))
import bench_facts  # noqa: E402


def test_facts_are_the_benchmark_s_numbers():
    results = json.loads((REPO / "bench" / "results.json").read_text())
    facts = bench_facts.facts(results)
    build = results["benchmarks"]["book_build"]
    assert facts["book_minutes"] == f"{build['total_seconds'] / 60:.0f}"
    slowest = max(build["chapter_execution_seconds"].values())
    assert f"{slowest / 60:.0f} (chapter" in facts["chapter_minutes"]
    assert str(results["machine"]["cores"]) in facts["bench_machine"]


def test_a_changed_benchmark_changes_the_text():
    results = json.loads((REPO / "bench" / "results.json").read_text())
    results["benchmarks"]["book_build"]["total_seconds"] = 3000
    results["benchmarks"]["book_build"]["chapter_execution_seconds"] = {"01_a": 30.0, "04_b": 600.0}
    facts = bench_facts.facts(results)
    assert facts["book_minutes"] == "50" and facts["chapter_minutes"] == "0.5 (chapter 1) to 10 (chapter 4)"


def test_the_build_s_own_machine_is_named_and_quick_results_are_refused():
    import pytest

    results = json.loads((REPO / "bench" / "results.json").read_text())
    build = results["benchmarks"]["book_build"]
    build["machine"] = dict(results["machine"], cores=64, cpu="Elsewhere", accelerator="NVIDIA H200")
    assert bench_facts.facts(results)["bench_machine"].startswith("64 CPU cores (Elsewhere)")
    assert "H200" in bench_facts.facts(results)["bench_machine"]
    build["quick_mode"] = True
    with pytest.raises(ValueError, match="quick-mode"):
        bench_facts.facts(results)


def test_the_introduction_quotes_them_and_types_no_run_time():
    intro = (REPO / "intro.md").read_text()
    used = set(re.findall(r"\{\{\s*(\w+)\s*\}\}", intro))
    assert {"chapter_minutes", "book_minutes", "bench_machine"} <= used
    assert not re.search(r"\bin (a few )?minutes\b", intro)
