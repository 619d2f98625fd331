"""Run one chapter exactly as the book does, and record its run time and the numbers it glues.

A chapter's headline figures are the values it `glue`s into its prose, so the benchmark reads
them from the executed notebook instead of re-computing anything: prose, book and benchmark all
quote one run. Targets are a chapter's own business: it passes them in ``TARGETS`` below.
"""

from __future__ import annotations

import operator
import os
import re
import time
from pathlib import Path

import jupytext
import nbclient

CHAPTERS = Path(__file__).resolve().parent.parent / "chapters"
# Full-mode run-time targets in seconds, on the benchmark machine (issues #6, #7, #5; chapter 6
# at most 15 minutes since issue #19 counted its training in steps).
TIME_TARGETS = {"03_training_well": 600, "04_architectures": 600, "05_transfer_learning": 480,
                "06_unet_segmentation": 900}
# Targets on glued values: chapter -> {glue key: (comparison, threshold in the glued text's units)}.
VALUE_TARGETS: dict[str, dict[str, tuple[str, float]]] = {
    # Chapter 2 starts from the simplest CNN that reaches 99% test accuracy (issue #19).
    "02_first_cnn": {"simple_test_accuracy": (">=", 99.0)},
    # Chapter 3: momentum 0.9 escapes the batch-normalisation trap after one short epoch (%), and
    # all regularisers together cut the plain network's test errors by at least 10% (means over
    # the seeds, issue #19).
    "03_training_well": {"trap_inference_09": (">=", 95.0), "combined_error_ratio": ("<=", 0.9)},
    # Chapter 4: the 30-layer plain network's training loss is at least twice the residual one's
    # over the second half of training (degradation visible), and MobileNetV2 answers at least
    # twice as fast as ResNet50 at batch size 1 on the CPU, far below its 13x fewer MACs. (Three
    # times was the target until issue #19: 2.7 and 2.8 measured on the quiet 2-core benchmark
    # machine, 3.0 to 5 under load, so it sat inside the noise.)
    "04_architectures": {"plain_over_residual": (">=", 2.0), "speedup": (">=", 2.0)},
    # Chapter 5: test accuracy (%) of feature extraction alone and after fine-tuning (issue #6).
    "05_transfer_learning": {"fe_test": (">=", 93.0), "ft_test": (">=", 95.0)},
    # Chapter 6: the U-Net's pixel error on the held-out slices, threshold and registration chosen
    # on training slices (the U-Net paper: 0.0611 on the challenge's test slices).
    "06_unet_segmentation": {"pixel_error": ("<=", 0.07)},
}
COMPARISONS = {"<=": operator.le, ">=": operator.ge}


def glued_number(text: str) -> float:
    """The number in a glued text such as '95.4%', '1,234' or '0.061'."""
    match = re.search(r"-?[0-9][0-9,]*(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?", text)
    if match is None:
        raise ValueError(f"no number in glued text {text!r}")
    return float(match.group().replace(",", ""))


def glued_values(notebook) -> dict[str, str]:
    """Every value the executed notebook glued, as the text a reader sees in the page."""
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            text_key = scrapbook and scrapbook.get("mime_prefix", "") + "text/plain"
            if text_key and text_key in output.get("data", {}):
                values[scrapbook["name"]] = output["data"][text_key].strip("'\"")
    return values


def execute(chapter: str, quick: bool) -> dict:
    """Execute ``chapters/<chapter>.md`` top to bottom; its wall time and glued values."""
    notebook = jupytext.read(CHAPTERS / f"{chapter}.md")
    environment_before = os.environ.get("COURSE_QUICK")
    os.environ["COURSE_QUICK"] = "1" if quick else ""
    try:
        client = nbclient.NotebookClient(notebook, timeout=1800, kernel_name="python3",
                                         resources={"metadata": {"path": str(CHAPTERS)}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        if environment_before is None:
            os.environ.pop("COURSE_QUICK", None)
        else:
            os.environ["COURSE_QUICK"] = environment_before
    figures = {"chapter": chapter, "run_seconds": round(seconds, 1), "glued": glued_values(notebook)}
    target = TIME_TARGETS.get(chapter)
    if target is not None:
        figures["run_seconds_target"] = target
        figures["run_time_target_met"] = (not quick) and seconds <= target
    checks = {}
    for key, (comparison, threshold) in VALUE_TARGETS.get(chapter, {}).items():
        value = glued_number(figures["glued"][key])
        checks[key] = {"value": value, "target": f"{comparison} {threshold}",
                       "met": (not quick) and COMPARISONS[comparison](value, threshold)}
    if checks:
        figures["value_targets"] = checks
    return figures

