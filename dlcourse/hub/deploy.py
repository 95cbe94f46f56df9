"""The course's JupyterHub on one machine: ``python -m dlcourse hub`` (``make hub``), as root.

From the roster (roster.py: students, and TAs with ``role`` = ``ta``) it sets up, in its folder
(default /srv/dlcourse-hub):

- a Unix account per person (accounts.py; passwords in ``passwords.csv``, readable by root only)
  and a TA group;
- ``venv/``: the course's environment installed from the repository (not in editable mode, so
  the accounts need no access to the repository, whose source/ holds the solutions), with a
  Python every account can run;
- ``proxy/``: JupyterHub's proxy, ``configurable-http-proxy`` from npm (pinned below);
- ``course/``: the TAs' course folder (nbgrader_config.py, course.toml, source/; then release/,
  the gradebook and everything grading writes), owned by the TA group and closed to others;
- ``exchange/``: nbgrader's exchange, mode 1777, through which releases, submissions and
  feedback pass, its course folders made by the hub for the TA group; collecting takes only what a
  student owns, without links, dated by when it last changed (grading/exchange.py);
- ``student-config/``: what a student's server reads (the course id and exchange; no formgrader);
- ``jupyterhub_config.py``: PAM login, a ``LocalProcessSpawner`` server per person started as
  their account, on 127.0.0.1; TAs start in ``course/`` with the formgrader, students in their home.

``start`` runs the hub in the foreground (Ctrl-C stops it and every server); ``remove`` deletes
the accounts it made and its folder.
"""
import csv
import grp
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from pathlib import Path

from ..grading.roster import read as read_roster
from . import accounts

PROXY = "configurable-http-proxy@5.3.0"
COURSE_FILES = ("nbgrader_config.py", "course.toml")
STUDENT_ONLY_OFF = {  # what a student's JupyterLab and server leave out
    "lab": ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:course-list", "@jupyter/nbgrader:create-assignment"],
    "server": ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"],
}


LAB_SETTINGS = {"@jupyterlab/apputils-extension:notification": {"fetchNews": "false"}}  # no news pop-up


class HubError(RuntimeError):
    """The hub cannot be set up as asked: what to do instead."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _say(text):
    print(text, flush=True)


def people(roster_path):
    """(students, TAs): roster ids, TAs being the rows whose role is ta."""
    rows = read_roster(roster_path)
    tas = [r["student_id"] for r in rows if r.get("role", "").lower() == "ta"]
    students = [r["student_id"] for r in rows if r["student_id"] not in tas]
    if not tas:
        raise HubError(f"{roster_path}: no TA (add a row with role = ta): someone must release and grade")
    return students, tas


# ---------------------------------------------------------------- the environment and the proxy

def runs_for_everyone(python):
    """Whether an unprivileged account can start this Python (one under /root cannot)."""
    run = subprocess.run([accounts.tool("runuser"), "-u", "nobody", "--", python, "-c", "import sys"], capture_output=True)
    return run.returncode == 0


def environment(folder, repo):
    """folder/venv with the course installed from `repo`, made with a Python every account can run."""
    venv = Path(folder) / "venv"
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-c", str(Path(repo) / "constraints.txt")]
    stamp = venv / ".installed"
    wanted = "".join((Path(repo) / f).read_text() for f in ("pyproject.toml", "constraints.txt"))
    if not stamp.exists() or stamp.read_text() != wanted:
        base = os.path.realpath(getattr(sys, "_base_executable", sys.executable))
        python = next((p for p in (base, "/usr/bin/python3") if Path(p).exists() and runs_for_everyone(p)), None)
        if python is None:
            raise HubError(f"no Python every account can run ({base} cannot be reached by other users): "
                           "install python3 and python3-venv")
        _say(f"hub: installing the course's environment in {venv} (with {python}; once)")
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([python, "-m", "venv", str(venv)], check=True)
        subprocess.run([*pip, f"{repo}[hub]"], check=True)
        settings = venv / "share" / "jupyter" / "lab" / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=1))
        stamp.write_text(wanted)
    else:  # the dependencies are there: refresh the course's own package
        subprocess.run([*pip, "--no-deps", "--force-reinstall", str(repo)], check=True)
    return venv / "bin"


def proxy(folder):
    """JupyterHub's proxy from npm, installed in folder/proxy; the path of its command."""
    prefix = Path(folder) / "proxy"
    command = prefix / "node_modules" / ".bin" / "configurable-http-proxy"
    if not command.exists():
        if not shutil.which("npm"):
            raise HubError("the hub's proxy comes from npm: install nodejs and npm (make hub does)")
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(prefix), PROXY],
                       check=True)
    return command


