"""Unix accounts for a class: one per roster row, a group for the TAs, made and removed with the system's tools.

The hub (deploy.py) logs people in with PAM and starts each server as its owner's account, so
every student and TA is a real user of the machine. ``create`` makes the accounts that do not
exist yet (``useradd``), sets their passwords (``chpasswd``) and puts the TAs in the course's TA
group; it returns the names it made, and ``remove`` deletes only those (``userdel -r``), so an
account that was there before is never touched. Needs root.
"""
import grp
import os
import pwd
import secrets
import shutil
import subprocess


class AccountError(RuntimeError):
    """An account could not be made or removed: the tool's own message."""


def tool(name):
    """A system tool's path (useradd and runuser live in sbin, which PATH may lack)."""
    found = shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))
    if not found:
        raise AccountError(f"{name} is not installed here")
    return found


def _run(*argv, stdin=None):
    run = subprocess.run([tool(argv[0]), *argv[1:]], input=stdin, capture_output=True, text=True)
    if run.returncode != 0:
        raise AccountError(f"{' '.join(argv[:2])} failed: {(run.stderr or run.stdout).strip()}")


def exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def group_exists(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def require_root():
    if os.geteuid() != 0:
        raise AccountError("making the class's Unix accounts needs root: run `sudo make hub`")


def create(names, ta_group, tas=(), passwords=None, home_base=None):
    """Make the accounts of `names` that do not exist, with `passwords` (name -> password; random when
    missing) and a home each; the TAs in `ta_group` (made when missing). Returns (made, passwords)."""
    require_root()
    passwords = dict(passwords or {})
    made = []
    for name in names:  # before anything is made
        if exists(name) and (name == "root" or pwd.getpwnam(name).pw_uid < 1000):
            raise AccountError(f"{name} is a system account: the roster cannot name it")
        home = os.path.join(str(home_base) if home_base else "/home", name)
        if not exists(name) and os.path.exists(home):
            raise AccountError(f"{home} exists but no account {name} does: move it away first (removing the "
                               "account later would delete it)")
    if not group_exists(ta_group):
        _run("groupadd", ta_group)
    try:
        for name in names:
            if exists(name):
                continue
            base = ["--base-dir", str(home_base)] if home_base else []
            _run("useradd", "--create-home", *base, "--shell", "/bin/bash", "--user-group", name)
            made.append(name)
            passwords.setdefault(name, secrets.token_urlsafe(12))
        lines = "".join(f"{n}:{passwords[n]}\n" for n in names if n in passwords)
        if lines:
            _run("chpasswd", stdin=lines)
        for name in tas:
            _run("usermod", "--append", "--groups", ta_group, name)
    except AccountError:
        remove(made)
        raise
    return made, passwords


def remove(names, ta_group=None):
    """Delete the accounts `names` (their homes and mail too) and, when given and empty, the TA group."""
    require_root()
    failed = []
    for name in names:
        if exists(name):
            home = pwd.getpwnam(name).pw_dir  # made with the account (create refuses a home that was there)
            run = subprocess.run([tool("userdel"), "--remove", "--force", name], capture_output=True, text=True)
            if run.returncode not in (0, 12) or exists(name):  # 12: no mail spool to remove
                failed.append(f"{name}: {run.stderr.strip()}")
            elif home and home != "/" and os.path.isdir(home):
                shutil.rmtree(home, ignore_errors=True)
    if ta_group and group_exists(ta_group) and not grp.getgrnam(ta_group).gr_mem:
        subprocess.run([tool("groupdel"), ta_group], capture_output=True)
    if failed:
        raise AccountError("could not remove " + "; ".join(failed))


def uid(name):
    return pwd.getpwnam(name).pw_uid
