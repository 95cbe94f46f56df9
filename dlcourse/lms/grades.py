"""What goes to the LMS: each student's final points from the gradebook, the course's ``lms.toml``, and
which LMS user each student is.

``lms.toml`` (in the course folder; no secrets in it)::

    [canvas]                       # or [moodle]
    url = "https://canvas.example.edu"
    course_id = 1234
    token_env = "CANVAS_TOKEN"     # the variable that holds the token (default CANVAS_TOKEN / MOODLE_TOKEN)
    feedback_url = "https://hub.example.edu/hub/user-redirect/lab/tree/{assignment}/feedback"  # optional
    timeout = 30                   # seconds to wait for an answer
    [canvas.assignments]           # course assignment = LMS assignment id
    01_tensors = 5678
"""
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook

from ..grading import course, roster

SYSTEMS = ("canvas", "moodle")


class LmsError(Exception):
    """Something the TA must fix before (more) grades can go to the LMS; the message says what."""


@dataclass
class Target:
    """One LMS course, as lms.toml describes it."""
    system: str
    url: str
    course_id: int
    token: str
    assignments: dict  # course assignment -> LMS assignment id
    feedback_url: str = ""
    timeout: float = 30.0


@dataclass
class Person:
    """A student as the course knows them: what can match an LMS user."""
    student: str
    name: str = ""
    email: str = ""
    sis_id: str = ""
    lms_user_id: str = ""


@dataclass
class LmsUser:
    """A student enrolled in the LMS course."""
    id: int
    name: str = ""
    login: str = ""
    email: str = ""
    sis_id: str = ""


def load_target(root, system=None, environ=None, need_token=True):
    """The LMS course in `root`/lms.toml (`system`: canvas or moodle, needed when it names both); the token
    from the environment (`need_token`: False for the CSV files, which need none)."""
    environ = os.environ if environ is None else environ
    path = Path(root) / "lms.toml"
    if not path.exists():
        raise LmsError(f"no {path.name} in {root}: write one that says which LMS course and assignments to use "
                       "(docs/tas.md, 'Grades to the LMS')")
    try:
        config = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise LmsError(f"{path.name} is not valid TOML: {exc}") from None
    named = [s for s in SYSTEMS if s in config]
    if system is None and len(named) != 1:
        raise LmsError(f"{path.name} must describe one LMS, [canvas] or [moodle], or say which with --to"
                       + (f" (it has {' and '.join(named)})" if named else ""))
    system = system or named[0]
    if system not in config:
        raise LmsError(f"{path.name} has no [{system}] section")
    section = config[system]
    missing = [k for k in ("url", "course_id", "assignments") if k not in section]
    if missing:
        raise LmsError(f"{path.name}: [{system}] needs {', '.join(missing)}")
    variable = section.get("token_env", f"{system.upper()}_TOKEN")
    token = environ.get(variable, "")
    if not token and need_token:
        raise LmsError(f"set {variable} to your {system.capitalize()} access token (it never goes in {path.name})")
    return Target(system, section["url"].rstrip("/"), int(section["course_id"]), token,
                  {str(k): int(v) for k, v in section["assignments"].items()}, section.get("feedback_url", ""),
                  float(section.get("timeout", 30)))


def people(root):
    """Every student of the gradebook, with the roster's columns where roster.csv has them."""
    api = course.course_api(root)
    rows = {}
    path = Path(root) / "roster.csv"
    if path.exists():
        rows = {r["student_id"]: r for r in roster.read(path) if r.get("role", "") != "ta"}
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        found = []
        for s in gb.students:
            row = rows.get(s.id, {})
            name = " ".join(p for p in (row.get("first_name") or s.first_name, row.get("last_name") or s.last_name) if p)
            found.append(Person(s.id, name, row.get("email") or s.email or "", row.get("sis_id", ""),
                                row.get("lms_user_id", "")))
    return sorted(found, key=lambda p: p.student)


def match(persons, users):
    """({student: LmsUser}, {student: why not}): by the roster's lms_user_id, else SIS id, else login
    (the student id), else email. Two students on one LMS user match neither."""
    keys = (("lms_user_id", "id", "LMS user id"), ("sis_id", "sis_id", "SIS id"), ("student", "login", "login"),
            ("email", "email", "email"))
    found, why = {}, {}
    for person in persons:
        for mine, theirs, label in keys:
            value = str(getattr(person, mine) or "").strip().lower()
            if not value:
                continue
            hits = [u for u in users if str(getattr(u, theirs) or "").strip().lower() == value]
            if len(hits) == 1:
                found[person.student] = hits[0]
                break
            if len(hits) > 1:
                why[person.student] = f"{len(hits)} LMS users have the {label} {value}"
                break
            if mine == "lms_user_id":
                why[person.student] = f"no LMS user has the id {value} (roster.csv, lms_user_id)"
                break
        else:
            why[person.student] = "no LMS user in the course has their SIS id, login or email"
    by_user = {}
    for student, user in found.items():
        by_user.setdefault(user.id, []).append(student)
    for students in (s for s in by_user.values() if len(s) > 1):
        for student in students:
            del found[student]
            why[student] = f"matches the same LMS user as {', '.join(s for s in students if s != student)}"
    return found, why
