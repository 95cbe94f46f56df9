"""The grading sandbox: each student notebook runs in its own kernel inside bubblewrap.

``GuardedExecute`` replaces nbgrader's Execute preprocessor (see nbgrader_config.py). It starts
the kernel through ``SandboxKernelManager``: ``bwrap`` around ``python -m ipykernel_launcher``,
talking to the grader over the IPC transport (Unix sockets in a private folder bound into the
sandbox), so the sandbox has no network at all. Inside the sandbox:

- the system (/usr), the Python installation and the virtual environment (``sys.prefix``) and
  the ``dlcourse`` package are visible read-only; nothing else of the host is: not ``source/``,
  not ``submitted/`` or other students' work, not the gradebook, not the TA's home;
- the kernel's working folder (the student's own ``autograded/<student>/<assignment>``) shows the
  submission's files read-only, on a small private tmpfs where the notebook may write scratch
  files; they vanish with the kernel, so the real folder never changes;
- no network (own network namespace), own PID, IPC and UTS namespaces, no capabilities;
  when grading as root the kernel runs as an unprivileged uid of its own;
- limits (``prlimit``): memory (RLIMIT_DATA rather than RLIMIT_AS, whose address-space cap CUDA's
  reservations exceed), processes and threads, file size, open files, CPU seconds; nbgrader's
  per-cell timeout; a per-notebook wall-clock budget; at most ``max_output_bytes`` of output
  kept per cell. GPU device files are passed in when present (not tried on a GPU here).

By default the kernel is not started cold but forked from a *warm server* (``WarmKernelManager``,
warm.py): one per grading process, in a sandbox built the same way, that has already imported
torch, numpy and matplotlib. Each notebook still gets a new process, working in a scratch copy of
its folder; between notebooks the server kills whatever is left and empties the scratch space.

``GuardedExecute`` also runs the integrity guard (see integrity.py), keeps grading going when
the kernel dies (``os._exit``, a crash, a limit) or stops answering, and records what happened
in ``EVENTS`` for the grading report.
"""
import ast
import contextlib
import functools
import glob
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import run_sync
from jupyter_core.utils import ensure_async
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbgrader.preprocessors import Execute
from nbformat import NotebookNode
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import Bool, CaselessStrEnum, Float, Integer, List, Unicode, default

from .. import tasks
from . import demonstrations, integrity, warm

# Runtime events of the notebooks graded in this process: what grade_one reports.
EVENTS = []

_ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives", "fonts",
        "passwd", "group", "nsswitch.conf", "os-release", "mime.types", "matplotlibrc"]


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create a sandbox on this machine."""


@functools.lru_cache(maxsize=1)
def probe():
    """(True, "") when bubblewrap can build a sandbox here, else (False, why not)."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False, "bubblewrap (bwrap) is not installed"
    cmd = [bwrap, "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--unshare-net", "--unshare-pid",
           "--die-with-parent"] + ([] if os.geteuid() == 0 else ["--unshare-user"]) + ["true"]
    try:
        run = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"bwrap failed to start: {exc}"
    if run.returncode != 0:
        return False, f"bwrap cannot create a sandbox here: {run.stderr.strip()[:200]}"
    return True, ""


def require():
    """Raise SandboxUnavailable (with what to do) unless the sandbox works here."""
    ok, why = probe()
    if not ok:
        raise SandboxUnavailable(
            f"{why}. Student code is only graded inside the sandbox: install bubblewrap "
            f"(Debian/Ubuntu: apt-get install bubblewrap), or pass --unsandboxed to grade with the "
            f"TA's own permissions (only for submissions you trust).")


@functools.lru_cache(maxsize=1)
def _bwrap_features():
    text = subprocess.run([shutil.which("bwrap"), "--help"], capture_output=True, text=True).stdout
    return {opt for opt in ("--size", "--perms", "--unshare-cgroup-try") if opt in text}


def _tasks_of_uid(uid):
    """Processes and threads the user `uid` runs now (RLIMIT_NPROC counts them all)."""
    count = 0
    for status in glob.glob("/proc/[0-9]*/status"):
        try:
            text = Path(status).read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("Uid", "").split()[:1] == [str(uid)]:
            count += int(fields.get("Threads", "1").strip() or 1)
    return count


def _check_workdir(workdir, run):
    if _is_within(run, workdir) or workdir in ("/", "/usr", "/etc", "/proc", "/dev"):
        raise SandboxUnavailable(f"refusing to use {workdir} as a student's working folder")


