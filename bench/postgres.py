"""A throw-away PostgreSQL server, for the gradebook tests and benchmarks: its own data folder,
a Unix socket only, run as an ordinary account when we are root (PostgreSQL refuses root)."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path


class Unavailable(RuntimeError):
    """No PostgreSQL server programs, or no account to run them as."""


def server_programs() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def _account() -> str | None:
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    return None


@contextlib.contextmanager
def postgres_server():
    """Yields a function that creates an empty database and returns its SQLAlchemy URL."""
    import psycopg

    programs = server_programs()
    if programs is None:
        raise Unavailable("PostgreSQL's server programs are not installed (Debian: apt-get install postgresql)")
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="course-grade-pg-"))
    if os.geteuid() == 0:
        account = _account()
        if account is None or not shutil.which("runuser"):
            raise Unavailable("running as root without an unprivileged account to run PostgreSQL")
        as_user = ["runuser", "-u", account, "--"]
        shutil.chown(folder, account)
    folder.chmod(0o755)
    data, socket_dir = folder / "data", str(folder)
    run = lambda *argv: subprocess.run([*as_user, *argv], check=True, capture_output=True, text=True)  # noqa: E731
    run(str(programs / "initdb"), "-D", str(data), "-U", "grader", "-A", "trust", "--no-sync")
    run(str(programs / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w", "start",
        "-o", f"-c listen_addresses='' -k {socket_dir} -c fsync=off")

    def new_database(name: str) -> str:
        with psycopg.connect(dbname="postgres", user="grader", host=socket_dir, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://grader@/{name}?host={socket_dir}"

    try:
        yield new_database
    finally:
        subprocess.run([*as_user, str(programs / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
