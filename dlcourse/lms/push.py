"""A push to the LMS: plan it (the dry-run table), then post only the grades the LMS does not hold yet.

Pushing twice posts nothing the second time. A point-scale mismatch stops everything before a grade
is posted; a student who matches no LMS user (or waits for manual grading) is listed, never posted.
If the LMS fails half-way, what was posted stays posted and is recorded; pushing again posts the rest.
"""
from dataclasses import dataclass

from ..grading.finals import record_pushed, same_points
from .grades import LmsError, LmsUser, match


@dataclass
class Row:
    """One student and assignment: what the LMS holds, what the gradebook says, what the push does."""
    student: str
    assignment: str
    lms_assignment: int
    user: LmsUser | None
    old: float | None
    new: float | None
    action: str  # "post", "same" (already in the LMS) or "skip"
    why: str = ""


class PushStopped(LmsError):
    """The LMS failed part-way: `posted` lists (assignment, number of grades) that did go in."""

    def __init__(self, message, posted):
        super().__init__(message)
        self.posted = posted


def client_for(target):
    """The client of the target's LMS."""
    if target.system == "canvas":
        from .canvas import CanvasClient
        return CanvasClient(target)
    from .moodle import MoodleClient
    return MoodleClient(target)


def plan(client, target, grades, persons):
    """The rows of a push; LmsError on an unmapped assignment or a point scale that differs."""
    maxima = {g.assignment: g.max_points for g in grades}
    for aid, ours in maxima.items():
        if aid not in target.assignments:
            raise LmsError(f"lms.toml maps no {client.name} assignment to {aid}: add `{aid} = <id>` under "
                           f"[{target.system}.assignments]")
        theirs = client.max_points(target.assignments[aid])
        if abs(theirs - ours) > 1e-6:
            raise LmsError(f"{aid} is out of {ours:g} points here but {client.name} assignment "
                           f"{target.assignments[aid]} is out of {theirs:g}: set it to {ours:g} points in "
                           f"{client.name}, then push again. Nothing was posted.")
    found, unmatched = match(persons, client.users())
    held = {aid: client.current(target.assignments[aid]) for aid in maxima}
    rows = []
    for g in grades:
        user = found.get(g.student)
        lms_id = target.assignments[g.assignment]
        old = held[g.assignment].get(user.id) if user else None
        if user is None:
            why = unmatched.get(g.student, "not in the LMS course")
            rows.append(Row(g.student, g.assignment, lms_id, None, None, g.points, "skip",
                            f"{why}; {g.why}" if g.why else why))
        elif g.points is None:
            rows.append(Row(g.student, g.assignment, lms_id, user, old, None, "skip", g.why))
        else:
            rows.append(Row(g.student, g.assignment, lms_id, user, old, g.points,
                            "same" if same_points(old, g.points) else "post"))
    return rows


def _num(value):
    return "-" if value is None else f"{value:g}"


def table(rows, name="LMS"):
    """The dry-run table a TA reads before anything is posted, and a one-line count."""
    head = ["student", "assignment", f"{name} user", f"in {name}", "new", "action"]
    body = [[r.student, r.assignment, f"{r.user.id} {r.user.name}".strip() if r.user else "-", _num(r.old),
             _num(r.new), r.action if r.action != "skip" else f"not posted: {r.why}"] for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    fmt = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()  # noqa: E731
    count = {a: sum(r.action == a for r in rows) for a in ("post", "same", "skip")}
    return "\n".join([fmt(head), fmt(["-" * w for w in widths]), *map(fmt, body),
                      f"{count['post']} to post, {count['same']} already in {name}, {count['skip']} not posted"])


def comment(target, row):
    """The text comment that goes with a posted grade: where the feedback is, if lms.toml says."""
    if not target.feedback_url:
        return ""
    return f"Feedback on {row.assignment}: " + target.feedback_url.format(assignment=row.assignment, student=row.student)


def push(client, target, rows, root):
    """Post every "post" row, one call per assignment, and check that the LMS now holds them. Returns
    [(assignment, grades posted)]; PushStopped if the LMS fails (what went in is kept and recorded)."""
    posted = []
    for aid in sorted({r.assignment for r in rows}):
        mine = [r for r in rows if r.assignment == aid]
        todo = [r for r in mine if r.action == "post"]
        if todo:
            lms_id = todo[0].lms_assignment
            try:
                client.post(lms_id, {r.user.id: (r.new, comment(target, r)) for r in todo})
                now = client.current(lms_id)
            except LmsError as exc:
                raise PushStopped(str(exc), posted) from None
            wrong = [r.student for r in todo if not same_points(now.get(r.user.id), r.new)]
            if wrong:
                raise PushStopped(f"{client.name} does not hold the grades just posted to {aid} for "
                                  f"{', '.join(wrong)}", posted)
            posted.append((aid, len(todo)))
        record_pushed(root, target.system, aid, {r.student: r.new for r in mine if r.action in ("post", "same")})
    return posted
