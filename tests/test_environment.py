"""The three dependency lists agree: pyproject.toml's ranges (what the course is written for),
pins.txt (the exact versions `make setup` installs) and environment.yml (conda, Binder)."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import REPO

PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def pins() -> list[Requirement]:
    lines = (line.split("#")[0].strip() for line in (REPO / "pins.txt").read_text().splitlines())
    return [Requirement(line) for line in lines if line]


def _normalised(requirements) -> set[tuple[str, str, str]]:
    return {(canonicalize_name(r.name), str(r.specifier), str(r.marker or "")) for r in requirements}


def _pip_list_of(environment: dict) -> list[str]:
    for entry in environment["dependencies"]:
        if isinstance(entry, dict) and "pip" in entry:
            return entry["pip"]
    raise AssertionError("environment.yml has no pip section")


def test_environment_yml_mirrors_the_pins():
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    assert _normalised(Requirement(text) for text in _pip_list_of(environment)) == _normalised(pins())


def test_every_pin_is_exact():
    for pin in pins():
        assert not pin.extras, f"{pin}: pip refuses extras in a constraints file"
        specifiers = list(pin.specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", str(pin)


def test_every_range_admits_its_pin_and_has_one():
    pinned = {(canonicalize_name(p.name), str(p.marker or "")): next(iter(p.specifier)).version for p in pins()}
    for text in PROJECT["dependencies"]:
        requirement = Requirement(text)
        key = (canonicalize_name(requirement.name), str(requirement.marker or ""))
        assert key in pinned, f"pins.txt has no exact version for {text}"
        assert requirement.specifier.contains(pinned[key]), f"{text} excludes its own pin {pinned[key]}"
        for extra in requirement.extras:  # psycopg[binary] brings psycopg-binary: pinned too
            assert (canonicalize_name(f"{requirement.name}-{extra}"), key[1]) in pinned, f"{text}: extra not pinned"


def test_nothing_is_pinned_that_the_project_does_not_need():
    needed = {canonicalize_name(Requirement(text).name) for text in PROJECT["dependencies"]}
    needed |= {canonicalize_name(f"{r.name}-{extra}") for r in map(Requirement, PROJECT["dependencies"]) for extra in r.extras}
    assert {canonicalize_name(p.name) for p in pins()} <= needed


def test_jupyter_book_stays_below_2():
    """Jupyter Book 2's HTML build needs an online theme: no range may let it in."""
    book = next(Requirement(t) for t in PROJECT["dependencies"] if Requirement(t).name == "jupyter-book")
    assert not book.specifier.contains("2.0.0")


def test_python_version_matches():
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert Requirement("python" + PROJECT["requires-python"]).specifier.contains(python.split("=")[1])