def _is_within(path, parent):
    path, parent = Path(path), Path(parent)
    return path == parent or parent in path.parents


def dlcourse_folder():
    """The folder of the dlcourse package this process runs (kernels import the same one)."""
    import dlcourse
    return str(Path(dlcourse.__file__).resolve().parent)


def python_paths():
    """Folders the kernel needs read-only: the Python installation, the venv, dlcourse."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             str(Path(os.path.realpath(sys.executable)).parent.parent), dlcourse_folder()}
    return sorted(p for p in paths if p and os.path.isdir(p) and not _is_within(p, "/usr"))


class PromptClient(AsyncKernelClient):
    """jupyter_client's async client, minus the 0.2 s of silence it waits for when a kernel starts.

    ``wait_for_ready`` ends by reading IOPub until nothing comes for 0.2 s: for a warm kernel that
    is half its start. This one drops what is queued and goes on (nbclient matches every output
    to its request, so a late status message is ignored anyway).
    """

    async def _async_wait_for_ready(self, timeout=None):
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        while True:
            self.kernel_info()
            try:
                msg = await ensure_async(self.shell_channel.get_msg(timeout=1))
            except Empty:
                msg = None
            if msg is not None and msg["msg_type"] == "kernel_info_reply":
                try:  # IOPub is connected once the kernel's status message comes through
                    await ensure_async(self.iopub_channel.get_msg(timeout=0.2))
                except Empty:
                    pass
                else:
                    self._handle_kernel_info_reply(msg)
                    break
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0.01))
            except Empty:
                break

    wait_for_ready = _async_wait_for_ready


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets named after a unique file.

    jupyter_client's default picks TCP ports by binding and releasing them, and another
    process starting a kernel at the same moment can pick the same ones. (With the IPC
    transport and no connection file yet, it would name every kernel's sockets "kernel-ipc"
    relative to the kernel's folder, hence the unique absolute connection file here.)
    """
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

    @default("client_factory")
    def _default_client_factory(self):
        return PromptClient

    @default("connection_file")
    def _unique_connection_file(self):
        folder = jupyter_runtime_dir()
        os.makedirs(folder, exist_ok=True)
        return os.path.join(folder, f"kernel-{uuid.uuid4().hex[:16]}.json")


