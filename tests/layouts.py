"""Where instructors and students keep the course: the deployment layouts the tests grade in.

Each layout is a copy of the course's packages (``autograder/``, ``cnncourse/``, ``pyproject.toml``)
with a Python environment of its own, made with the machine's system Python (a Python that every
user can run, unlike a pyenv under /root), as a person would install it: an editable install of
the copy. The grader's own dependencies come from pins.txt; the course's heavy ones (TensorFlow,
Jupyter Book) are left out, since the layouts grade a small assignment of plain Python.

Run as root, the tests create ordinary users (``useradd``) and work in their home folders, as
their owners; run as an ordinary user, they work as that user in its own home folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SYSTEM_PYTHONS = ("/usr/bin/python3", "/usr/local/bin/python3", "/usr/bin/python3.11", "/usr/bin/python3.12")
GRADER_PACKAGES = ("nbgrader", "jupytext", "numpy")
COLAB_PACKAGES = ("numpy", "tensorflow-cpu", "keras", "ipykernel", "nbclient")  # and no course package
CHECKOUT_PARTS = ("pyproject.toml", "README.md", "LICENSE", "autograder", "cnncourse")
USER_PREFIX = "cgtest-"


@dataclass
class Layout:
    name: str
    user: str | None      # an ordinary user the test created, or None: whoever runs the tests
    home: Path            # that user's home folder
    prefix: Path          # the Python environment
    checkout: Path | None  # the course's copy (editable install); None: no course package

    @property
    def course_grade(self) -> str:
        return str(self.prefix / "bin" / "course-grade")

    @property
    def python(self) -> str:
        return str(self.prefix / "bin" / "python")

    def run(self, argv: list[str], timeout: float = 900, **kwargs) -> subprocess.CompletedProcess:
        """``argv`` as the layout's user, from its home, with a login's plain environment."""
        env = {"PATH": f"{self.prefix / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": str(self.home),
               "LANG": "C.UTF-8", "USER": self.user or _me(), "LOGNAME": self.user or _me(),
               "TF_CPP_MIN_LOG_LEVEL": "2", **kwargs.pop("env", {})}
        if self.user is not None:
            argv = ["setpriv", f"--reuid={self.user}", f"--regid={self.user}", "--init-groups", *argv]
        return subprocess.run(argv, cwd=kwargs.pop("cwd", self.home), env=env, capture_output=True, text=True,
                              timeout=timeout, **kwargs)

    def own(self, *paths: Path) -> None:
        """Hand files written by the test to the layout's user."""
        if self.user is not None:
            subprocess.run(["chown", "-R", f"{self.user}:{self.user}", *map(str, paths)], check=True)


def _me() -> str:
    return pwd.getpwuid(os.getuid()).pw_name


def system_python() -> str:
    """A Python 3.10 to 3.13 with venv that an ordinary user can run: the system's."""
    tried = []
    for candidate in SYSTEM_PYTHONS:
        if not os.access(candidate, os.X_OK):
            continue
        probe = subprocess.run([candidate, "-c", "import sys, venv, ensurepip; "
                                "sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 13))"], capture_output=True)
        if probe.returncode == 0:
            return candidate
        tried.append(candidate)
    raise RuntimeError(f"no system Python 3.10-3.13 with venv and ensurepip (tried {tried or SYSTEM_PYTHONS}): "
                       "on Debian or Ubuntu, `apt-get install python3-venv`")


def ordinary_user(name: str) -> tuple[str | None, Path]:
    """(user, home): a fresh ordinary user when the tests run as root, else the current user."""
    if os.getuid() != 0:
        home = Path(tempfile.mkdtemp(prefix=f"course-grade-{name}-", dir=Path.home()))
        return None, home
    user = USER_PREFIX + name
    remove_user(user)
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", user], check=True, capture_output=True)
    return user, Path(pwd.getpwnam(user).pw_dir)


def remove_user(user: str | None) -> None:
    if user is None:
        return
    try:
        pwd.getpwnam(user)
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-u", user], capture_output=True)
    subprocess.run(["userdel", "--remove", user], capture_output=True)


def copy_checkout(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in CHECKOUT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, target / part)
    return target


def build_environment(prefix: Path, packages: tuple[str, ...], checkout: Path | None) -> None:
    """A venv made with the system Python, the packages installed from pins.txt (the pip cache
    makes this quick after the first run) and the checkout installed editable, as `make setup`
    installs the course."""
    subprocess.run([system_python(), "-m", "venv", str(prefix)], check=True, capture_output=True)
    pip = [str(prefix / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    done = subprocess.run([*pip, "-c", str(REPO / "pins.txt"), *packages], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    if checkout is not None:
        done = subprocess.run([*pip, "--no-deps", "-e", str(checkout)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]


def build_all() -> tuple[dict[str, Layout], list[Path]]:
    """Every layout of the deployment matrix, their environments built two at a time; and the
    folders to remove afterwards."""
    scratch = Path(tempfile.mkdtemp(prefix="course-grade-layouts-", dir="/opt" if os.getuid() == 0 else None))
    under_tmp = Path(tempfile.mkdtemp(prefix="course-grade-layout-", dir="/tmp"))
    for folder in (scratch, under_tmp):  # reachable by the layouts' users, as /opt and /tmp are
        folder.chmod(0o755)
    home_user, home = ordinary_user("alice")
    binder_user, binder_home = ordinary_user("jovyan")
    (scratch / "course with spaces").mkdir()
    (scratch / "behind a link").symlink_to(scratch / "course with spaces")
    spaced = scratch / "behind a link" / "cnn course"
    layouts = {
        # An instructor's laptop or a shared server: `make setup` in ~/cnn-course.
        "home folder": Layout("home folder", home_user, home, home / "cnn-course" / ".venv", home / "cnn-course"),
        # The checkout under the system temporary folder, graded as root.
        "temporary folder": Layout("temporary folder", None, Path.home(),
                                   under_tmp / "cnn-course" / ".venv", under_tmp / "cnn-course"),
        # A path with spaces, reached through a symbolic link.
        "spaces and a link": Layout("spaces and a link", None, Path.home(), spaced / ".venv", spaced),
        # Binder: the environment outside the home folder, the course editable inside it.
        "binder": Layout("binder", binder_user, binder_home, scratch / "binder-env", binder_home / "course"),
        # Colab or a plain Jupyter: NumPy, TensorFlow, Keras and Jupyter, no course package.
        "colab": Layout("colab", None, Path.home(), scratch / "colab-env", None),
    }
    for layout in layouts.values():
        if layout.checkout is not None:
            copy_checkout(layout.checkout)

    def build(layout: Layout) -> None:
        packages = COLAB_PACKAGES if layout.checkout is None else GRADER_PACKAGES
        build_environment(layout.prefix, packages, layout.checkout)
        layout.own(*{p for p in (layout.checkout, layout.prefix) if p is not None})

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(build, layouts.values()))
    return layouts, [scratch, under_tmp] + ([] if home_user else [home]) + ([] if binder_user else [binder_home])


def remove_all(layouts: dict[str, Layout], folders: list[Path]) -> None:
    for layout in layouts.values():
        remove_user(layout.user)
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)
