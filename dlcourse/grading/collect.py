"""Collecting submissions as TAs do: nbgrader's exchange, or an LMS download (Moodle).

Moodle's "Download all submissions" gives a zip with one folder per submission, named
``<Full Name>_<participant id>_assignsubmission_file_`` (or, without folders, files named
``<Full Name>_<participant id>_assignsubmission_file_<file name>``). ``MoodleCollector`` is a
collector plugin for ``nbgrader zip_collect`` that maps each such submission to a student id
through a roster CSV: the course's roster.csv (roster.py) with a ``moodle_id`` column, or one with
a ``full_name`` column instead of first and last names::

    student_id,first_name,last_name,email,moodle_id
    ada,Ada,Lovelace,ada@example.org,123456

A submission matches by ``moodle_id`` (the number in the folder name), else by the full name
(case and spacing ignored) when exactly one roster row has it. What cannot be matched is not
dropped silently: it is logged as a warning and listed, with the reason, in
``downloaded/<assignment>/unmatched.csv`` (also renamed notebooks and skipped non-notebook files).

    nbgrader zip_collect 01_tensors --collector=dlcourse.grading.collect.MoodleCollector \\
        --MoodleCollector.roster=roster.csv
"""
import csv
import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

from nbgrader.plugins.zipcollect import FileNameCollectorPlugin
from nbgrader.utils import find_all_notebooks
from traitlets import Unicode

MOODLE_FOLDER = re.compile(
    r"^(?P<name>.+?)_(?P<pid>\d+)_assign(?:submission|feedback)_(?P<plugin>[a-z]+)_(?P<rest>.*)$")

REPORT = "unmatched.csv"
REPORT_FIELDS = ["status", "file", "student_id", "reason"]


def normalize_name(name):
    """A full name for comparison: case, runs of spaces and Unicode composition ignored."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def read_roster(path):
    """Roster rows from a CSV with a ``student_id`` column and ``moodle_id`` and/or ``full_name``."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    if rows and "student_id" not in rows[0]:
        raise ValueError(f"{path}: the roster needs a student_id column (found {sorted(rows[0])})")
    return rows