class SandboxKernelManager(IPCKernelManager):
    """A kernel manager whose kernels run inside bubblewrap with resource limits (over IPC)."""

    memory_mb = Integer(4096, help="RLIMIT_DATA of the kernel, MiB").tag(config=True)
    max_tasks = Integer(256, help="processes and threads the kernel may add").tag(config=True)
    file_size_mb = Integer(64, help="largest file the kernel may write, MiB").tag(config=True)
    open_files = Integer(512, help="open file descriptors").tag(config=True)
    cpu_seconds = Integer(1800, help="CPU seconds for the whole kernel").tag(config=True)
    scratch_mb = Integer(256, help="size of the writable tmpfs on /tmp and on the working folder").tag(config=True)
    sandbox_uid = Integer(0, help="uid for kernels when grading as root; 0 picks one per grading process"
                          ).tag(config=True)
    hidden_paths = List(Unicode(), help="paths that must stay invisible (the course folder, the TA's home); "
                        "the kernel is not started if a read-only folder would contain one").tag(config=True)
    extra_ro_paths = List(Unicode(), help="more host folders to show read-only").tag(config=True)
    gpu_memory_fraction = Float(0.0, help="share of each GPU's memory one kernel may take (0: no cap)").tag(config=True)
    gpu_memory_mb = Integer(0, help="MiB of each GPU's memory one kernel may take (0: no cap; wins over "
                            "gpu_memory_fraction)").tag(config=True)

    @property
    def uid(self):
        """The uid the kernel runs as: our own unless we are root."""
        if os.geteuid() != 0:
            return os.geteuid()
        return self.sandbox_uid or 200000 + os.getpid() % 1000000

    async def _async_pre_start_kernel(self, **kw):
        require()
        self._make_folders()
        self.transport = "ipc"
        self.connection_file = os.path.join(self._run, "kernel.json")
        self.ip = os.path.join(self._run, "ipc")
        return await super()._async_pre_start_kernel(**kw)

    def _make_folders(self):
        """Our temporary folder, and in it the one the kernel shares with us (connection file, sockets)."""
        self._tmp = tempfile.mkdtemp(prefix="dlcourse-kernel-")
        self._run = os.path.join(self._tmp, "run")
        os.mkdir(self._run, 0o700)

    def format_kernel_cmd(self, extra_arguments=None):
        """Always our Python's ipykernel, whatever kernelspec the notebook names."""
        cap = []
        if self.gpu_memory_fraction or self.gpu_memory_mb:  # armed at kernel start, applied at first CUDA use
            cap = [f"--IPKernelApp.exec_lines=['__import__(\"dlcourse.grading.warm\", fromlist=[\"warm\"])"
                   f".limit_gpu_memory({float(self.gpu_memory_fraction)!r}, {int(self.gpu_memory_mb)})']"]
        return [sys.executable, "-m", "ipykernel_launcher", "-f", os.path.realpath(self.connection_file), *cap,
                *(extra_arguments or [])]

    def sandbox_command(self, kernel_cmd, workdir, server=None):
        """The bwrap + setpriv + prlimit command line around `kernel_cmd`.

        With `server` (a warm.WarmServer), the command line of a warm server instead: its folders
        bound in, a scratch tmpfs for the kernels' working copies in place of `workdir`, and when
        grading as root the capabilities to hand each kernel the sandbox uid instead of that uid.
        """
        feats = _bwrap_features()
        host_scratch = str(server.folder) if server else self._tmp
        size = ["--size", str(self.scratch_mb << 20)] if "--size" in feats else []
        perms = (lambda mode: ["--perms", mode]) if "--perms" in feats else (lambda mode: [])

        def scratch(dest):
            """A writable scratch folder at `dest`: a sized tmpfs, or (bwrap < 0.5) a host folder of ours."""
            if "--perms" in feats:
                return [*perms("1777"), *size, "--tmpfs", dest]
            host = tempfile.mkdtemp(prefix="scratch-", dir=host_scratch)
            os.chmod(host, 0o1777)
            return ["--bind", host, dest]
        args = [shutil.which("bwrap"), "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid",
                "--unshare-net", "--unshare-uts", "--hostname", "grader"]
        args += ["--unshare-cgroup-try"] if "--unshare-cgroup-try" in feats else []
        args += [] if os.geteuid() == 0 else ["--unshare-user"]
        args += ["--ro-bind", "/usr", "/usr"]
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = f"/{name}"
            if os.path.islink(path):
                args += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                args += ["--ro-bind", path, path]
        args += [*perms("0755"), "--dir", "/etc"]
        for name in _ETC:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        args += ["--proc", "/proc", "--dev", "/dev", *scratch("/dev/shm"), *scratch("/tmp")]
        gpus = sorted(glob.glob("/dev/nvidia*")) + sorted(glob.glob("/dev/dri"))
        for dev in gpus:
            args += ["--dev-bind-try", dev, dev]
        ro = python_paths() + list(self.extra_ro_paths) + (["/sys"] if gpus else [])
        for path in ro:
            for hidden in self.hidden_paths:
                if _is_within(hidden, path):
                    raise SandboxUnavailable(f"refusing to start the kernel: {path} would be visible inside "
                                             f"the sandbox and it contains {hidden}")
        if server:
            workdir = warm.JOBS
            rw = [(str(server.ctl), "--bind"), (str(server.run), "--bind"), (str(server.incoming), "--ro-bind")]
        else:
            _check_workdir(workdir, self._run)
            rw = [(self._run, "--bind")]
        binds = [(p, p, "--ro-bind") for p in ro] + [(p, p, how) for p, how in rw]
        made = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc"}
        for dest in [d for _, d, _ in binds] + [workdir]:
            for parent in reversed(Path(dest).parents):
                p = str(parent)
                if p not in made and not any(_is_within(p, d) for _, d, _ in binds):
                    args += [*perms("0755"), "--dir", p]
                    made.add(p)
        for src, dest, how in binds:
            args += [how, src, dest]
        # the working folder: a private tmpfs that shows the submission's files read-only
        args += scratch(workdir)
        for entry in sorted(Path(workdir).iterdir()) if os.path.isdir(workdir) and not server else []:
            if not entry.is_symlink() and (entry.is_file() or entry.is_dir()):
                args += ["--ro-bind", str(entry), str(entry)]
        if server and os.geteuid() == 0:
            for cap in warm.CAPS:
                args += ["--cap-add", cap]
        # ipykernel's parent poller would see bwrap's init as a dead parent and exit at once
        args += ["--chdir", workdir, "--", shutil.which("env") or "/usr/bin/env", "-u", "JPY_PARENT_PID"]
        if os.geteuid() == 0 and not server:
            uid = str(self.uid)
            args += [shutil.which("setpriv") or "/usr/bin/setpriv", f"--reuid={uid}", f"--regid={uid}",
                     "--clear-groups", "--bounding-set=-all", "--inh-caps=-all", "--no-new-privs"]
            tasks = self.max_tasks
        elif os.geteuid() == 0:  # the warm server: root is not counted, the kernels' uid is
            tasks = self.max_tasks
        else:  # ours is shared with the grader (and other workers' kernels, hence the margin)
            tasks = _tasks_of_uid(os.geteuid()) + self.max_tasks * (2 if server else 1)
        mib = 1 << 20
        args += [shutil.which("prlimit") or "/usr/bin/prlimit", f"--data={self.memory_mb * mib}",
                 f"--nproc={tasks}", f"--fsize={self.file_size_mb * mib}", f"--nofile={self.open_files}",
                 f"--cpu={self.cpu_seconds}:{self.cpu_seconds + 5}", "--core=0", "--"]
        return args + list(kernel_cmd)

    def sandbox_env(self):
        """The kernel's environment: nothing of the TA's but what the notebook needs."""
        keep = ("LANG", "LC_ALL", "TZ", "DLCOURSE_DEVICE", "CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS",
                "MKL_NUM_THREADS", "NBGRADER_EXECUTION", "PYTHONHASHSEED")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(PATH=os.pathsep.join([str(Path(sys.executable).parent), "/usr/local/bin", "/usr/bin", "/bin"]),
                   HOME="/tmp", USER="student", LOGNAME="student", TMPDIR="/tmp", MPLCONFIGDIR="/tmp/.matplotlib",
                   PYTHONNOUSERSITE="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
        env.setdefault("LANG", "C.UTF-8")
        if sys.prefix != sys.base_prefix:
            env["VIRTUAL_ENV"] = sys.prefix
        # The dlcourse this grader runs, which python_paths() binds in: the environment may have been
        # installed from another course folder, whose package the sandbox does not show.
        env["PYTHONPATH"] = str(Path(dlcourse_folder()).parent)
        return env

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        workdir = os.path.realpath(kw.pop("cwd", None) or os.getcwd())
        cmd = self.sandbox_command(kernel_cmd, workdir)
        if os.geteuid() == 0:  # the kernel's own uid owns its socket folder and reads the connection file
            for path in (self._run, self.connection_file):
                os.chown(path, self.uid, self.uid)
        self._log = open(os.path.join(self._tmp, "kernel.log"), "ab")
        kw.update(cwd=self._tmp, env=self.sandbox_env(), stdin=subprocess.DEVNULL, stdout=self._log,
                  stderr=subprocess.STDOUT)
        await super()._async_launch_kernel(cmd, **kw)

    async def _async_interrupt_kernel(self):
        """Interrupt over the control channel (a signal would only reach bwrap)."""
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel

    def kernel_log(self):
        """What the sandbox and the kernel wrote to stdout/stderr (bwrap errors, crashes)."""
        try:
            return Path(self._tmp, "kernel.log").read_text(errors="replace")[-2000:]
        except (OSError, AttributeError):
            return ""

    async def _async_shutdown_kernel(self, now=False, restart=False):
        """Kill the kernel at once (nothing of it is kept; a polite shutdown costs a quarter second),
        make sure the sandbox is gone, and its folder too."""
        try:
            await super()._async_shutdown_kernel(now=True, restart=restart)
        finally:
            process = getattr(self.provisioner, "process", None) if self.provisioner else None
            if process is not None and process.poll() is None:
                process.kill()  # bwrap: --die-with-parent takes everything in the sandbox with it
            self._remove_folder()

    shutdown_kernel = _async_shutdown_kernel

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        self._remove_folder()

    cleanup_resources = _async_cleanup_resources  # nbclient calls this one when the kernel already died

    def _remove_folder(self):
        log = getattr(self, "_log", None)
        if log is not None and not log.closed:
            log.close()
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)


