"""The files an LMS imports by hand, for universities that give out no API token.

- Canvas's gradebook CSV (Grades → Import): ``Student, ID, SIS User ID, SIS Login ID, Section`` and one
  column per assignment named ``Name (assignment id)``, after a ``Points Possible`` row. Canvas finds a
  student by ID, SIS User ID or SIS Login ID; an empty grade changes nothing.
- Moodle's offline grading worksheet (Assignment → View all submissions → Upload grading worksheet),
  one per assignment: ``Identifier`` (``Participant <user id>``), the other columns as Moodle writes
  them, ``Grade`` the points.
"""
import csv
from pathlib import Path

CANVAS_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
MOODLE_COLUMNS = ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum Grade",
                  "Grade can be changed", "Last modified (submission)", "Last modified (grade)", "Feedback comments"]


def _points(value):
    return "" if value is None else f"{value:.2f}"


def canvas_csv(path, mapping, grades, persons):
    """Write Canvas's gradebook CSV for the assignments in `mapping` (course id -> Canvas id); the path."""
    aids = [a for a in mapping if any(g.assignment == a for g in grades)]
    by = {(g.student, g.assignment): g for g in grades}
    maxima = {g.assignment: g.max_points for g in grades}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(CANVAS_COLUMNS + [f"{a} ({mapping[a]})" for a in aids])
        out.writerow(["Points Possible", "", "", "", ""] + [_points(maxima[a]) for a in aids])
        for p in persons:
            out.writerow([p.name or p.student, p.lms_user_id, p.sis_id, p.student, ""]
                         + [_points(by[p.student, a].points) if (p.student, a) in by else "" for a in aids])
    return path


def moodle_worksheet(path, aid, grades, persons):
    """Write Moodle's grading worksheet for `aid`; (the path, [(student, why left out)])."""
    mine = {g.student: g for g in grades if g.assignment == aid}
    left_out = []
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(MOODLE_COLUMNS)
        for p in persons:
            g = mine.get(p.student)
            if g is None:
                continue
            if not p.lms_user_id:
                left_out.append((p.student, "no lms_user_id (their Moodle user id) in roster.csv"))
                continue
            status = "No submission" if g.why == "no submission" else "Submitted for grading"
            out.writerow([f"Participant {p.lms_user_id}", p.name or p.student, p.email, status, _points(g.points),
                          _points(g.max_points), "Yes", "", "", ""])
    return path, left_out
