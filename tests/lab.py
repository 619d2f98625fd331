"""JupyterLab for the browser tests: a real server on 127.0.0.1 with the students' set-up of
jupyterlab/ (what `make lab-settings` and Binder install), taken from the repository itself and
ahead of this environment's own, so an instructor's environment tests it too."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from conftest import REPO


@contextmanager
def running_lab(root: Path, scratch: Path, env: dict[str, str] | None = None):
    """JupyterLab serving ``root``; yields ``(base URL, token)``. ``scratch`` holds its settings and
    workspaces (a workspace of its own: JupyterLab reopens the tabs a shared one remembers)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    token = secrets.token_hex(16)
    # Every cell in the page (no windowing), so that tests find cells by their text.
    settings = scratch / "lab-settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text('{"windowingMode": "none"}')
    config = scratch / "jupyter-config"
    (config / "labconfig").mkdir(parents=True)
    (config / "jupyter_server_config.d").mkdir()
    shutil.copy(REPO / "jupyterlab" / "page_config.json", config / "labconfig")
    shutil.copy(REPO / "jupyterlab" / "jupyter_server_config.json", config / "jupyter_server_config.d" / "students.json")
    app_settings = scratch / "app-settings"
    app_settings.mkdir()
    shutil.copy(REPO / "jupyterlab" / "overrides.json", app_settings)
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("jupyter")), "lab", "--no-browser", "--allow-root", f"--port={port}",
         "--ip=127.0.0.1", f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
         f"--LabApp.app_settings_dir={app_settings}", f"--LabApp.workspaces_dir={scratch / 'workspaces'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=dict(os.environ, **(env or {}), JUPYTERLAB_SETTINGS_DIR=str(scratch / "lab-settings"),
                 JUPYTER_CONFIG_PATH=str(config)))
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                break
            except OSError:
                time.sleep(0.5)
        yield url, token
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a kernel still shutting down: the test is over anyway
            server.kill()
            server.wait()