@contextlib.contextmanager
def sandboxed_command(cmd, workdir, hidden=()):
    """(argv, env) that run `cmd` in `workdir` in a sandbox built like a cold kernel's (same binds, limits)."""
    require()
    km = SandboxKernelManager(hidden_paths=sorted({str(Path(p).resolve()) for p in hidden}))
    km._make_folders()
    try:
        yield km.sandbox_command(list(cmd), os.path.realpath(workdir)), km.sandbox_env()
    finally:
        km._remove_folder()


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


class WarmKernelManager(SandboxKernelManager):
    """A sandboxed kernel forked from this process's warm server, which has imported torch (warm.py).

    Same sandbox, limits and uid as SandboxKernelManager's kernels; the working folder is a scratch
    copy of the submission's folder under /jobs, and the server is reset after every kernel.
    """
    label = Unicode("notebook", help="the notebook, for the grading report")

    def _make_folders(self):
        env = self.sandbox_env()
        uid = self.uid if os.geteuid() == 0 else 0
        key = (uid, self.memory_mb, self.max_tasks, self.file_size_mb, self.open_files, self.cpu_seconds,
               self.scratch_mb, tuple(self.hidden_paths), tuple(self.extra_ro_paths), tuple(sorted(env.items())))
        def command(server):  # what is bound in (under /tmp, say) must survive the scratch cleaning
            keep = [*python_paths(), *self.extra_ro_paths, str(server.folder)]
            return self.sandbox_command([sys.executable, "-m", "dlcourse.grading.warm", server.socket, str(uid),
                                         json.dumps(keep)], None, server)
        self._warm = warm.server_for(key, command, env, uid)
        self._tmp = self._run = self._warm.run_folder()

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        workdir = os.path.realpath(kw.pop("cwd", None) or os.getcwd())
        _check_workdir(workdir, self._run)
        if os.geteuid() == 0:
            os.chown(self.connection_file, self.uid, self.uid)
        argv = kernel_cmd[kernel_cmd.index("ipykernel_launcher") + 1:]  # -f <connection file>, nbclient's options
        process = self._warm.start_kernel(argv, self.connection_file, workdir, self.sandbox_env(),
                                          os.path.join(self._run, "kernel.log"))
        self.provisioner.process, self.provisioner.pid, self.provisioner.pgid = process, process.pid, None
        self._reconcile_connection_info(self.provisioner.connection_info)

    async def _async_shutdown_kernel(self, now=False, restart=False):
        try:
            await super()._async_shutdown_kernel(now=now, restart=restart)
        finally:
            self._reset_server()

    shutdown_kernel = _async_shutdown_kernel

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        self._reset_server()

    cleanup_resources = _async_cleanup_resources

    def _reset_server(self):
        """Kill what the notebook left running and empty the scratch, before the next kernel."""
        server, self._warm = getattr(self, "_warm", None), None
        if server is None:
            return
        try:
            killed = server.reset(Path(self._run).name)
        except warm.ServerGone:
            warm.stop_servers()  # the next kernel starts a new one
            return
        if killed:
            EVENTS.append({"notebook": self.label, "kind": "kernel", "cell": None,
                           "text": f"{killed} process(es) the notebook left running were killed"})


