"""A Dask cluster on 127.0.0.1 for tests and benchmarks: `dask scheduler` and `dask worker` processes,
each in its own session (so one can be killed outright), each logging to a file of its own."""
import os
import signal
import subprocess
import sys
from pathlib import Path

from pgserver import free_port

DASK = str(Path(sys.executable).parent / "dask")


class Cluster:
    """A scheduler and named workers, each in its own session so a test can kill one outright."""

    def __init__(self, folder):
        self.folder, self.procs, self.workers = folder, [], {}
        self.address = f"tcp://127.0.0.1:{free_port()}"
        self._start("scheduler", [DASK, "scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1],
                                  "--dashboard-address", "127.0.0.1:0", "--no-show"])

    def _start(self, name, cmd):
        log = open(self.folder / f"{name}.log", "w")
        scratch = self.folder / "tmp"  # a worker killed outright leaves its warm server's folder here, not in /tmp
        scratch.mkdir(exist_ok=True)
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "TMPDIR": str(scratch)})
        self.procs.append(proc)
        return proc

    def worker(self, name, wrap=(), threads=1):
        """Start `dask worker` named `name` (one thread unless told), inside the command prefix `wrap`."""
        self.workers[name] = self._start(name, [*wrap, DASK, "worker", self.address, "--nthreads", str(threads),
                                                "--name", name,
                                                "--host", "127.0.0.1", "--no-dashboard", "--death-timeout", "60"])

    def wait_for(self, n, client):
        client.wait_for_workers(n, timeout=120)

    def kill(self, name):
        """SIGKILL a worker, its nanny and everything they started."""
        os.killpg(self.workers[name].pid, signal.SIGKILL)

    def stop(self):
        for proc in reversed(self.procs):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)
