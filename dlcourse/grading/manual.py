"""Manual grades survive regrading: a TA's points on an unchanged answer need no second review.

nbgrader's autograde flags every cell that has a manual score for review again, even when the
student's answer is the one the TA already graded. Here a graded cell stays graded when the
answers it depends on are unchanged: the cell itself for a written or free-response answer,
every answer cell of the notebook for a test cell the TA overrode. A changed answer (a
resubmission) keeps nbgrader's flag.
"""
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from ..notebook import cells


def _answers(path):
    """{grade id: source} of the answer cells of the notebook at `path`; {} if unreadable."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return {}
    return {cells.grade_id(c): c.source for c in nb.cells if cells.is_answer(c) and cells.grade_id(c)}


def graded_answers(api, aid, student):
    """{notebook name: answers} of the student's last autograded copy of `aid` (before regrading)."""
    cd = api.coursedir
    folder = Path(cd.format_path(cd.autograded_directory, student, aid))
    return {p.stem: _answers(p) for p in sorted(folder.glob("*.ipynb"))}


def keep_manual_grades(api, aid, student, before):
    """After autograde: clear the review flag of manual grades whose answers did not change.

    `before` is what graded_answers returned before autograde; returns the cells kept.
    """
    cd = api.coursedir
    folder = Path(cd.format_path(cd.autograded_directory, student, aid))
    kept = []
    if not any(before.values()):  # graded for the first time: no TA has graded anything yet
        return kept
    with Gradebook(cd.db_url, cd.course_id) as gb:
        try:
            sub = gb.find_submission(aid, student)
        except MissingEntry:
            return kept
        for nb in sub.notebooks:
            old, new = before.get(nb.name), _answers(folder / f"{nb.name}.ipynb")
            if not old:
                continue
            for grade in nb.grades:
                if grade.manual_score is None or not grade.needs_manual_grade:
                    continue
                same = old.get(grade.name) == new.get(grade.name) if grade.name in new else old == new
                if same:
                    grade.needs_manual_grade = False
                    kept.append((nb.name, grade.name))
        gb.db.commit()
    return kept


def fresh_formgrader_reads():
    """Make the formgrader read the gradebook afresh on every request.

    nbgrader's formgrader keeps one gradebook session for its lifetime, so after a regrade from
    the command line it kept showing what it had read before (a changed answer not flagged for
    review). Ending the session's last transaction as each request starts shows the current state.
    """
    import inspect

    from nbgrader.server_extensions.formgrader.base import BaseHandler
    if getattr(BaseHandler.prepare, "_dlcourse_fresh", False):
        return
    original = BaseHandler.prepare

    async def prepare(self):
        gradebook = self.settings.get("nbgrader_gradebook")
        if gradebook is not None:
            gradebook.db.rollback()  # nbgrader commits its writes within each request
        result = original(self)
        if inspect.isawaitable(result):
            await result

    prepare._dlcourse_fresh = True
    BaseHandler.prepare = prepare