class Roster:
    """Looks students up by Moodle participant id or by full name."""

    def __init__(self, rows):
        self.by_id = {r["moodle_id"].strip(): r["student_id"].strip() for r in rows if (r.get("moodle_id") or "").strip()}
        self.by_name = {}
        for r in rows:
            name = (r.get("full_name") or f"{r.get('first_name') or ''} {r.get('last_name') or ''}").strip()
            if name:
                self.by_name.setdefault(normalize_name(name), []).append(r["student_id"].strip())

    def match(self, name, pid):
        """(student id, None) or (None, why not)."""
        if pid in self.by_id:
            return self.by_id[pid], None
        found = self.by_name.get(normalize_name(name), [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, f"{name!r} names {len(found)} students in the roster ({', '.join(found)}) and id {pid} none"
        return None, f"neither Moodle id {pid} nor the name {name!r} is in the roster"


def parse_moodle_path(relpath):
    """(full name, participant id, file id) of a file of a Moodle download, or None."""
    parts = Path(relpath).parts
    for i, part in enumerate(parts):
        m = MOODLE_FOLDER.match(part)
        if m is None:
            continue
        m = MOODLE_FOLDER.match(unicodedata.normalize("NFC", part))
        if i == len(parts) - 1:  # flat download: the prefix is on the file name itself
            return m["name"], m["pid"], m["rest"]
        return m["name"], m["pid"], "/".join(parts[i + 1:])
    return None


class MoodleCollector(FileNameCollectorPlugin):
    """zip_collect collector for Moodle assignment downloads, mapped through a roster CSV."""

    roster = Unicode("roster.csv", help="Roster CSV (student_id, full_name, moodle_id), relative to "
                                         "the course folder").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        app = self.parent
        self.course_root = Path(app.coursedir.root) if app is not None else Path.cwd()
        path = Path(self.roster) if os.path.isabs(self.roster) else self.course_root / self.roster
        if not path.exists():
            raise FileNotFoundError(f"no roster at {path}: give one with --MoodleCollector.roster=<csv> "
                                    f"(columns student_id, full_name, moodle_id)")
        self._roster = Roster(read_roster(path))
        self.entries = []
        if app is not None:
            self.extracted = Path(app._format_collect_path(app.extracted_directory))
            self.report_path = Path(app._format_collect_path(REPORT))
            self.released = set(find_all_notebooks(app.coursedir.format_path(
                app.coursedir.release_directory, ".", app.coursedir.assignment_id)))
        else:
            self.extracted, self.report_path, self.released = None, None, set()
        if self.report_path is not None and self.report_path.exists():
            self.report_path.unlink()

    def _note(self, status, path, reason, student=""):
        """Remember and report a submission file that needs a TA's eye."""
        rel = os.path.relpath(path, self.extracted) if self.extracted else path
        self.entries.append({"status": status, "file": rel, "student_id": student, "reason": reason})
        (self.log.warning if status == "unmatched" else self.log.info)("%s: %s (%s)", status, rel, reason)
        if self.report_path is not None:
            with open(self.report_path, "w", newline="") as f:
                writer = csv.DictWriter(f, REPORT_FIELDS)
                writer.writeheader()
                writer.writerows(self.entries)

    def collect(self, submitted_file):
        rel = os.path.relpath(submitted_file, self.extracted) if self.extracted else submitted_file
        parsed = parse_moodle_path(rel)
        if parsed is None:
            self._note("unmatched", submitted_file, "not in a Moodle submission folder (<Full Name>_<id>_"
                                                    "assignsubmission_file_)")
            return None
        name, pid, file_id = parsed
        student, why = self._roster.match(name, pid)
        if student is None:
            self._note("unmatched", submitted_file, why)
            return None
        if os.path.splitext(submitted_file)[1] not in self.valid_ext:
            self._note("skipped", submitted_file, "not a notebook", student)
            return None
        file_id = self._expected_name(submitted_file, file_id, student)
        return {"student_id": student, "file_id": file_id}

    def _expected_name(self, submitted_file, file_id, student):
        """Rename a lone, renamed notebook (``01_tensors (1).ipynb``) to the one the assignment has."""
        if file_id in self.released or len(self.released) != 1:
            return file_id
        siblings = [p for p in os.listdir(os.path.dirname(submitted_file)) if p.endswith(".ipynb")]
        if len(siblings) != 1 or "/" in file_id:
            return file_id
        (expected,) = self.released
        self._note("renamed", submitted_file, f"{file_id} collected as {expected}", student)
        return expected


def unmatched_report(root, aid, downloaded="downloaded"):
    """The rows of the last zip_collect's report for `aid` (empty when everything matched)."""
    path = Path(root) / downloaded / aid / REPORT
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def zip_collect_moodle(root, aid, archive, roster, python=sys.executable):
    """Collect a Moodle download into submitted/ with ``nbgrader zip_collect``.

    Copies `archive` to downloaded/<aid>/archive/, runs zip_collect with MoodleCollector
    and `roster`, and returns (students with a submission of `aid` now, report rows). Raises if nbgrader fails.
    """
    root = Path(root)
    folder = root / "downloaded" / aid
    for step in ("archive", "extracted"):
        shutil.rmtree(folder / step, ignore_errors=True)
    (folder / "archive").mkdir(parents=True)
    shutil.copy(archive, folder / "archive" / Path(archive).name)
    result = subprocess.run(
        [python, "-m", "nbgrader", "zip_collect", aid, "--force",
         "--collector=dlcourse.grading.collect.MoodleCollector",
         f"--MoodleCollector.roster={Path(roster).resolve()}"],
        cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"nbgrader zip_collect failed:\n{result.stderr[-3000:]}")
    collected = sorted(p.parent.name for p in (root / "submitted").glob(f"*/{aid}") if p.is_dir())
    return collected, unmatched_report(root, aid)
