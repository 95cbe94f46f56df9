"""Due dates, late penalties and extensions: course.toml and extensions.csv, carried out by nbgrader.

``course.toml`` (in the course folder, committed)::

    language = "ru"          # the class's language: grading's tables, hints and reports (default "en")

    [deadlines]              # when each assignment is due: ISO 8601 with its time zone
    01_tensors = "2027-02-15T23:59:00+01:00"

    [late_penalty]
    policy = "per_day"       # "none", "zero" (a late notebook scores 0) or "per_day"
    per_day = 0.1            # share of the points earned taken per day, or part of a day, late
    cap = 0.5                # at most this share in all

``extensions.csv`` (git-ignored: it names students), one row per extension::

    student_id,assignment,extension
    ada,01_tensors,2d        # 2d, 36h, 90m or 1d 12h: that student's due date is so much later

nbgrader keeps the rest: the due date on the gradebook's assignment, the extension on the
student's submission (``Gradebook.grant_extension``), the submission time from the
``timestamp.txt`` its exchange writes, and a penalty per notebook that its AssignLatePenalties
preprocessor asks of ``LatePenalty`` while autograding. Its export, formgrader and feedback then
show the raw points, the penalty and the final points.
"""
import csv
import datetime
import math
import re
import tomllib
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import LateSubmissionPlugin
from traitlets import Enum, Float

from ..i18n import ENGLISH, LOCALE, ngettext, translate

COURSE_FILE = "course.toml"
EXTENSIONS_FILE = "extensions.csv"
POLICIES = ("none", "zero", "per_day")
DAY = 86400


class ScheduleError(ValueError):
    """course.toml or extensions.csv says something that cannot be carried out."""


class LatePenalty(LateSubmissionPlugin):
    """The course's late policy, asked by nbgrader's AssignLatePenalties for each late notebook."""

    policy = Enum(POLICIES, default_value="none", help="none, zero, or per_day (a share per day late)").tag(config=True)
    per_day = Float(0.1, help="share of the points earned taken per day, or part of a day, late").tag(config=True)
    cap = Float(1.0, help="at most this share of the points earned is taken").tag(config=True)

    def late_submission_penalty(self, student_id, score, total_seconds_late):
        return penalty(self.policy, self.per_day, self.cap, score, total_seconds_late)


def penalty(policy, per_day, cap, score, seconds_late):
    """Points taken from `score` for a notebook `seconds_late` seconds late (None: nothing taken)."""
    if seconds_late <= 0 or policy == "none" or not score:
        return None
    if policy == "zero":
        return float(score)
    days = math.ceil(seconds_late / DAY)
    return round(float(score) * min(cap, per_day * days), 6)


def days_late(seconds_late):
    """Whole days, a part of a day counting as one, as the per-day policy counts them."""
    return math.ceil(seconds_late / DAY) if seconds_late > 0 else 0


# ---------------------------------------------------------------- reading the files

def _course_file(root):
    """(path, contents) of the course's course.toml; contents None when there is none."""
    path = Path(root) / COURSE_FILE
    if not path.exists():
        return path, None
    try:
        return path, tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleError(f"{path} is not valid TOML: {exc}") from None


def languages():
    """The languages grading can speak: English and each with a grading catalog (dlcourse/locale/<lang>/)."""
    return [ENGLISH, *sorted(p.parent.name for p in LOCALE.glob("*/grading.po"))]


def class_language(root, lang=None):
    """The class's language: `lang` when given (the command's --lang), else course.toml's `language`, else
    English. What grading tells the TA (tables, hints, reports) is in it; ScheduleError for one it cannot speak."""
    path, data = _course_file(root) if lang is None else (None, None)
    lang = lang if lang is not None else (data or {}).get("language", ENGLISH)
    if lang not in languages():
        where = f"{path}: language" if path else "--lang"
        raise ScheduleError(f"{where} is {lang!r}; grading speaks {', '.join(languages())}")
    return lang


