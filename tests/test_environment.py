"""The two dependency lists, pyproject.toml (pip) and environment.yml (conda, Binder), agree."""

from __future__ import annotations

import tomllib

import yaml
from packaging.requirements import Requirement

from conftest import REPO


def _normalised(requirements: list[str]) -> set[tuple[str, str, str]]:
    parsed = (Requirement(text) for text in requirements)
    return {(r.name.lower(), str(r.specifier), str(r.marker or "")) for r in parsed}


def _pip_list_of(environment: dict) -> list[str]:
    for entry in environment["dependencies"]:
        if isinstance(entry, dict) and "pip" in entry:
            return entry["pip"]
    raise AssertionError("environment.yml has no pip section")


def test_environment_yml_mirrors_the_pins():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    assert _normalised(_pip_list_of(environment)) == _normalised(project["dependencies"])


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    for text in project["dependencies"]:
        specifiers = list(Requirement(text).specifier)
        assert len(specifiers) == 1 and specifiers[0].operator == "==", text


def test_python_version_matches():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    python = next(d for d in environment["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert Requirement("python" + project["requires-python"]).specifier.contains(python.split("=")[1])
