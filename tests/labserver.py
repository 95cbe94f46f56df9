"""A Jupyter server (JupyterLab or the plain server) on 127.0.0.1 for tests and benchmarks.

Its config, data, runtime and IPython folders live under a folder of its own; it is stopped at the
end (terminated, then killed if it lingers).
"""
import contextlib
import json
import os
import re
import secrets
import shlex
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pgserver import free_port

LAB_SETTINGS = Path(__file__).resolve().parents[1] / "notebooks" / "lab-settings"  # what `make lab` uses


@dataclass
class Server:
    url: str
    token: str
    log: Path

    def call(self, path, method="GET", body=None, timeout=30):
        """A request to the server's REST API with its token; the JSON answer (None if empty)."""
        headers = {"Authorization": f"token {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=timeout) as response:
            text = response.read()
        return json.loads(text) if text else None

    def shut_down_kernels(self):
        for session in self.call("/api/sessions"):
            self.call(f"/api/sessions/{session['id']}", method="DELETE")


@contextlib.contextmanager
def jupyter(app, root_dir, home, args=(), env=None, ready="/api/status", timeout=120, command=None):
    """Run `python -m app` ("jupyterlab" or "jupyter_server") on `root_dir`; yield its Server.

    `home` holds the server's folders and its log; `env` adds to (a value of None: removes from)
    the environment; the server counts as started once `ready` answers. `command`, if given, starts
    the server instead of `python -m app` (the options for port, token and folder are added to it).
    """
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    port, token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTER_PLATFORM_DIRS": "1", **(env or {})}
    command = [*(command or [sys.executable, "-m", app]), "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
               *args] + (["--allow-root"] if os.geteuid() == 0 else [])  # CI containers often run as root
    server = Server(f"http://127.0.0.1:{port}", token, home / "server.log")
    with open(server.log, "w") as log:
        process = subprocess.Popen(command, env={k: v for k, v in env.items() if v is not None}, cwd=root_dir,
                                   stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    server.call(ready, timeout=5)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"{app} did not start; its log:\n{server.log.read_text()[-3000:]}")
                    time.sleep(0.5)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextlib.contextmanager
def lecture_lab(notebooks, root):
    """JupyterLab serving copies of `notebooks` under `root` (nothing is saved into the repository),
    with the course's JupyterLab defaults as `make lab` gives them (notebooks/lab-settings)."""
    work = Path(root) / "notebooks"
    work.mkdir(parents=True, exist_ok=True)
    for nb in notebooks:
        shutil.copy(nb, work / nb.name)
    with jupyter("jupyterlab", work, root, [f"--LabApp.app_settings_dir={LAB_SETTINGS}",
                                            f"--LabApp.user_settings_dir={Path(root) / 'settings'}",
                                            f"--LabApp.workspaces_dir={Path(root) / 'workspaces'}"],
                 timeout=90) as server:
        yield server


def make_lab_command(repo):
    """The command `make lab` runs, as `make -n lab` prints it, wrapped to take more options: argv."""
    printed = subprocess.run(["make", "-n", "-s", "lab"], cwd=repo, capture_output=True, text=True, check=True).stdout
    line = next(line for line in printed.replace("\\\n", " ").splitlines() if "/jupyter lab" in line)
    assignments, rest = re.match(r"((?:\w+=\S+\s+)*)(.*)", line.strip()).groups()
    rest = re.sub(r"\s--ip=\S+", "", rest)  # jupyter() gives the address (the same, 127.0.0.1)
    script = f"cd {shlex.quote(str(repo))}; " + (f"export {assignments}; " if assignments else "") + f'exec {rest} "$@"'
    return ["bash", "-c", script, "make-lab"]


IDLE = "Python 3 (ipykernel) | Idle"


def run_all(page, server, notebook, timeout_ms=120_000):
    """Open `notebook` (a name under the server's folder) in JupyterLab on `page` and run it with
    Run → Run All Cells, which does nothing until the notebook is connected to its kernel."""
    page.goto(f"{server.url}/lab/tree/{notebook}?reset&token={server.token}")
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=timeout_ms)
    page.get_by_text(IDLE).wait_for(timeout=timeout_ms)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