class GuardedExecute(Execute):
    """nbgrader's Execute, with the sandboxed kernel, the integrity guard and damage control."""

    sandbox = Bool(True, help="run kernels in the bubblewrap sandbox").tag(config=True)
    warm_kernels = Bool(True, help="fork sandboxed kernels from a warm server that has imported torch "
                        "(warm.py) rather than starting each one cold").tag(config=True)
    guard = Bool(True, help="run the integrity guard around locked cells").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    notebook_timeout = Integer(1800, help="wall-clock seconds for one notebook").tag(config=True)
    guard_timeout = Integer(60, help="seconds to wait for the guard's answer").tag(config=True)
    skip_demonstrations = Bool(True, help="leave out the locked cells marked '# Demonstration' that no test "
                               "reads (demonstrations.py)").tag(config=True)

    def create_kernel_manager(self):
        if not self.sandbox:
            self.kernel_manager_class = IPCKernelManager
        else:
            self.kernel_manager_class = WarmKernelManager if self.warm_kernels else SandboxKernelManager
        km = super().create_kernel_manager()
        if isinstance(km, WarmKernelManager):
            km.label = self._label
        return km

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader", {})
        self._label = info.get("notebook", "notebook")
        self._trusted = self._trusted_cells(info)
        self._skip = demonstrations.skipped(nb.cells, self._trusted) if self.skip_demonstrations else set()
        self._rule_failures = tasks.rule_verdicts(nb)
        self._var = f"_dlcourse_guard_{secrets.token_hex(6)}"
        self._sealed = False
        self._stopped = ""
        self._deadline = time.monotonic() + self.notebook_timeout
        self._bytes = {}
        self._student_ran = []
        return super().preprocess(nb, resources, km)

    def _trusted_cells(self, info):
        """grade id -> source of the locked cells of this notebook, from the gradebook."""
        try:
            from nbgrader.api import Gradebook
            with Gradebook(info["db_url"]) as gb:
                nb = gb.find_notebook(info["notebook"], info["assignment"])
                return {c.name: c.source for c in nb.source_cells if c.locked}
        except Exception:  # trust nbgrader's metadata then (OverwriteCells has restored locked cells)
            return None

    def _event(self, kind, text, cell=None):
        EVENTS.append({"notebook": self._label, "kind": kind, "cell": cell, "text": text})

    def _role(self, cell):
        meta = cell.metadata.get("nbgrader", {})
        gid = meta.get("grade_id")
        trusted = (cell.cell_type == "code" and meta.get("locked") and not meta.get("solution")
                   and (self._trusted is None or self._trusted.get(gid) == cell.source))
        return gid, trusted, bool(trusted and meta.get("grade"))

    async def _ask(self, code, var=None):
        """Run guard code silently in the kernel; its JSON answer, or None if it did not come."""
        var = var or self._var
        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False,
                                     user_expressions={"r": f"{var}.result"})
            deadline = time.monotonic() + self.guard_timeout
            while time.monotonic() < deadline:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=1)
                except Exception:  # queue.Empty
                    if not await self.kc.is_alive():
                        return None
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    if msg["content"].get("status") != "ok":
                        return None
                    text = msg["content"]["user_expressions"]["r"]["data"]["text/plain"]
                    answer = json.loads(ast.literal_eval(text[:200_000]))
                    return answer if answer.get("ok") else None
        except Exception:
            return None
        return None

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if cell_index in self._skip:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=demonstrations.NOT_RUN)]
            return cell
        gid, trusted, graded = self._role(cell)
        label = gid or f"#{cell_index + 1}"
        if not self._stopped and time.monotonic() > self._deadline:
            self._stop(f"the notebook ran past its time budget ({self.notebook_timeout} s)")
        if self._stopped:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")] if graded else []
            return cell
        if self.guard and not self._sealed:
            self._sealed = True
            self._guard_ok = await self._ask(integrity.guard_source(self._var)) is not None
            if not self._guard_ok:
                self._event("integrity", "the integrity guard could not start in the kernel")
        before = None
        if self.guard and trusted:
            before = await self._ask(integrity.guard_request(self._var, "before")) if self._guard_ok else None
            if before and before["changed"]:
                culprits = ", ".join(self._student_ran[-3:]) or "student code"
                self._event("integrity", f"replaced {_short(before['changed'])} (in {culprits}); put back "
                            f"before {label} ran", label)
            if before and before.get("threads"):
                self._event("integrity", f"background threads were running during {label}: "
                            f"{', '.join(before['threads'][:5])}", label)
        if trusted:
            self._student_ran = []
        else:
            self._student_ran.append(label)
        try:
            return await self._execute_guarded(cell, cell_index, execution_count, store_history, label,
                                               trusted, graded, before)
        finally:
            if self._bytes.get(cell_index, 0) > self.max_output_bytes:
                self._event("output", f"cell {label} printed {self._bytes[cell_index] / 1e6:.1f} MB; "
                            f"only the first {self.max_output_bytes / 1e6:g} MB were kept", label)

    async def _execute_guarded(self, cell, cell_index, execution_count, store_history, label, trusted, graded,
                               before):
        timed_out = []
        self._timeout_hit = timed_out
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "KernelDied", "the kernel stopped while this cell ran (os._exit, a crash, or a memory, "
                "process or CPU limit); the cells after it were not run")]
            self._event("kernel", f"the kernel died in cell {label}; later cells were not run", label)
            self._stopped = f"the kernel died in cell {label}"
            return cell
        except Exception as exc:  # e.g. no output within iopub_timeout: the kernel is in a bad state
            if isinstance(exc, CellTimeoutError):
                why = f"cell {label} ran past the {self.timeout} s time limit and did not stop when interrupted"
            else:
                why = f"cell {label} broke the kernel's messaging ({type(exc).__name__}: {str(exc)[:100]})"
            cell.outputs = list(cell.get("outputs", [])) + [_error("GradingError", why)]
            self._event("kernel", why, label)
            if not await self._responsive():
                self._stop(f"the kernel stopped answering after cell {label}")
            return cell
        if timed_out:
            self._event("timeout", f"cell {label} ran past the {self.timeout} s time limit and was interrupted", label)
            if not await self._responsive():
                self._stop(f"cell {label} ran past the time limit and the kernel stopped answering")
                return cell
        if self.guard and trusted:
            names, attrs, star = integrity.bindings(cell.source)
            after = await self._ask(integrity.guard_request(self._var, "after", names, attrs, star)) \
                if (self._guard_ok and before is not None) else None
            if graded and (after is None or after["changed"]):
                why = (f"the code under test replaced {_short(after['changed'])} while this test ran"
                       if after else "the grader's integrity check could not run in this kernel")
                cell.outputs.append(_error("IntegrityError", f"{why}; this test does not count"))
                self._event("integrity", f"{label}: {why}; scored 0", label)
        if graded:  # nbgrader scores a test cell with any stderr 0: a warning from student code must not cost points
            for out in cell.outputs:
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
        broken = self._rule_failures.get(cell_index) if graded else None
        if broken:
            cell.outputs.append(_error("RuleError", f"{broken}; this test does not count"))
            self._event("rule", f"{label}: {broken}; scored 0", label)
        return cell

    execute_cell = run_sync(async_execute_cell)

    async def _async_handle_timeout(self, timeout, cell=None):
        hit = getattr(self, "_timeout_hit", None)
        if hit is not None:
            hit.append(cell)
        return await super()._async_handle_timeout(timeout, cell)

    async def _responsive(self):
        """True when the kernel answers a trivial request within a few seconds."""
        try:
            msg_id = self.kc.execute("pass", silent=True, store_history=False)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=1)
                except Exception:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return True
        except Exception:
            pass
        return False

    def _stop(self, why):
        """Stop executing this notebook: kill the kernel; later test cells count as not run."""
        self._stopped = why
        self._event("kernel", f"grading of this notebook stopped: {why}")
        try:
            if self.km is not None and self.km.provisioner is not None and self.km.provisioner.process:
                self.km.provisioner.process.kill()
        except Exception:
            pass

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most max_output_bytes of output per cell; note once what was dropped."""
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in (content.get("data") or {}).values()) \
            + sum(len(str(v)) for v in content.get("traceback", []))
        total = self._bytes.get(cell_index, 0) + size
        self._bytes[cell_index] = total
        if total > self.max_output_bytes and msg["msg_type"] != "error":
            if total - size <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                    f"\n[output truncated by the grader: more than {self.max_output_bytes} bytes]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)


def _short(labels, n=4):
    """A readable list of what changed."""
    shown = [lbl.replace("ns.", "the name ", 1) if lbl.startswith("ns.") else lbl for lbl in labels[:n]]
    return ", ".join(shown) + (f" and {len(labels) - n} more" if len(labels) > n else "")




def configure(config, sandbox=True, hidden=(), check=True):
    """Set up a traitlets Config for guarded grading, in the sandbox unless `sandbox` is False.

    With `check`, raises SandboxUnavailable at once when the sandbox is asked for and bubblewrap
    cannot provide it (without, the kernel refuses to start later, when grading begins).
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, ClearOutput, DeduplicateIds, IgnorePattern,
                                        LimitOutput, OverwriteCells, OverwriteKernelspec, SaveAutoGrades)
    if sandbox and check:
        require()
    config.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                                               integrity.RestoreLockedCells, integrity.CheckCellMetadata]
    config.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                                LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                                integrity.CheckCellMetadata]
    config.GuardedExecute.sandbox = bool(sandbox)
    config.SandboxKernelManager.hidden_paths = sorted({str(Path(p).resolve()) for p in hidden})
    return config


