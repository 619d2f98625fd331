"""Run the upgrade canary and write its report (``make canary``).

    python -m canary                       # everything, in a fresh .canary/ environment
    python -m canary --keep                # reuse .canary/ if it exists (upgraded, not rebuilt)
    python -m canary --only assignments    # some of: tests, chapters, assignments

Standard library only, so that any Python 3.10 to 3.13 can start it. It exits 1 when anything
failed, and always writes ``_build/canary/report.md`` and ``report.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import venv
import xml.etree.ElementTree as ElementTree
from pathlib import Path

from canary.checks import first_line

REPO = Path(__file__).resolve().parent.parent
STEPS = ("tests", "chapters", "assignments")
# Not direct dependencies, but where upgrades have broken notebooks and books before: reported too.
ALSO_REPORTED = ("sphinx", "pydata-sphinx-theme", "sphinx-book-theme", "nbclient", "nbconvert", "nbformat",
                 "jupyter-client", "ipykernel", "jupyter-server", "protobuf", "ml-dtypes", "scipy", "scikit-image",
                 "sqlalchemy", "pip")


def pins() -> dict[str, str]:
    """Name -> exact version from pins.txt (environment markers ignored: one line per name here)."""
    pinned = {}
    for line in (REPO / "pins.txt").read_text().splitlines():
        match = re.match(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^;#\s]+)", line)
        if match:
            pinned[_canonical(match.group(1))] = match.group(2)
    return pinned


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _python(environment: Path) -> Path:
    return environment / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install(environment: Path, keep: bool) -> str:
    """A fresh environment with the newest releases inside pyproject.toml's ranges; returns pip's
    error, or "" when it installed."""
    if not (keep and _python(environment).exists()):
        shutil.rmtree(environment, ignore_errors=True)
        try:
            venv.create(environment, with_pip=True)
        except (OSError, subprocess.CalledProcessError) as error:  # e.g. Debian without python3-venv
            return f"could not create a virtual environment: {error}"
    for command in (["install", "--quiet", "--upgrade", "pip"],
                    # No -c pins.txt: the ranges alone, newest first, transitive dependencies too.
                    ["install", "--quiet", "--upgrade", "--upgrade-strategy", "eager", "-e", str(REPO)]):
        done = subprocess.run([str(_python(environment)), "-m", "pip", *command], capture_output=True, text=True)
        if done.returncode:
            return _first_line(done.stderr or done.stdout)
    return ""


def _first_line(text: str) -> str:
    """pip's first ERROR line, or else what checks.first_line finds (a traceback's exception)."""
    errors = [line.strip() for line in text.splitlines() if line.strip().startswith("ERROR")]
    return errors[0][:300] if errors else first_line(text)


def versions(environment: Path) -> dict[str, str]:
    done = subprocess.run([str(_python(environment)), "-m", "pip", "list", "--format", "json"],
                          capture_output=True, text=True, check=True)
    return {_canonical(entry["name"]): entry["version"] for entry in json.loads(done.stdout)}


def newest_released(environment: Path, names) -> dict[str, str]:
    """The newest release of each package on the registry, whatever the ranges say: where it is
    not what the canary got, something holds it back (a range here, or another package's)."""
    newest = {}
    for name in names:
        done = subprocess.run([str(_python(environment)), "-m", "pip", "index", "versions", name],
                              capture_output=True, text=True)
        match = re.match(r"\S+ \(([^)]+)\)", done.stdout.strip())
        if match:
            newest[name] = match.group(1)
    return newest


def failed_tests(junit: Path) -> list[dict]:
    """Each failed or erroring test of a pytest JUnit XML file, with the first line of its error."""
    failures = []
    for case in ElementTree.parse(junit).getroot().iter("testcase"):
        for problem in list(case.findall("failure")) + list(case.findall("error")):
            parts = case.get("classname", "").split(".")
            classes = [part for part in parts if part[:1].isupper()]  # test classes, not modules
            module = "/".join(part for part in parts if part not in classes)
            message = problem.get("message") or (problem.text or "")
            failures.append({"name": "::".join([f"{module}.py", *classes, case.get("name", "")]), "passed": False,
                             "error": message.strip().splitlines()[0][:300] if message.strip() else problem.tag})
    return failures


def run_tests(environment: Path, out: Path, env: dict) -> dict:
    junit = out / "tests.xml"
    junit.unlink(missing_ok=True)
    done = subprocess.run([str(_python(environment)), "-m", "pytest", "-m", "not slow", "-q", "-p", "no:cacheprovider",
                           f"--junitxml={junit}"], cwd=REPO, env=env, capture_output=True, text=True)
    if not junit.exists():
        return {"passed": False, "counts": {}, "failures": [{"name": "pytest", "passed": False,
                                                            "error": _first_line(done.stdout + done.stderr)}]}
    suite = ElementTree.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")
    counts = {key: int(suite.get(key, 0)) for key in ("tests", "failures", "errors", "skipped")}
    failures = failed_tests(junit)
    return {"passed": done.returncode == 0 and not failures, "counts": counts, "failures": failures}


def run_checks(environment: Path, what: str, env: dict) -> list[dict]:
    done = subprocess.run([str(_python(environment)), "-m", "canary.checks", what], cwd=REPO, env=env,
                          capture_output=True, text=True)
    results = []
    for line in done.stdout.splitlines():
        try:
            result = json.loads(line)
        except ValueError:
            continue  # anything a chapter printed itself
        if isinstance(result, dict) and {"name", "passed"} <= set(result):
            results.append(result)
    if done.returncode or not results:
        results.append({"name": f"canary.checks {what}", "passed": False, "error": _first_line(done.stderr)})
    return results


def report(result: dict) -> str:
    """The report as Markdown: what was installed, what passed, and each failure's first line."""
    lines = [f"# Upgrade canary, {result['when']}", "",
             f"**{'Everything passed' if result['passed'] else 'Something broke'}** on the newest releases that "
             "pyproject.toml's ranges allow (Python " + result["python"] + ").", ""]
    if result.get("install_error"):
        lines += ["## Installation failed", "", f"    {result['install_error']}", ""]
    lines += ["## Versions", "", "| package | pinned (pins.txt) | canary | newest released |", "|---|---|---|---|"]
    for name, got in result["versions"].items():
        pinned, newest = result["pins"].get(name, ""), result.get("newest", {}).get(name, "")
        mark = " (newer)" if pinned and got != pinned else ""
        lines.append(f"| {name} | {pinned or '-'} | {got}{mark} | {newest or '-'} |")
    held = [name for name, got in result["versions"].items() if result.get("newest", {}).get(name, got) != got]
    if held:
        lines += ["", "Held back (a newer release exists, but a range here or another package's requirement "
                  "excludes it, so this canary did not test it): " + ", ".join(
                      f"{name} {result['newest'][name]}" for name in held) + "."]
    lines.append("")
    tests = result.get("tests")
    if tests:
        counts = tests["counts"]
        lines += ["## Quick test suite", "", f"{counts.get('tests', 0)} tests: {counts.get('failures', 0)} failed, "
                  f"{counts.get('errors', 0)} errors, {counts.get('skipped', 0)} skipped.", ""]
        lines += [f"- FAILED `{f['name']}`: {f['error']}" for f in tests["failures"]] + [""]
    for step, title in (("chapters", "Chapters in quick mode"), ("assignments", "Assignments' reference solutions through course-grade")):
        if step in result:
            lines += [f"## {title}", ""]
            lines += [f"- {'passed' if r['passed'] else 'FAILED'} `{r['name']}`" + (f" ({r['seconds']} s)" if "seconds" in r else "")
                      + (f": {r['error']}" if r.get("error") else "") for r in result[step]] + [""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--environment", type=Path, default=REPO / ".canary", help="the canary's virtual environment")
    parser.add_argument("--out", type=Path, default=REPO / "_build" / "canary", help="where the report goes")
    parser.add_argument("--keep", action="store_true", help="reuse the environment if it exists")
    parser.add_argument("--only", nargs="+", choices=STEPS, default=list(STEPS))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, COURSE_QUICK="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("VIRTUAL_ENV", None)
    env["PATH"] = f"{_python(args.environment).parent}{os.pathsep}{env.get('PATH', '')}"

    when = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    print(f"canary: installing the newest releases into {args.environment} ...", flush=True)
    result = {"when": when, "python": "", "pins": pins(), "versions": {}, "install_error": install(args.environment, args.keep)}
    if not result["install_error"]:
        try:
            installed = versions(args.environment)
        except (OSError, subprocess.CalledProcessError, ValueError) as error:
            installed, result["install_error"] = {}, f"pip list failed: {error}"
    if not result["install_error"]:
        wanted = list(result["pins"]) + [name for name in ALSO_REPORTED if name in installed]
        result["versions"] = {name: installed[name] for name in wanted if name in installed}
        result["newest"] = newest_released(args.environment, [name for name in result["pins"] if name in installed])
        result["python"] = subprocess.run([str(_python(args.environment)), "-c", "import platform; print(platform.python_version())"],
                                          capture_output=True, text=True).stdout.strip()
        if "tests" in args.only:
            print("canary: the quick test suite ...", flush=True)
            result["tests"] = run_tests(args.environment, args.out, env)
        for step in ("chapters", "assignments"):
            if step in args.only:
                print(f"canary: {step} ...", flush=True)
                result[step] = run_checks(args.environment, step, env)
    result["passed"] = not result["install_error"] and result.get("tests", {"passed": True})["passed"] and all(
        r["passed"] for step in ("chapters", "assignments") for r in result.get(step, []))
    (args.out / "report.json").write_text(json.dumps(result, indent=1))
    text = report(result)
    (args.out / "report.md").write_text(text)
    print(text)
    print(f"canary: report in {args.out / 'report.md'}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
