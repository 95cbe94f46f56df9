"""Warm kernels: a fork server inside the sandbox that has already imported torch.

Starting a kernel and importing torch, numpy and matplotlib costs about two seconds per notebook,
far more than a notebook's tests. So each grading thread keeps one *warm server*: a Python process
inside its own bubblewrap sandbox (the same limits and view of the machine as a kernel's sandbox)
that imports those modules once and then forks a fresh kernel process per notebook. Every
notebook still runs in its own new process; only the imports are shared, copy-on-write.

Between notebooks the server puts the sandbox back as it was: it kills every process left in it
(a student's background process does not outlive their notebook) and empties the scratch folders
(/tmp, /dev/shm and the notebook's working copy), so nothing of one student reaches the next.

When grading as root the server runs as root without any capability but CAP_SETUID, CAP_SETGID and
CAP_KILL, and each forked kernel drops to the sandbox's unprivileged uid before anything of the
student's runs: kernels can neither signal nor inspect the server. (Grading as an ordinary user,
kernels share the server's uid; the server is not dumpable, so they cannot read or trace it either.)

The server speaks one JSON line per Unix-socket connection, in a folder only the grader can enter:
``start`` (fork a kernel), ``poll``, ``signal`` and ``reset``. ``WarmServer`` is the grader's end,
``serve`` the server's.

The module is long because both ends of one protocol live here: the server's side (serve, fork,
reset, privilege drop) and the grader's (``WarmServer``), so a change to one is seen with the other.
"""
import atexit
import ctypes
import gc
import importlib
import json
import multiprocessing.util
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

PRELOAD = ("numpy", "numpy.random", "torch", "torch.nn", "torch.nn.functional", "torch.optim", "matplotlib",
           "matplotlib.pyplot", "dlcourse.checks", "dlcourse.device", "dlcourse.plots", "dlcourse.rules",
           "dlcourse.properties", "hypothesis",
           # what a kernel imports as it starts (the debugger, pydevd, IPython's magics, sqlite3 ...)
           "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger", "debugpy.server.api",
           "IPython.core.debugger", "IPython.core.oinspect", "IPython.core.completerlib", "IPython.core.logger",
           "IPython.extensions.storemagic", "sqlite3", "tornado.queues", "tornado.platform.asyncio", "pdb",
           "pydoc", "http.server", "xmlrpc.server", "faulthandler", "secrets", "code")
JOBS = "/jobs"  # the kernels' working copies, a tmpfs inside the sandbox
SCRATCH = (JOBS, "/tmp", "/dev/shm")
CAPS = ("CAP_SETUID", "CAP_SETGID", "CAP_KILL")

_PR_SET_DUMPABLE, _PR_SET_CHILD_SUBREAPER, _PR_SET_NO_NEW_PRIVS = 4, 36, 38


def _prctl(option, value):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, ctypes.c_ulong(value), 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


# ---------------------------------------------------------------- the server, inside the sandbox

def serve(ctl_path, uid, keep):
    """Import the heavy modules, then answer requests on the Unix socket `ctl_path` for ever.

    `keep`: the folders bound in from the grader's machine (Python, dlcourse, the server's own);
    scratch cleaning never touches them or the folders leading to them.
    """
    keep = [os.path.normpath(k) for k in keep]
    preload()
    _wipe(keep)  # caches the imports wrote (kernels make their own, as in a cold start)
    gc.freeze()  # the kernels' collections skip what the imports made (and leave those pages shared)
    _prctl(_PR_SET_DUMPABLE, 0)
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)  # orphans of a kernel come back to us, to be reaped and killed
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(ctl_path)
    listener.listen(8)
    kernels = {}  # pid -> exit code, None while running
    while True:
        conn, _ = listener.accept()
        conn.settimeout(30)
        with conn:
            try:
                req = json.loads(_read_line(conn))
                reply = _handle(req, uid, kernels, listener, conn, keep)
            except Exception as exc:
                reply = {"error": f"{type(exc).__name__}: {exc}"}
            try:
                conn.sendall((json.dumps(reply) + "\n").encode())
            except OSError:
                pass


