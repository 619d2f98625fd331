"""Run the named benchmarks and merge their figures into bench/results.json.

    python -m bench                 # every benchmark
    python -m bench mnist_race      # one of them
    python -m bench chapter_05      # one chapter, executed in full as the book does
    python -m bench book_build      # the whole book built as `make book` does, then rebuilt cached
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import os
import platform
import sys
from importlib import metadata
from pathlib import Path

from bench import chapters
from cnncourse import notebook, quick_mode

BENCHMARKS = {"mnist_race": "bench.mnist_race", "grading_race": "bench.grading_race", "book_build": "bench.book_build",
              "report_scale": "bench.report_scale", "grading_scale": "bench.grading_scale",
              "check_speed": "bench.check_speed"}
# Every chapter is a benchmark of its own: run time and the figures it quotes.
CHAPTER_BENCHMARKS = {f"chapter_{path.stem[:2]}": path.stem for path in sorted(chapters.CHAPTERS.glob("*.md"))}
RESULTS = Path(__file__).with_name("results.json")


def machine() -> dict:
    cpu = platform.processor()
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        memory_gib = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError, AttributeError):
        memory_gib = None
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": memory_gib, "accelerator": "none (CPU only)",
        "os": platform.platform(), "python": platform.python_version(),
        "libraries": {name: metadata.version(name) for name in ("tensorflow-cpu", "keras", "numpy") if _installed(name)},
    }


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
        return True
    except metadata.PackageNotFoundError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"benchmarks to run, of {sorted(BENCHMARKS)} (default: all)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results file to update")
    args = parser.parse_args(argv)
    known = {**BENCHMARKS, **CHAPTER_BENCHMARKS}
    unknown = sorted(set(args.names) - set(known))
    if unknown:
        parser.error(f"unknown benchmark(s) {unknown}; choose from {sorted(known)}")
    notebook.setup()
    quick = quick_mode()
    results = json.loads(args.out.read_text()) if args.out.exists() else {"benchmarks": {}}
    for name in args.names or known:
        print(f"{name}:", flush=True)
        if name in CHAPTER_BENCHMARKS:
            figures = chapters.execute(CHAPTER_BENCHMARKS[name], quick=quick)
        else:
            figures = importlib.import_module(BENCHMARKS[name]).run(quick=quick)
        figures["when"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        figures["quick_mode"] = quick
        figures["machine"] = machine()  # each result keeps its own: others may run elsewhere later
        results["benchmarks"][name] = figures
        print(json.dumps({k: v for k, v in figures.items() if not isinstance(v, dict)}, indent=2))
    results["machine"] = machine()
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