def _cell_notes(path, trusted_ids):
    """Errors in the autograded notebook `path`: in the student's own cells, and failed tests."""
    import nbformat
    notes = []
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return notes
    for i, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if cell.cell_type != "code" or not errors or errors[0].get("ename") == "KernelDied":
            continue
        label = meta.get("grade_id") or f"#{i + 1}"
        first = f"{errors[0]['ename']}: {str(errors[0].get('evalue', ''))[:100]}"
        if meta.get("grade_id") in trusted_ids and not meta.get("solution"):
            if meta.get("grade"):
                notes.append(f"test {label} failed ({first})")
        else:
            notes.append(f"cell {label} raised {first}")
    return notes


def _edited_locked(path, locked):
    """Locked cells the student changed (nbgrader grades the instructor's version instead)."""
    import nbformat
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return []
    return [f"locked cell {c.metadata['nbgrader']['grade_id']} was edited; the original was put back"
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") in locked
            and c.source != locked[c.metadata["nbgrader"]["grade_id"]]
            and not c.metadata["nbgrader"].get("solution") and c.cell_type == "code"]


_EXCEPTION_LINE = re.compile(r"^\s*(?:[\w.]+\.)?(\w+(?:Error|Exception|Interrupt|Exit|Gone|Unavailable)\b.*)$")


