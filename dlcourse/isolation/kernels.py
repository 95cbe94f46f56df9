"""Kernels in the sandbox, on jupyter_client's documented extension points.

- ``IPCKernelManager``: a kernel on Unix sockets with a unique name (no TCP port races);
- ``SandboxKernelManager``: a kernel manager whose kernel spec names ``SandboxProvisioner``, a
  kernel provisioner (``jupyter_client.kernel_provisioners`` entry point, pyproject.toml) that
  launches the kernel inside bubblewrap with resource limits (``prlimit``), the working folder
  shown read-only on a private tmpfs, no network, its own uid when grading as root; the limits are
  the manager's configurable traits;
- ``WarmKernelManager``: the same sandbox, the kernel forked by ``WarmProvisioner`` from this
  thread's warm server (forkserver.py), which has already imported torch; the server is reset
  after every kernel;
- ``sandboxed_command``: any command in a sandbox built like a cold kernel's (the mutation audit).

Interrupts go over the control channel (kernel spec ``interrupt_mode: message``): a signal would
only reach bwrap. They know nothing of nbgrader; grading/execute.py picks one per notebook.
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
from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_core.utils import ensure_async
from traitlets import CaselessStrEnum, Dict, Float, Integer, List, Unicode, default

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

    async def wait_for_ready(self, timeout=None):
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
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout:g} seconds")
        while True:
            try:
                await ensure_async(self.iopub_channel.get_msg(timeout=0.01))
            except Empty:
                break


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets named after a unique file.

    jupyter_client's default picks TCP ports by binding and releasing them, and another
    process starting a kernel at the same moment can pick the same ones. (With the IPC
    transport and no connection file yet, it would name every kernel's sockets "kernel-ipc"
    relative to the kernel's folder, hence the unique absolute connection file here.)
    """
    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    kernel_env = Dict(Unicode(), help="more environment variables for the kernel (DLCOURSE_DEVICE, say)"
                      ).tag(config=True)

    @default("kernel_spec_manager")
    def _spec_with_env(self):
        return EnvKernelSpecs(parent=self)

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

    provisioner_name = "dlcourse-sandbox"

    @default("kernel_spec_manager")
    def _sandbox_kernel_specs(self):
        return SandboxKernelSpecs(parent=self)

    def kernel_argv(self):
        """Our Python's ipykernel, whatever kernelspec the notebook names; the GPU memory cap armed at
        kernel start (applied at the kernel's first CUDA use)."""
        cap = []
        if self.gpu_memory_fraction or self.gpu_memory_mb:
            cap = [f"--IPKernelApp.exec_lines=['__import__(\"dlcourse.isolation.forkserver\", fromlist=[\"x\"])"
                   f".limit_gpu_memory({float(self.gpu_memory_fraction)!r}, {int(self.gpu_memory_mb)})']"]
        return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", *cap]

    def sandbox_command(self, kernel_cmd, workdir, folder=None, server=None):
        """The bwrap + setpriv + prlimit command line around `kernel_cmd`, working in `workdir`; `folder`
        is ours, its run/ subfolder (connection file, sockets) the one the kernel shares with us.

        With `server` (a forkserver.WarmServer), the command line of a warm server instead: its folders
        bound in, a scratch tmpfs for the kernels' working copies in place of `workdir`, and when
        grading as root the capabilities to hand each kernel the sandbox uid instead of that uid.
        """
        feats = bwrap_features()
        host_scratch = str(server.folder) if server else folder
        run = os.path.join(folder, "run") if folder else None
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
            check_workdir(workdir, run)
            rw = [(run, "--bind")]
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
        env.update(self.kernel_env)
        return env


@contextlib.contextmanager
def sandboxed_command(cmd, workdir, hidden=()):
    """(argv, env) that run `cmd` in `workdir` in a sandbox built like a cold kernel's (same binds, limits)."""
    require()
    km = SandboxKernelManager(hidden_paths=sorted({str(Path(p).resolve()) for p in hidden}))
    folder = new_folder()
    try:
        yield km.sandbox_command(list(cmd), os.path.realpath(workdir), folder), km.sandbox_env()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


