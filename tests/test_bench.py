"""The benchmark harness runs, and the committed results describe a real run."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.slow


def test_quick_race_writes_a_complete_result(tmp_path, shared_data):
    out = tmp_path / "results.json"
    env = {"COURSE_QUICK": "1", "COURSE_DATA_DIR": str(shared_data), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "bench", "mnist_race", "--out", str(out)], cwd=REPO, env=env,
                   check=True, capture_output=True, timeout=600)
    race = json.loads(out.read_text())["benchmarks"]["mnist_race"]
    assert race["quick_mode"] is True and race["target_met"] is False  # one epoch on a subset
    for name in ("chapter2_cnn", "keras_recipe"):
        epochs = race[name]["per_epoch"]
        assert len(epochs) == 1 and 0.1 < epochs[0]["test_accuracy"] <= 1 and epochs[0]["train_seconds"] > 0


def test_unknown_benchmark_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bench", "no_such_thing", "--out", str(tmp_path / "r.json")],
                            cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "unknown benchmark" in result.stderr


def test_committed_results_come_from_a_full_run():
    results = json.loads((REPO / "bench" / "results.json").read_text())
    assert {"cpu", "cores", "memory_gib", "libraries"} <= set(results["machine"])
    race = results["benchmarks"]["mnist_race"]
    assert race["quick_mode"] is False
    assert race["chapter2_cnn"]["epochs"] >= 2 and race["keras_recipe"]["epochs"] == 15
    ours = race["chapter2_cnn"]
    reached = [e for e in ours["per_epoch"] if e["test_accuracy"] >= 0.992]
    assert race["target_met"] == bool(
        reached and race["time_ratio_chapter_to_recipe"] <= 0.5 and ours["final_test_accuracy"] >= 0.994
    )