def preload():
    """The server's start-up imports. They must not initialise CUDA: a kernel forked from a process
    that has (even by torch.cuda.device_count()) cannot use the GPU, so nothing here asks torch.cuda."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # as ipykernel sets it
    for name in PRELOAD:
        importlib.import_module(name)
    _first_meta_operation()
    _first_traceback()
    _first_property_check()


def _first_meta_operation():
    """Checks run answers on the `meta` device; torch's first meta operation imports ~800 modules
    (its Python decompositions, symbolic shapes: about a second), so the server pays for it once."""
    import torch
    x = torch.empty(2, device="meta")
    torch.empty_like(x + x).to(torch.float64)


def _first_property_check():
    """Hypothesis builds its strategies and engine the first time a property runs (a tenth of a second)."""
    from dlcourse.properties import for_all, seeds, shapes
    for_all("a property checked once in the warm server", lambda shape, seed: None, shapes(), seeds(), examples=3)


def _first_traceback():
    """A kernel formats its first traceback slowly (stack_data and pygments load, inspect indexes every
    module): the server formats one, so the kernels inherit what that loaded and indexed."""
    from IPython.core.ultratb import AutoFormattedTB
    try:
        raise RuntimeError("a traceback formatted once in the warm server")
    except RuntimeError:
        AutoFormattedTB(mode="Context").structured_traceback(*sys.exc_info())


def cuda_initialized():
    """Whether this process has initialised CUDA (reads torch's flag; calls nothing of CUDA)."""
    torch = sys.modules.get("torch")
    return bool(torch is not None and torch.cuda.is_initialized())


def limit_gpu_memory(fraction=0.0, mb=0):
    """In a kernel: cap torch's GPU memory on every GPU to `fraction` of it (or `mb` MiB), applied when
    CUDA is first used (torch.cuda._lazy_call), so nothing initialises CUDA now and a CPU does nothing."""
    if not (fraction or mb):
        return
    import torch

    def cap():
        for index in range(torch.cuda.device_count()):
            total = torch.cuda.get_device_properties(index).total_memory
            torch.cuda.set_per_process_memory_fraction(gpu_share(total, fraction, mb), index)
    torch.cuda._lazy_call(cap)


def gpu_share(total_bytes, fraction=0.0, mb=0):
    """The share of a GPU of `total_bytes` a kernel may use: `mb` MiB when given, else `fraction`."""
    share = mb * (1 << 20) / total_bytes if mb else fraction
    return min(1.0, max(0.0, share))


def _read_line(conn, limit=1 << 20):
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
    return data.decode()


def _handle(req, uid, kernels, listener, conn, keep):
    _reap(kernels)
    op = req.get("op")
    if op == "ping":
        return {"ok": True, "pid": os.getpid(), "cuda_initialized": cuda_initialized()}
    if op == "start":
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            _run_kernel(req, uid, listener, conn)  # never returns
        kernels[pid] = None
        return {"pid": pid}
    if op == "poll":
        return {"code": kernels.get(req["pid"], -9)}
    if op == "signal":
        pid = req["pid"]
        if pid in kernels and kernels[pid] is None:
            for send in (os.killpg, os.kill):
                try:
                    send(pid, req["signal"])
                    break
                except OSError:
                    continue
            deadline = time.monotonic() + 2
            while req["signal"] == signal.SIGKILL and kernels[pid] is None and time.monotonic() < deadline:
                time.sleep(0.002)  # so that the grader's next poll finds it gone
                _reap(kernels)
        return {"ok": True}
    if op == "reset":
        return _reset(uid, kernels, keep)
    return {"error": f"unknown request {op!r}"}


def _reap(kernels):
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in kernels:
            kernels[pid] = os.waitstatus_to_exitcode(status)


def _drop_privileges(uid):
    """Become the sandbox's unprivileged uid (when we are root), for good."""
    if uid:
        os.setgroups([])
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
    _prctl(_PR_SET_NO_NEW_PRIVS, 1)


def _run_kernel(req, uid, listener, conn):
    """In the forked child: become a fresh kernel process for one notebook, then exit."""
    code = 1
    try:
        listener.close()
        conn.close()
        os.setsid()
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(sig, signal.SIG_DFL)
        work = _working_copy(req["files"], Path(JOBS, req["token"], req["name"]))
        _drop_privileges(uid)
        _prctl(_PR_SET_DUMPABLE, 1)
        log = os.open(req["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
        os.close(null)
        os.chdir(work)
        os.environ.clear()
        os.environ.update(req["env"])
        sys.argv = [sys.executable, "-m", "ipykernel_launcher", *req["argv"]]
        import numpy
        numpy.random.seed()  # a new process draws a new seed (Python's random reseeds itself on fork)
        from ipykernel.kernelapp import IPKernelApp
        IPKernelApp.launch_instance(argv=sys.argv[3:])
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
    finally:
        os._exit(code)


def _working_copy(files, work):
    """Copy the submission's `files` to `work`, read-only (made by the server: when grading as root
    the kernel cannot change them); the kernel may add scratch files beside them."""
    work.mkdir(parents=True)
    _copy(files, work, folder_mode=0o555, file_mode=0o444)
    os.chmod(work, 0o1777)
    return work


def _symlinks(folder, names):
    return [n for n in names if os.path.islink(os.path.join(folder, n))]


def _copy(src, dst, folder_mode, file_mode):
    """Copy the folder `src` (when there is one) into `dst` without symlinks, with these modes."""
    if os.path.isdir(src):
        shutil.copytree(src, dst, ignore=_symlinks, dirs_exist_ok=True)
    for folder, _, names in os.walk(dst):
        os.chmod(folder, folder_mode)
        for name in names:
            os.chmod(os.path.join(folder, name), file_mode)


def _others():
    """Every process in the sandbox but bwrap's init and the server."""
    return [int(e) for e in os.listdir("/proc") if e.isdigit() and int(e) not in (1, os.getpid())]


def _reset(uid, kernels, keep):
    """Kill every process in the sandbox but ours; empty the scratch folders but the folders in `keep`.

    Answers how many processes were killed that were not kernels, and whether the sandbox is clean
    again (if not, the grader replaces the server).
    """
    killed = set()
    for _ in range(200):
        others = _others()
        if not others:
            break
        for pid in others:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except OSError:
                pass
        time.sleep(0.005)
        _reap(kernels)
    pid = os.fork()
    if pid == 0:  # empty the scratch folders as the kernels' own uid: what they wrote, they may remove
        try:
            _drop_privileges(uid)
            _wipe(keep)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    _reap(kernels)
    _wipe(keep)  # then the rest (the working copies), as the server
    clean = not _others() and not list(_removable(keep))
    strays = len(killed - set(kernels))  # counted before the ended kernels are forgotten
    for pid in [p for p, code in kernels.items() if code is not None]:
        del kernels[pid]  # the grader has seen them end
    return {"killed": strays, "clean": clean}


def _removable(keep):
    """What lies in the scratch folders and may go: all but the folders in `keep` and those above them."""
    stack = [top for top in SCRATCH if os.path.isdir(top)]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            if entry.path in keep:
                continue
            if any(k.startswith(entry.path + "/") for k in keep):
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)  # a folder bwrap made on the way to a bound one: look inside
            else:
                yield entry.path


def _wipe(keep):
    """Remove what may go from the scratch folders (without recursion: a student may nest deeply)."""
    stack = list(_removable(keep))
    folders = []
    while stack:
        path = stack.pop()
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                folders.append(path)
                stack.extend(e.path for e in os.scandir(path))
            else:
                os.unlink(path)
        except OSError:
            pass
    for path in reversed(folders):
        try:
            os.rmdir(path)
        except OSError:
            pass


# ---------------------------------------------------------------- the grader's end

class ServerGone(RuntimeError):
    """The warm server stopped (a kernel killed it, or it could not start)."""


class ForkedKernel:
    """The Popen-like handle jupyter_client's LocalProvisioner keeps, for a kernel the server forked."""
    stdin = stdout = stderr = None

    def __init__(self, server, pid):
        self.server, self.pid, self.returncode = server, pid, None

    def poll(self):
        if self.returncode is None:
            try:
                self.returncode = self.server.request(op="poll", pid=self.pid)["code"]
            except ServerGone:
                self.returncode = -signal.SIGKILL
        return self.returncode

    def wait(self, timeout=None):
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("kernel", timeout)
            time.sleep(0.05)
        return self.returncode

    def send_signal(self, signum):
        if self.returncode is None:
            try:
                self.server.request(op="signal", pid=self.pid, signal=int(signum))
            except ServerGone:
                pass

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def terminate(self):
        self.send_signal(signal.SIGTERM)


def startup_failure(log, exc):
    """Why a sandboxed Python did not start, from its output, in words a TA can act on."""
    missing = re.search(r"No module named '([\w.]+)'", log)
    if missing:
        return (f"Python inside the sandbox cannot import {missing.group(1)}: the sandbox shows only the "
                f"Python environment ({sys.prefix}) and the dlcourse package the grader runs, read-only; "
                f"install {missing.group(1).split('.')[0]} into that environment, or add its folder to "
                f"c.SandboxKernelManager.extra_ro_paths in nbgrader_config.py")
    lines = [line.strip() for line in log.splitlines() if line.strip()]
    return f"{exc}; its last words: {lines[-1][:300]}" if lines else f"{exc} (it printed nothing)"


class WarmServer:
    """The grader's end of one warm server: start it, ask it to fork kernels, reset it, stop it.

    `command(server)` gives the (bwrap) command line for this server, whose own folders (control
    socket, kernels' run folders, staged submissions) live under ``server.folder``; see
    ``kernels.WarmKernelManager``.
    """

    def __init__(self, command, env, uid, key, startup_timeout=300):
        self.key, self.uid = key, uid
        self.folder = Path(tempfile.mkdtemp(prefix="dlcourse-warm-"))
        self.ctl, self.run, self.incoming = (self.folder / name for name in ("ctl", "run", "incoming"))
        for path, mode in ((self.ctl, 0o700), (self.run, 0o711), (self.incoming, 0o755)):
            path.mkdir()
            os.chmod(path, mode)
        os.chmod(self.folder, 0o711)
        self.socket = str(self.ctl / "server.sock")
        self.log = open(self.folder / "server.log", "ab")
        self.process = subprocess.Popen(command(self), cwd=self.folder, env=env, stdin=subprocess.DEVNULL,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + startup_timeout
        while True:
            try:
                self.request(op="ping")
                break
            except ServerGone as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    log = self.log_text()  # before stop() removes the folder it is in
                    self.stop()
                    raise ServerGone(f"the warm kernel server did not start: {startup_failure(log, exc)}") from None
                time.sleep(0.05)

    def log_text(self):
        try:
            return (self.folder / "server.log").read_text(errors="replace")
        except OSError:
            return ""

    def alive(self):
        return self.process.poll() is None

    def request(self, **req):
        """Send one request; the server's answer. ServerGone when it does not answer."""
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.settimeout(60)
                conn.connect(self.socket)
                conn.sendall((json.dumps(req) + "\n").encode())
                answer = _read_line(conn)
        except OSError as exc:
            raise ServerGone(str(exc)) from None
        if not answer:
            raise ServerGone("the server closed the connection")
        reply = json.loads(answer)
        if "error" in reply:
            raise ServerGone(reply["error"])
        return reply

    def run_folder(self):
        """A new private folder for one kernel's connection file, sockets and log."""
        path = Path(tempfile.mkdtemp(prefix="k-", dir=self.run))
        if self.uid:
            os.chown(path, self.uid, self.uid)
        return str(path)

    def start_kernel(self, argv, connection_file, workdir, env, log):
        """Fork a kernel (``ipykernel_launcher`` with `argv`) in a scratch copy of `workdir`; its ForkedKernel."""
        token = Path(connection_file).parent.name
        staged = self.incoming / token
        _copy(workdir, staged, folder_mode=0o755, file_mode=0o644)  # readable by the kernel's uid
        reply = self.request(op="start", token=token, name=Path(workdir).name or "work", files=str(staged),
                             argv=list(argv), env=env, log=log)
        return ForkedKernel(self, reply["pid"])

    def reset(self, token=None):
        """Kill what is left in the sandbox and empty its scratch; processes killed that were not kernels.

        ServerGone when the server is gone or the sandbox could not be made clean: replace it then."""
        if token:
            shutil.rmtree(self.incoming / token, ignore_errors=True)
        reply = self.request(op="reset")
        if not reply["clean"]:
            raise ServerGone("a notebook left something in the sandbox the server could not remove")
        return reply["killed"]

    def stop(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_SERVERS = {}  # (pid, thread) -> that thread's warm server; a forked child does not inherit its parent's
_HOOKED = set()  # processes that stop their servers at exit


def _mine():
    return os.getpid(), threading.get_ident()


def server_for(key, command, env, uid):
    """This thread's warm server for settings `key`, started (or restarted) when needed.

    One per thread: a server's reset kills every process in its sandbox, so two threads grading at
    once must not share one."""
    server = _SERVERS.get(_mine())
    if server is not None and (server.key != key or not server.alive()):
        stop_servers()
        server = None
    if server is None:
        if os.getpid() not in _HOOKED:  # stop them at exit, also in a multiprocessing worker (no atexit there)
            _HOOKED.add(os.getpid())
            atexit.register(stop_servers, every_thread=True)
            multiprocessing.util.Finalize(None, stop_servers, kwargs={"every_thread": True}, exitpriority=10)
        for inherited in [k for k in _SERVERS if k[0] != os.getpid()]:
            del _SERVERS[inherited]  # the parent's, copied by fork: the parent stops it
        server = _SERVERS[_mine()] = WarmServer(command, env, uid, key)
    return server


def current_server():
    """This thread's warm server, or None."""
    return _SERVERS.get(_mine())


def stop_servers(every_thread=False):
    """Stop this thread's warm server (grading is over, or it must be replaced), or with
    `every_thread` all of this process's."""
    keys = [k for k in _SERVERS if k[0] == os.getpid()] if every_thread else [_mine()]
    for key in keys:
        server = _SERVERS.pop(key, None)
        if server is not None:
            server.stop()


if __name__ == "__main__":
    serve(sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]))