class WarmKernelManager(SandboxKernelManager):
    """A sandboxed kernel forked from this thread's warm server, which has imported torch (forkserver.py).

    Same sandbox, limits and uid as SandboxKernelManager's kernels; the working folder is a scratch
    copy of the submission's folder under /jobs, and the server is reset after every kernel.
    """
    provisioner_name = "dlcourse-warm"
    left_running = Integer(0, help="processes the notebook left running, killed by the reset")
    server = None  # the warm server the kernel came from

    def warm_server(self):
        """This thread's warm server for these settings, started when needed (jupyter_client may run the
        kernel's start in a thread of its own when an event loop runs in the caller's)."""
        env = self.sandbox_env()
        uid = self.uid if os.geteuid() == 0 else 0
        key = (uid, self.memory_mb, self.max_tasks, self.file_size_mb, self.open_files, self.cpu_seconds,
               self.scratch_mb, tuple(self.hidden_paths), tuple(self.extra_ro_paths), tuple(sorted(env.items())))

        def command(server):  # what is bound in (under /tmp, say) must survive the scratch cleaning
            keep = [*python_paths(), *self.extra_ro_paths, str(server.folder)]
            return self.sandbox_command([sys.executable, "-m", "dlcourse.isolation.forkserver", server.socket,
                                         str(uid), json.dumps(keep)], None, server=server)
        self.server = forkserver.server_for(key, command, env, uid)
        return self.server


class EnvKernelSpecs(KernelSpecManager):
    """The kernel specs jupyter_client finds, with the kernel manager's (the parent's) `kernel_env` added."""

    def get_kernel_spec(self, kernel_name):
        spec = super().get_kernel_spec(kernel_name)
        spec.env = {**spec.env, **self.parent.kernel_env}
        return spec


class SandboxKernelSpecs(KernelSpecManager):
    """Kernel specs for a sandbox kernel manager (its parent): any kernel name is our Python's ipykernel,
    launched by the manager's provisioner and interrupted by message."""

    def get_kernel_spec(self, kernel_name):
        km = self.parent
        return KernelSpec(argv=km.kernel_argv(), display_name="Python 3 (sandboxed)", language="python",
                          interrupt_mode="message",
                          metadata={"kernel_provisioner": {"provisioner_name": km.provisioner_name}})


def new_folder():
    """A private temporary folder, and in it run/, the one a kernel shares with us (connection file, sockets)."""
    folder = tempfile.mkdtemp(prefix="dlcourse-kernel-")
    os.mkdir(os.path.join(folder, "run"), 0o700)
    return folder


class SandboxProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, its kernel launched inside bubblewrap (the kernel manager,
    its parent, holds the settings and builds the command line)."""

    folder = None
    log = None

    async def pre_launch(self, **kwargs):
        require()
        km = self.parent
        self.folder, run = self.make_folders()
        km.transport, km.connection_file, km.ip = "ipc", os.path.join(run, "kernel.json"), os.path.join(run, "ipc")
        return await super().pre_launch(**kwargs)

    def make_folders(self):
        """(our folder, the one shared with the kernel)."""
        folder = new_folder()
        return folder, os.path.join(folder, "run")

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        workdir = os.path.realpath(kwargs.pop("cwd", None) or os.getcwd())
        cmd = km.sandbox_command(cmd, workdir, self.folder)
        if os.geteuid() == 0:  # the kernel's own uid owns its socket folder and reads the connection file
            for path in (os.path.join(self.folder, "run"), km.connection_file):
                os.chown(path, km.uid, km.uid)
        self.log = open(os.path.join(self.folder, "kernel.log"), "ab")
        kwargs.update(cwd=self.folder, env=km.sandbox_env(), stdin=subprocess.DEVNULL, stdout=self.log,
                      stderr=subprocess.STDOUT)
        return await super().launch_kernel(cmd, **kwargs)

    async def cleanup(self, restart=False):
        """Make sure the sandbox is gone (bwrap's --die-with-parent takes what is in it along), then its folder."""
        await super().cleanup(restart=restart)
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        if self.log is not None and not self.log.closed:
            self.log.close()
        if self.folder:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


class WarmProvisioner(SandboxProvisioner):
    """The kernel forked by this thread's warm server instead of launched cold; the server is reset after it."""

    server = None

    def make_folders(self):
        self.server = self.parent.warm_server()
        run = self.server.run_folder()
        return run, run

    async def launch_kernel(self, cmd, **kwargs):
        km = self.parent
        workdir = os.path.realpath(kwargs.pop("cwd", None) or os.getcwd())
        check_workdir(workdir, self.folder)
        if os.geteuid() == 0:
            os.chown(km.connection_file, km.uid, km.uid)
        argv = cmd[cmd.index("ipykernel_launcher") + 1:]  # -f <connection file>, nbclient's options
        self.process = self.server.start_kernel(argv, km.connection_file, workdir, km.sandbox_env(),
                                                os.path.join(self.folder, "kernel.log"))
        self.pid, self.pgid = self.process.pid, None
        return self.connection_info

    async def cleanup(self, restart=False):
        """Kill what the notebook left running and empty the scratch, before the next kernel."""
        folder = self.folder
        await super().cleanup(restart=restart)
        server, self.server = self.server, None
        if server is None or folder is None:
            return
        try:
            self.parent.left_running += server.reset(Path(folder).name)
        except forkserver.ServerGone:
            forkserver.stop_servers()  # the next kernel starts a new one
