"""Kernels in the sandbox: jupyter_client kernel managers whose kernels run inside bubblewrap.

- ``IPCKernelManager``: a kernel on Unix sockets with a unique name (no TCP port races);
- ``SandboxKernelManager``: the same inside bubblewrap with resource limits (``prlimit``), the
  working folder shown read-only on a private tmpfs, no network, its own uid when grading as root;
- ``WarmKernelManager``: the same sandbox, the kernel forked from this thread's warm server
  (forkserver.py), which has already imported torch; the server is reset after every kernel;
- ``sandboxed_command``: any command in a sandbox built like a cold kernel's (the mutation audit).

They know nothing of nbgrader; grading/execute.py picks one per notebook.
"""
import contextlib
import json
import os
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
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_async
from traitlets import CaselessStrEnum, Float, Integer, List, Unicode, default

from . import forkserver
from .bwrap import (
    ETC,
    SandboxUnavailable,
    bwrap_features,
    check_workdir,
    dlcourse_folder,
    gpu_devices,
    is_within,
    python_paths,
    require,
    tasks_of_uid,
)


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
            cap = [f"--IPKernelApp.exec_lines=['__import__(\"dlcourse.isolation.forkserver\", fromlist=[\"warm\"])"
                   f".limit_gpu_memory({float(self.gpu_memory_fraction)!r}, {int(self.gpu_memory_mb)})']"]
        return [sys.executable, "-m", "ipykernel_launcher", "-f", os.path.realpath(self.connection_file), *cap,
                *(extra_arguments or [])]

    def sandbox_command(self, kernel_cmd, workdir, server=None):
        """The bwrap + setpriv + prlimit command line around `kernel_cmd`.

        With `server` (a forkserver.WarmServer), the command line of a warm server instead: its folders
        bound in, a scratch tmpfs for the kernels' working copies in place of `workdir`, and when
        grading as root the capabilities to hand each kernel the sandbox uid instead of that uid.
        """
        feats = bwrap_features()
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
        for name in ETC:
            args += ["--ro-bind-try", f"/etc/{name}", f"/etc/{name}"]
        args += ["--proc", "/proc", "--dev", "/dev", *scratch("/dev/shm"), *scratch("/tmp")]
        gpus = gpu_devices()
        for dev in gpus:
            args += ["--dev-bind-try", dev, dev]
        ro = python_paths() + list(self.extra_ro_paths) + (["/sys"] if gpus else [])
        for path in ro:
            for hidden in self.hidden_paths:
                if is_within(hidden, path):
                    raise SandboxUnavailable(f"refusing to start the kernel: {path} would be visible inside "
                                             f"the sandbox and it contains {hidden}")
        if server:
            workdir = forkserver.JOBS
            rw = [(str(server.ctl), "--bind"), (str(server.run), "--bind"), (str(server.incoming), "--ro-bind")]
        else:
            check_workdir(workdir, self._run)
            rw = [(self._run, "--bind")]
        binds = [(p, p, "--ro-bind") for p in ro] + [(p, p, how) for p, how in rw]
        made = {"/", "/usr", "/tmp", "/proc", "/dev", "/etc"}
        for dest in [d for _, d, _ in binds] + [workdir]:
            for parent in reversed(Path(dest).parents):
                p = str(parent)
                if p not in made and not any(is_within(p, d) for _, d, _ in binds):
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
            for cap in forkserver.CAPS:
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
            tasks = tasks_of_uid(os.geteuid()) + self.max_tasks * (2 if server else 1)
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


class WarmKernelManager(SandboxKernelManager):
    """A sandboxed kernel forked from this thread's warm server, which has imported torch (forkserver.py).

    Same sandbox, limits and uid as SandboxKernelManager's kernels; the working folder is a scratch
    copy of the submission's folder under /jobs, and the server is reset after every kernel.
    """
    left_running = Integer(0, help="processes the notebook left running, killed by the reset")

    def _make_folders(self):
        env = self.sandbox_env()
        uid = self.uid if os.geteuid() == 0 else 0
        key = (uid, self.memory_mb, self.max_tasks, self.file_size_mb, self.open_files, self.cpu_seconds,
               self.scratch_mb, tuple(self.hidden_paths), tuple(self.extra_ro_paths), tuple(sorted(env.items())))
        def command(server):  # what is bound in (under /tmp, say) must survive the scratch cleaning
            keep = [*python_paths(), *self.extra_ro_paths, str(server.folder)]
            return self.sandbox_command([sys.executable, "-m", "dlcourse.isolation.forkserver", server.socket, str(uid),
                                         json.dumps(keep)], None, server)
        self._warm = forkserver.server_for(key, command, env, uid)
        self._tmp = self._run = self._warm.run_folder()

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        workdir = os.path.realpath(kw.pop("cwd", None) or os.getcwd())
        check_workdir(workdir, self._run)
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
        except forkserver.ServerGone:
            forkserver.stop_servers()  # the next kernel starts a new one
            return
        self.left_running += killed
