"""``make lab`` starts JupyterLab on the notebooks, also as root (containers), and serves them.

The smoke test runs the real Makefile target headless on a free local port with a token,
fetches the notebook list from the server's REST API and stops the server again.
"""

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: Seconds JupyterLab gets to answer (it usually needs a few).
START_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """Stop the process group this test started (make and the jupyter server under it)."""
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait_s)
        except subprocess.TimeoutExpired:
            continue


def test_make_lab_serves_the_notebooks(tmp_path):
    if shutil.which("make") is None or not (ROOT / "Makefile").is_file():
        pytest.skip("needs make and the repository's Makefile")
    if not (ROOT / ".venv" / "bin" / "jupyter").exists():
        pytest.skip("make lab runs .venv/bin/jupyter: run `make venv` first")
    port, token = _free_port(), secrets.token_hex(16)
    lab_args = (f"--no-browser --ip=127.0.0.1 --port={port} --ServerApp.port_retries=0 "
                f"--IdentityProvider.token={token}")
    log_path = tmp_path / "lab.log"
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    with open(log_path, "w") as log:
        # -o: do not rebuild the venv stamp here; this tests the lab recipe, not the install
        proc = subprocess.Popen(
            ["make", "--no-print-directory", "-o", ".venv/.installed", "lab",
             f"LAB_ARGS={lab_args}"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=env, start_new_session=True)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # no proxy for localhost
    url = f"http://127.0.0.1:{port}/api/contents?token={token}"
    listing = None
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with opener.open(url, timeout=5) as response:
                    listing = json.load(response)
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
    finally:
        _stop(proc)
    log = log_path.read_text(errors="replace")
    assert "Running as root is not recommended" not in log
    assert listing is not None, f"make lab did not serve within {START_TIMEOUT_S} s:\n{log[-2000:]}"
    names = {item["name"] for item in listing["content"]}
    expected = {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert expected and expected <= names