def load(root):
    """(due dates: assignment -> aware datetime, late policy: dict) from the course's course.toml."""
    path, data = _course_file(root)
    if data is None:
        return {}, {"policy": "none", "per_day": 0.0, "cap": 1.0}
    due = {aid: _due_date(path, aid, value) for aid, value in data.get("deadlines", {}).items()}
    late = {"policy": "none", "per_day": 0.0, "cap": 1.0, **data.get("late_penalty", {})}
    if late["policy"] not in POLICIES:
        raise ScheduleError(f"{path}: late_penalty.policy is {late['policy']!r}; use one of {', '.join(POLICIES)}")
    for key in ("per_day", "cap"):
        if not isinstance(late[key], (int, float)) or not 0 <= late[key] <= 1:
            raise ScheduleError(f"{path}: late_penalty.{key} must be a share from 0 to 1, not {late[key]!r}")
    return due, late


def _due_date(path, aid, value):
    if isinstance(value, datetime.datetime):  # TOML's own date-time
        when = value
    else:
        try:
            when = datetime.datetime.fromisoformat(str(value))
        except ValueError:
            raise ScheduleError(f"{path}: the due date of {aid} ({value!r}) is not a date and time like "
                                "2027-02-15T23:59:00+01:00") from None
    if when.tzinfo is None:
        raise ScheduleError(f"{path}: the due date of {aid} ({value}) has no time zone; add one, "
                            "e.g. +01:00 or Z for UTC")
    return when


def parse_extension(text):
    """A timedelta from "2d", "36h", "90m" or "1d 12h"; ScheduleError otherwise."""
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*([dhm])", text.strip().lower())
    if not parts or re.sub(r"(\d+(?:\.\d+)?)\s*([dhm])|\s", "", text.strip().lower()):
        raise ScheduleError(f"extension {text!r}: write it as days, hours or minutes, e.g. 2d, 36h or 1d 12h")
    unit = {"d": "days", "h": "hours", "m": "minutes"}
    total = datetime.timedelta()
    for number, letter in parts:
        total += datetime.timedelta(**{unit[letter]: float(number)})
    return total


def load_extensions(root):
    """(student, assignment) -> timedelta, from the course's extensions.csv (none if there is none)."""
    path = Path(root) / EXTENSIONS_FILE
    if not path.exists():
        return {}
    found = {}
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    for line, row in enumerate(rows, 2):
        missing = [k for k in ("student_id", "assignment", "extension") if not (row.get(k) or "").strip()]
        if missing:
            raise ScheduleError(f"{path}, line {line}: no {', '.join(missing)} (columns: student_id,assignment,"
                                "extension)")
        try:
            found[row["student_id"].strip(), row["assignment"].strip()] = parse_extension(row["extension"])
        except ScheduleError as exc:
            raise ScheduleError(f"{path}, line {line}: {exc}") from None
    return found


# ---------------------------------------------------------------- nbgrader's side

def configure(config, root):
    """Have nbgrader's AssignLatePenalties ask the course's policy (course.toml)."""
    _, late = load(root)
    config.AssignLatePenalties.plugin_class = LatePenalty
    config.LatePenalty.policy = late["policy"]
    config.LatePenalty.per_day = float(late["per_day"])
    config.LatePenalty.cap = float(late["cap"])
    return config


def write_due_dates(db_url, course_id, root, ids):
    """Put each assignment's due date from course.toml on the gradebook's assignment (the formgrader shows it)."""
    due, _ = load(root)
    with Gradebook(db_url, course_id) as gb:
        for aid in ids:  # (a due date taken out of course.toml is taken out of the gradebook too)
            gb.update_or_create_assignment(aid, duedate=_utc(due[aid]) if aid in due else None)


def prepare_submission(db_url, course_id, root, aid, student):
    """Before autograding: the due date on the assignment and the student's extension (or none) on their
    submission, so that nbgrader counts the seconds late from the student's own due date."""
    write_due_dates(db_url, course_id, root, [aid])
    extension = load_extensions(root).get((student, aid))
    with Gradebook(db_url, course_id) as gb:
        try:
            gb.find_student(student)
        except MissingEntry:
            if extension is None:
                return
            gb.add_student(student)
        try:
            gb.find_submission(aid, student)
        except MissingEntry:
            if extension is None:
                return
            gb.add_submission(aid, student)
        _extend(gb, aid, student, extension)


def _extend(gb, aid, student, extension):
    """Give the submission its extension (None: take any away)."""
    gb.grant_extension(aid, student, hours=extension.total_seconds() / 3600 if extension else 0)