# ---------------------------------------------------------------- folders

def course_folder(folder, repo, ta_group, owner):
    """folder/course from the repository's course files, owned by the TA group (rwx) and closed to others.
    What is there already stays as the TAs left it (their due dates, their edits); links are not followed."""
    course = Path(folder) / "course"
    course.mkdir(exist_ok=True)
    for name in COURSE_FILES:
        if (Path(repo) / name).exists() and not (course / name).exists():
            shutil.copy(Path(repo) / name, course / name)
    if not (course / "source").exists():
        shutil.copytree(Path(repo) / "source", course / "source")
    gid = grp.getgrnam(ta_group).gr_gid
    uid = accounts.uid(owner)
    for path in [course, *course.rglob("*")]:
        if path.is_symlink():
            continue
        os.chown(path, uid, gid, follow_symlinks=False)
        os.chmod(path, 0o2770 if path.is_dir() else 0o660)
    return course


def exchange_folder(folder, course_id, ta_group, owner):
    """nbgrader's exchange with the course's folders made by the hub, as a TA's release makes them (shared
    by the TA group), so that no student can make them first."""
    exchange = Path(folder) / "exchange"
    exchange.mkdir(exist_ok=True)
    os.chmod(exchange, 0o1777)
    gid, uid = grp.getgrnam(ta_group).gr_gid, accounts.uid(owner)
    for part, mode in (("", 0o2775), ("outbound", 0o2775), ("inbound", 0o2773), ("feedback", 0o2771)):
        path = exchange / course_id / part
        path.mkdir(exist_ok=True)
        os.chown(path, uid, gid)
        os.chmod(path, mode)
    return exchange


