"""bubblewrap: whether it works here, and the folders and limits a sandbox is built from.

The command line itself is ``kernels.SandboxKernelManager.sandbox_command`` (its limits are the
kernel manager's configurable traits); this module holds what that needs and what callers check
first (``probe``, ``require``).
"""
import functools
import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psutil

ETC = ["ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "timezone", "alternatives", "fonts",
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
def bwrap_features():
    text = subprocess.run([shutil.which("bwrap"), "--help"], capture_output=True, text=True).stdout
    return {opt for opt in ("--size", "--perms", "--unshare-cgroup-try") if opt in text}


def tasks_of_uid(uid):
    """Processes and threads the user `uid` runs now (RLIMIT_NPROC counts them all)."""
    count = 0
    for process in psutil.process_iter(["uids", "num_threads"]):
        uids = process.info["uids"]
        if uids is not None and uids.real == uid:
            count += process.info["num_threads"] or 1
    return count


def gpu_devices():
    """The GPU device files of this machine, to pass into a sandbox."""
    return sorted(glob.glob("/dev/nvidia*")) + sorted(glob.glob("/dev/dri"))


def check_workdir(workdir, run):
    if is_within(run, workdir) or workdir in ("/", "/usr", "/etc", "/proc", "/dev"):
        raise SandboxUnavailable(f"refusing to use {workdir} as a student's working folder")


def is_within(path, parent):
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
    return sorted(p for p in paths if p and os.path.isdir(p) and not is_within(p, "/usr"))