def settle_penalties(db_url, course_id, root, ids=None):
    """Recompute the penalty of every late notebook from its points now, the due dates and extensions
    read again: nbgrader computes it while autograding, before a TA grades the written answers (which
    would then escape it) or fixes a due date or an extension. Feedback and reports call this first."""
    _, late = load(root)
    extensions = load_extensions(root)
    with Gradebook(db_url, course_id) as gb:
        names = [a.name for a in gb.assignments if not ids or a.name in ids]
    write_due_dates(db_url, course_id, root, names)  # course.toml and extensions.csv as they are now
    with Gradebook(db_url, course_id) as gb:
        for assignment in gb.assignments:
            if assignment.name not in names:
                continue
            for sub in assignment.submissions:
                if (sub.extension or None) != extensions.get((sub.student.id, assignment.name)):
                    _extend(gb, assignment.name, sub.student.id, extensions.get((sub.student.id, assignment.name)))
                for nb in sub.notebooks:
                    taken = penalty(late["policy"], late["per_day"], late["cap"], nb.score, sub.total_seconds_late)
                    nb.late_submission_penalty = min(taken, nb.score) if taken is not None else None
        gb.db.commit()


def _utc(when):
    """nbgrader keeps naive UTC date-times."""
    return when.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def duration(seconds, lang=ENGLISH):
    """ "1 day 3 hours", "45 minutes", "12 seconds": the two largest units of a span (a started second counts)."""
    seconds = math.ceil(seconds)
    parts = []
    for unit, size in (("day", DAY), ("hour", 3600), ("minute", 60), ("second", 1)):
        n, seconds = divmod(seconds, size)
        if n:
            parts.append(_units(unit, n, lang))
    return " ".join(parts[:2]) or _units("second", 0, lang)


def _units(unit, n, lang):
    """`n` days, hours, minutes or seconds, in the form the number takes."""
    if unit == "day":
        return ngettext("{n} day", "{n} days", n, lang)
    if unit == "hour":
        return ngettext("{n} hour", "{n} hours", n, lang)
    if unit == "minute":
        return ngettext("{n} minute", "{n} minutes", n, lang)
    return ngettext("{n} second", "{n} seconds", n, lang)


def overview(gb, student, lang=ENGLISH):
    """The student's course so far, one row per assignment: due date (theirs), points after the penalty,
    maximum, penalty, points still to be graded by hand, and whether it was handed in."""
    rows = []
    for assignment in sorted(gb.assignments, key=lambda a: a.name):
        row = {"assignment": assignment.name, "max": float(assignment.max_score), "points": None, "penalty": 0.0,
               "pending": 0.0, "late": "", "due": f"{assignment.duedate:%Y-%m-%d %H:%M} UTC"
               if assignment.duedate else ""}
        try:
            sub = gb.find_submission(assignment.name, student)
        except MissingEntry:
            rows.append(row)
            continue
        if sub.duedate is not None:
            row["due"] = f"{sub.duedate:%Y-%m-%d %H:%M} UTC" + (translate(" (extended)", lang) if sub.extension else "")
        raw = sum(g.score for nb in sub.notebooks for g in nb.grades if not g.needs_manual_grade)
        row["pending"] = sum(g.max_score for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
        row["penalty"] = sum(nb.late_submission_penalty or 0.0 for nb in sub.notebooks)
        row["points"] = max(0.0, raw - row["penalty"])
        row["late"] = duration(sub.total_seconds_late, lang) if sub.timestamp and sub.total_seconds_late > 0 else ""
        rows.append(row)
    return rows


def timing_note(gb, aid, student, penalty_points, raw_points, lang=ENGLISH):
    """One sentence for the student's feedback on when they submitted; "" when the assignment has no due date."""
    try:
        sub = gb.find_submission(aid, student)
    except MissingEntry:
        return ""
    if sub.duedate is None or sub.timestamp is None:
        return ""
    due = f"{sub.duedate:%Y-%m-%d %H:%M} UTC"
    extended = translate(", with your extension of {0}", lang).format(
        duration(sub.extension.total_seconds(), lang)) if sub.extension else ""
    if sub.total_seconds_late <= 0:
        return translate("Submitted on time (due {0}{1}).", lang).format(due, extended)
    taken = (translate("the late policy took {0} of your {1} points", lang).format(f"{penalty_points:g}",
                                                                                   f"{raw_points:g}")
             if penalty_points else translate("the late policy took no points", lang))
    return translate("Submitted {0} after the due date ({1}{2}): {3}.", lang).format(
        duration(sub.total_seconds_late, lang), due, extended, taken)