def _reason(result):
    """The last exception line of nbgrader's traceback (not its "see the traceback above"), for a table."""
    text = (result.get("error") or "") + "\n" + (result.get("log") or "")
    found = [m.group(1).strip() for m in map(_EXCEPTION_LINE.match, text.splitlines())
             if m and not m.group(1).startswith("NbGraderException: Please see")]
    return found[-1][:400] if found else "autograde failed (see nbgrader's log)"


def grade_submission(api, aid, student, sandbox=True):
    """Autograde one student's assignment with the guard (and the sandbox); (ok, error, notes).

    Never lets one submission stop the class: what nbgrader cannot read gets a reason, the
    kernel's fate and the guard's findings become notes, and the TA's integrity report is
    written to reports/integrity/<assignment>/<student>.md in the course folder.
    """
    import nbformat
    cd = api.coursedir
    root = Path(cd.root)
    folder = Path(cd.format_path(cd.submitted_directory, student, aid))
    release = {p.name: p for p in sorted(Path(cd.format_path(cd.release_directory, ".", aid)).glob("*.ipynb"))}
    ok, error, notes, findings = False, integrity.preflight(folder, sorted(release)), [], []
    EVENTS.clear()
    integrity.RestoreLockedCells.restored = []
    if not error:
        configure(api.config, sandbox, hidden=[root, Path.home()])
        try:
            result = api.autograde(aid, student, force=True, create=True)
        except Exception as exc:  # nbgrader itself failed on this submission
            result = {"success": False, "error": f"{type(exc).__name__}: {exc}"}
        ok = bool(result["success"])
        error = "" if ok else _reason(result)
        for name, path in release.items():
            rel = nbformat.read(path, as_version=4)
            try:
                findings += integrity.scan_notebook(nbformat.read(folder / name, as_version=4), rel, name)
            except Exception:
                pass
            trusted = {c.metadata.get("nbgrader", {}).get("grade_id"): c.source for c in rel.cells
                       if c.metadata.get("nbgrader", {}).get("locked")}
            notes += _edited_locked(folder / name, trusted)
            notes += _cell_notes(Path(cd.format_path(cd.autograded_directory, student, aid)) / name, trusted)
    notes = [f"{nb}: locked cell {gid} was missing and was put back" for nb, gid in
             integrity.RestoreLockedCells.restored] + [e["text"] for e in EVENTS] + notes
    if findings:
        notes.append(f"static scan flagged {len(findings)} line(s) for the TA")
    result_line = ("graded" if ok else f"not graded: {error}") + (" (sandboxed)" if sandbox else " (UNSANDBOXED)")
    integrity.write_report(root / "reports" / "integrity" / aid / f"{student}.md", student, aid, result_line,
                           notes, findings)
    return ok, error, notes


def attention_lines(outcomes):
    """Lines for under the grade table: submissions a TA should look at, and why."""
    lines = []
    for o in outcomes:
        notes = [n for n in getattr(o, "notes", []) if not n.startswith(("test ", "cell "))]
        if notes:
            more = f" (+{len(notes) - 1} more)" if len(notes) > 1 else ""
            lines.append(f"  - {o.student} ({o.assignment}): {notes[0][:140]}{more}")
    if lines:
        lines.insert(0, "\nneeds a look (details in reports/integrity/<assignment>/<student>.md):")
    return lines
