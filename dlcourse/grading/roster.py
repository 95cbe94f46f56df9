"""The class list: one roster.csv (git-ignored: it names students) for the gradebook, the hub and the LMS.

Columns: ``student_id`` (the student's login: their nbgrader id and, on the course's JupyterHub,
their Unix account), ``first_name``, ``last_name``, ``email``; optional ``moodle_id`` (a Moodle
download's folder numbers, collect.py), ``lms_user_id`` and ``sis_id`` (dlcourse/lms), and ``role`` (``ta`` for a TA's row: an
account on the hub, not a student in the gradebook). ``python -m dlcourse roster
[roster.csv]`` checks every row, then hands the gradebook's part to nbgrader's own ``nbgrader db
student import``, so names and emails show in the formgrader and in exports. Importing again
updates the same students.
"""
import csv
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ACCOUNT = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # a portable Unix account name
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
COLUMNS = ("student_id", "first_name", "last_name", "email")


class RosterError(ValueError):
    """A roster that cannot be imported as it is: what is wrong, and on which line."""


def read(path):
    """The roster's rows (dicts), checked; RosterError naming the line of the first problem."""
    path = Path(path)
    if not path.exists():
        raise RosterError(f"no roster at {path}: a CSV with the columns {', '.join(COLUMNS)}")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise RosterError(f"{path}: no column {', '.join(missing)} (found: {', '.join(reader.fieldnames or [])})")
        rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    seen = {}
    for line, row in enumerate(rows, 2):
        sid = row["student_id"]
        if not ACCOUNT.match(sid):
            raise RosterError(f"{path}, line {line}: student_id {sid!r} must be a login name: lower-case letters, "
                              "digits, _ or -, starting with a letter, at most 32 characters")
        if sid in seen:
            raise RosterError(f"{path}, line {line}: student_id {sid!r} is already on line {seen[sid]}")
        seen[sid] = line
        if row.get("role", "") not in ("", "student", "ta"):
            raise RosterError(f"{path}, line {line}: role {row['role']!r} is neither student nor ta")
        if row["email"] and not EMAIL.match(row["email"]):
            raise RosterError(f"{path}, line {line}: {row['email']!r} is not an email address")
    return rows


def import_roster(root, path):
    """Check the roster, then import its students with nbgrader's `db student import`; their number."""
    rows = [r for r in read(path) if r.get("role", "") != "ta"]
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "students.csv"
        with table.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "first_name", "last_name", "email", "lms_user_id"])
            for r in rows:
                writer.writerow([r["student_id"], r["first_name"], r["last_name"], r["email"], r.get("lms_user_id", "")])
        run = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "import", str(table)],
                             cwd=root, capture_output=True, text=True)
    if run.returncode != 0:
        raise RosterError(f"nbgrader db student import failed: {(run.stderr or run.stdout).strip()[-500:]}")
    return len(rows)