def student_config(folder, exchange, course_id):
    """What a student's server reads (JUPYTER_CONFIG_PATH): nbgrader's course id and exchange, and no
    formgrader, course list or assignment creation."""
    config = Path(folder) / "student-config"
    (config / "labconfig").mkdir(parents=True, exist_ok=True)
    (config / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {course_id!r}\nc.Exchange.root = {str(exchange)!r}\n")
    (config / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": dict.fromkeys(STUDENT_ONLY_OFF["server"], False)}}, indent=1))
    (config / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": dict.fromkeys(STUDENT_ONLY_OFF["lab"], True)}, indent=1))
    for path in [config, *config.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    return config


HUB_CONFIG = '''# Written by `python -m dlcourse hub` (dlcourse/hub/deploy.py); it writes it again at every start.
c = get_config()  # noqa: F821
SETTINGS = {settings}

c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = SETTINGS["port"]
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = SETTINGS["hub_port"]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{{SETTINGS['proxy_api_port']}}"
c.ConfigurableHTTPProxy.command = [SETTINGS["proxy"]]
c.JupyterHub.db_url = f"sqlite:///{{SETTINGS['folder']}}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = f"{{SETTINGS['folder']}}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = f"{{SETTINGS['folder']}}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every server

# Who may log in: the roster's accounts, with their Unix passwords (PAM).
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(SETTINGS["students"]) | set(SETTINGS["tas"])
# Nobody is the hub's admin: an admin could start a server as any account, root's included.

# A server per person, started as their own account, with the course's environment.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [SETTINGS["bin"] + "/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180


def _per_role(spawner):
    """TAs work in the course folder with the formgrader; students in their home, with the exchange only."""
    env = {{"PATH": SETTINGS["bin"] + ":/usr/local/bin:/usr/bin:/bin", "DLCOURSE_EXCHANGE": SETTINGS["exchange"]}}
    if spawner.user.name in SETTINGS["tas"]:  # files the whole TA group can write (umask 007)
        spawner.notebook_dir = SETTINGS["course"]
        spawner.cmd = ["/bin/sh", "-c", 'umask 007 && exec "$0" "$@"', SETTINGS["bin"] + "/jupyterhub-singleuser"]
        env.update(JUPYTER_CONFIG_PATH=SETTINGS["course"], **SETTINGS["ta_env"])
    else:
        spawner.notebook_dir = "~"
        env["JUPYTER_CONFIG_PATH"] = SETTINGS["student_config"]
    spawner.environment.update(env)


c.Spawner.pre_spawn_hook = _per_role
'''


def hub_config(folder, settings):
    path = Path(folder) / "jupyterhub_config.py"
    path.write_text(HUB_CONFIG.format(settings=json.dumps(settings, indent=1)))
    os.chmod(path, 0o600)
    return path


# ---------------------------------------------------------------- the whole hub

def prepare(folder, repo, roster_path, port=None, passwords=None, home_base=None):
    """Set up everything in `folder` (see the module's docstring); the hub's settings (also in state.json)."""
    accounts.require_root()
    folder, repo = Path(folder).resolve(), Path(repo).resolve()
    students, tas = people(roster_path)
    folder.mkdir(parents=True, exist_ok=True)
    os.chmod(folder, 0o755)
    state_path = folder / "state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {"made": []}
    ta_group = "dlcourse-ta"
    made, passwords = accounts.create(students + tas, ta_group, tas, passwords, home_base)
    state["made"] = sorted(set(state["made"]) | set(made))
    state["ta_group"] = ta_group
    state_path.write_text(json.dumps(state, indent=1))
    _write_passwords(folder, passwords)
    bindir = environment(folder, repo)
    exchange = exchange_folder(folder, "dl-course", ta_group, tas[0])
    course = course_folder(folder, repo, ta_group, tas[0])
    settings = {"folder": str(folder), "port": port or 8000, "hub_port": free_port(), "proxy_api_port": free_port(),
                "proxy": str(proxy(folder)), "bin": str(bindir), "exchange": str(exchange), "course": str(course),
                "student_config": str(student_config(folder, exchange, "dl-course")), "students": students,
                "tas": tas, "ta_env": {k: os.environ[k] for k in ("DLCOURSE_DB_URL",) if k in os.environ}}
    hub_config(folder, settings)
    as_ta(settings, tas[0], "dlcourse", "generate")  # release/ and the gradebook, made by a TA
    as_ta(settings, tas[0], "dlcourse", "roster", str(_readable_roster(folder, roster_path)))
    return settings


def _write_passwords(folder, passwords):
    """passwords.csv (root only): the accounts made now and every one made before."""
    path = Path(folder) / "passwords.csv"
    known = {}
    if path.exists():
        with path.open(newline="") as handle:
            known = {row["account"]: row["password"] for row in csv.DictReader(handle)}
    known.update(passwords)
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account", "password"])
        writer.writerows(sorted(known.items()))
    os.chmod(path, 0o600)


def _readable_roster(folder, roster_path):
    """A copy of the roster the TA's account can read (the original may be in root's folder)."""
    copy = Path(folder) / "course" / "roster.csv"
    shutil.copy(roster_path, copy)
    os.chown(copy, os.stat(copy.parent).st_uid, os.stat(copy.parent).st_gid)
    os.chmod(copy, 0o660)
    return copy


def as_ta(settings, ta, *args, check=True):
    """Run `python -m ARGS` in the course folder as the TA's account, with the hub's environment."""
    env = {"PATH": f"{settings['bin']}:/usr/bin:/bin", "HOME": str(Path("~" + ta).expanduser()), "USER": ta,
           "LANG": "C.UTF-8", "DLCOURSE_EXCHANGE": settings["exchange"], **settings["ta_env"]}
    run = subprocess.run([accounts.tool("runuser"), "-u", ta, "--", "/bin/sh", "-c", 'umask 007 && exec "$0" "$@"',
                          f"{settings['bin']}/python", "-m", *args],
                         cwd=settings["course"], env=env, capture_output=True, text=True)
    if check and run.returncode != 0:
        raise HubError(f"{' '.join(args)} as {ta} failed:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    return run


def start(settings):
    """Start JupyterHub (in the background); its process."""
    folder = Path(settings["folder"])
    log = open(folder / "jupyterhub.log", "ab")
    env = {**os.environ, "PATH": f"{settings['bin']}:{os.environ.get('PATH', '/usr/bin:/bin')}"}
    return subprocess.Popen([f"{settings['bin']}/jupyterhub", "-f", str(folder / "jupyterhub_config.py")],
                            cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def remove(folder):
    """Stop the hub if it runs, then delete the accounts it made (and what they run) and its folder."""
    folder = Path(folder)
    pid_file = folder / "jupyterhub.pid"
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
        except (ValueError, OSError):
            pass
    state_path = folder / "state.json"
    if state_path.exists():
        state = json.loads(state_path.read_text())
        for name in state.get("made", []):
            if accounts.exists(name):
                subprocess.run([accounts.tool("pkill"), "-KILL", "-u", name], capture_output=True)
        accounts.remove(state.get("made", []), state.get("ta_group"))
    shutil.rmtree(folder, ignore_errors=True)
