"""Final grades: what each student gets for an assignment once the late penalty is taken, as the LMS
gets it (dlcourse/lms) and as the reports count what the LMS holds (reports/lms/<system>.json, which
every push records)."""
import json
import math
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from . import course, deadlines

LEDGER = Path("reports") / "lms"


class NotGraded(Exception):
    """An assignment asked for has no grades yet; the message names the step to run."""


@dataclass
class Grade:
    """A student's final points on one assignment (after the late penalty), or why there are none yet."""
    student: str
    assignment: str
    points: float | None
    max_points: float
    why: str = ""


def graded_assignments(root):
    """The assignments the gradebook knows (generated or graded)."""
    api = course.course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        return [a.name for a in gb.assignments]


def final_grades(root, assignments, settle=True):
    """A Grade per student of the gradebook and assignment, late penalties settled first (due dates and
    extensions as they are now) unless the caller just did (`settle` False)."""
    api = course.course_api(root)
    db_url, course_id = api.coursedir.db_url, api.coursedir.course_id
    if settle:
        deadlines.settle_penalties(db_url, course_id, root, assignments)
    grades = []
    with Gradebook(db_url, course_id) as gb:
        known = {a.name: a for a in gb.assignments}
        for aid in assignments:
            if aid not in known:
                raise NotGraded(f"{aid} has no grades yet: run `python -m dlcourse grade {aid}` first")
            for student in sorted(s.id for s in gb.students):
                grades.append(_grade(gb, aid, student, known[aid].max_score))
    return grades


def _grade(gb, aid, student, maximum):
    try:
        sub = gb.find_submission(aid, student)
    except MissingEntry:
        return Grade(student, aid, None, maximum, "no submission")
    if sub.needs_manual_grade:
        waiting = sum(1 for nb in sub.notebooks for g in nb.grades if g.needs_manual_grade)
        return Grade(student, aid, None, maximum, f"waits for manual grading ({waiting} cell(s))")
    points = max(0.0, sub.score - (sub.late_submission_penalty or 0.0))
    return Grade(student, aid, round(points, 2), maximum)


def same_points(a, b):
    """Whether two grades are the same to the hundredth (None: no grade)."""
    if a is None or b is None or (isinstance(a, float) and math.isnan(a)):
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.005


def record_pushed(root, system, aid, points):
    """Remember what the LMS now holds for `aid` ({student: points}) in reports/lms/<system>.json."""
    path = Path(root) / LEDGER / f"{system}.json"
    ledger = json.loads(path.read_text()) if path.exists() else {}
    ledger.setdefault(aid, {}).update(points)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(ledger, indent=1, sort_keys=True))


def lms_status(root, grades):
    """{(system, assignment): (pushed, pending)}: final grades the LMS holds as the gradebook has them, and
    final grades it does not hold yet (never pushed, or changed since), from the pushes' records."""
    found = {}
    for path in sorted((Path(root) / LEDGER).glob("*.json")):
        ledger = json.loads(path.read_text())
        for aid in sorted({g.assignment for g in grades}):
            final = {g.student: g.points for g in grades if g.assignment == aid and g.points is not None}
            pushed = sum(same_points(ledger.get(aid, {}).get(s), p) for s, p in final.items())
            found[path.stem, aid] = (pushed, len(final) - pushed)
    return found
