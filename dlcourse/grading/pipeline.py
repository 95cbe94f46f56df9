"""The TA pipeline on real nbgrader: generate, autograde, feedback, export, a grade table.

What it tells the TA is in the class's language (`deadlines.class_language`: course.toml's ``language``,
or the command's ``--lang``), given to each function as `lang`; the records it keeps (outcomes, the
integrity reports' JSON) stay in English and are translated where they are shown.
"""
import shutil
import warnings
from pathlib import Path

from nbgrader.api import Gradebook

from ..i18n import ENGLISH, translate
from ..isolation import bwrap
from ..notebook import variants as made_up
from . import deadlines
from .course import assignments, course_api, export_csv, load_config, notebook_pair  # noqa: F401
from .unit import Outcome, device_label, grade_one, graded_device, read_scores  # noqa: F401

# nbgrader 0.9 with SQLAlchemy 2 warns on every autograde; the warning is harmless.
warnings.filterwarnings("ignore", message=".*not in session.*")


def generate(api, ids):
    """Regenerate release/ for the assignments `ids`; raise if nbgrader fails."""
    for aid in ids:
        result = api.generate_assignment(aid, force=True)
        if not result["success"]:
            raise RuntimeError(f"generate_assignment {aid} failed:\n{result.get('error') or result.get('log')}")
    deadlines.write_due_dates(api.coursedir.db_url, api.coursedir.course_id, api.coursedir.root, ids)


class UnknownAssignment(ValueError):
    """An assignment the gradebook does not know and source/ cannot register."""


def register_missing(api, ids, lang=ENGLISH):
    """Generate (and so register in the gradebook) the assignments of `ids` it does not know yet.

    Returns the ids generated here; raises UnknownAssignment, with what to do, for one that has
    no source/ folder.
    """
    root = Path(api.coursedir.root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        known = {a.name for a in gb.assignments}
    missing = [aid for aid in ids if aid not in known or not (root / "release" / aid).is_dir()]
    for aid in missing:
        if not (root / "source" / aid).is_dir():
            raise UnknownAssignment(translate("{0} is not an assignment of this course (no source/{0}); "
                                              "assignments: {1}", lang).format(
                aid, ", ".join(assignments(root)) or translate("none", lang)))
    generate(api, missing)
    return missing


def submit_variant(root, aid, student, variant, variants=None):
    """Write the `variant` submission of every notebook of `aid` for `student`."""
    src, rel = notebook_pair(root, aid)
    cells = (variants or {}).get(variant, {}).get("cells", {})
    known = set().union(*(made_up.solutions(nb) for nb in src.values()))
    if set(cells) - known:
        raise KeyError(f"{aid} variant {variant!r} names unknown answer cells: {sorted(set(cells) - known)}")
    nbs = {name: made_up.build(src[name], rel[name], variant, cells) for name in rel}
    return made_up.write_submission(root, student, aid, nbs)


DEMO_STUDENTS = {
    "ada": "reference",      # every answer right
    "ben": "untouched",      # handed in the release copy unchanged
    "cleo": "mistake",       # a plausible mistake (from tests/submissions/<assignment>.py)
    "dev": "hostile",        # answers that claim to equal anything
    "eli": "broken",         # a notebook file that is not valid JSON
}


DEMO_NAMES = {"ada": ("Ada", "Byron"), "ben": ("Ben", "Okafor"), "cleo": ("Cleo", "Martin"),
              "dev": ("Dev", "Patel"), "eli": ("Eli", "Novak")}


def build_demo_class(root, submissions_dir, ids):
    """Fill submitted/ with the demo class, one student per kind of submission, and put its made-up roster in
    the gradebook (as `python -m dlcourse roster` would)."""
    api = course_api(root)
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gb:
        for student, (first, last) in DEMO_NAMES.items():
            gb.update_or_create_student(student, first_name=first, last_name=last, email=f"{student}@example.org")
    for aid in ids:
        variants = made_up.load_variants(submissions_dir, aid)
        for student, kind in DEMO_STUDENTS.items():
            if kind == "broken":
                names = [p.name for p in (Path(root) / "release" / aid).glob("*.ipynb")]
                made_up.write_submission(root, student, aid, {n: '{"cells": [' for n in names})
                continue
            if kind == "mistake":
                kind = next((v for v in variants if v.startswith("mistake")), "untouched")
            submit_variant(root, aid, student, kind, variants)


class NotGradedYet(ValueError):
    """Feedback asked for a submission that was not autograded yet."""


def feedback_command(root, ids=None, students=None, release=False, lang=None):
    """Regenerate the HTML feedback of graded submissions (after hand grading, say) and, with `release`,
    put it in the exchange for students to fetch. Returns ([(student, assignment, html path)] done,
    [(student, assignment, why)] that failed). Each page speaks its notebook's language; what is said
    to the TA, the class's (`lang`, by default course.toml's)."""
    lang = deadlines.class_language(root, lang)
    api = course_api(root)
    cd = api.coursedir
    ids = ids or assignments(root)
    graded = [(aid, s) for aid in ids for s in (students or sorted(
        p.parent.name for p in Path(root, "autograded").glob(f"*/{aid}")))]
    missing = [(aid, s) for aid, s in graded if not Path(cd.format_path(cd.autograded_directory, s, aid)).is_dir()]
    if missing or not graded:
        which = ", ".join(f"{s} ({aid})" for aid, s in missing) or translate("nothing graded in {0}", lang).format(
            ", ".join(ids))
        raise NotGradedYet(translate("{0}: grade first with `python -m dlcourse grade {1}`, then make feedback",
                                     lang).format(which, " ".join(ids)))
    deadlines.settle_penalties(cd.db_url, cd.course_id, root, ids)  # the written answers graded since count too
    done, failed = [], []
    for aid, student in graded:  # one student's failure never stops the others' feedback
        result = api.generate_feedback(aid, student, force=True)
        why = "" if result["success"] else _last_line(result, lang)
        if not why and release:
            result = api.release_feedback(aid, student)
            why = "" if result["success"] else translate("releasing it failed: {0}", lang).format(_last_line(result, lang))
        if why:
            failed.append((student, aid, why))
            continue
        folder = Path(cd.format_path(cd.feedback_directory, student, aid))
        done += [(student, aid, path) for path in sorted(folder.glob("*.html"))]
    return done, failed


def _last_line(result, lang=ENGLISH):
    """The last line of what an nbgrader API call reported: usually the error itself."""
    lines = [line for line in str(result.get("error") or result.get("log") or "").splitlines() if line.strip()]
    return lines[-1].strip() if lines else translate("no message", lang)


def feedback(api, outcomes):
    """Generate nbgrader's HTML feedback for every graded submission."""
    for o in outcomes:
        if o.ok:
            api.generate_feedback(o.assignment, o.student, force=True)


def cell_text(o, lang=ENGLISH):
    """One table cell: points / maximum (after the late penalty), the penalty and pending manual points, or
    FAILED (reason below)."""
    if not o.ok:
        return translate("FAILED", lang)
    text = f"{o.points:g}/{o.max_points:g}"
    notes = ([translate("late -{0}", lang).format(f"{o.penalty:g}")] if o.penalty else []) + \
        ([translate("{0} pending", lang).format(f"{o.pending:g}")] if o.pending else [])
    return text + (f" ({', '.join(notes)})" if notes else "")


def grade_table(outcomes, lang=ENGLISH):
    """A plain-text table of students × assignments, in `lang`."""
    students = sorted({o.student for o in outcomes})
    ids = sorted({o.assignment for o in outcomes})
    by_key = {(o.student, o.assignment): o for o in outcomes}
    devices = {s: ",".join(sorted({o.device for o in outcomes if o.student == s and o.device})) or "-"
               for s in students}
    rows = [[translate("student", lang), *ids, translate("device", lang)]] + [
        [s, *(cell_text(by_key[s, a], lang) if (s, a) in by_key else "-" for a in ids), devices[s]] for s in students]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    fmt = lambda r: "  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()  # noqa: E731
    failed = [translate("FAILED {0} · {1}: {2}", lang).format(o.student, o.assignment, translate(o.error, lang))
              for o in outcomes if not o.ok]
    return "\n".join([fmt(rows[0]), fmt(["-" * w for w in widths]), *map(fmt, rows[1:]),
                      *([""] + failed if failed else [])])


def configured_dask(api):
    """The Dask scheduler nbgrader_config.py names (c.GradingCluster.scheduler, $DLCOURSE_DASK), or ""."""
    section = api.config.get("GradingCluster", {})
    return str(section.get("scheduler", "") or "") if hasattr(section, "get") else ""


def grade(root, ids=None, students=None, workers=None, db_url=None, sandbox=True, dask=None, lang=None):
    """Autograde `students` (default: all under submitted/) on `ids`; return the outcomes.

    Kernels run in the grading sandbox; without bubblewrap this raises SandboxUnavailable
    before grading anything, unless `sandbox` is False (the TA's explicit choice).

    The runner: a Dask cluster when `dask` (or the configuration) names its scheduler (one task per
    student, a PostgreSQL gradebook); else `workers` local processes (default: one per core; 1
    grades here, one after another). `db_url` overrides the gradebook nbgrader_config.py names. `lang`:
    the class's language (default: course.toml's), of what it prints and of the integrity reports.
    """
    from . import parallel
    if sandbox and not dask:  # before reading the course: what is missing here comes first
        bwrap.require()  # (with --dask the workers grade, and each checks its own bubblewrap)
    lang = deadlines.class_language(root, lang)
    api = course_api(root)
    if db_url:
        api.coursedir.db_url = db_url
    dask = dask or configured_dask(api)
    if dask:
        from . import cluster
        cluster.require_shared_gradebook(api.coursedir.db_url)
    ids = ids or assignments(root)
    for aid in register_missing(api, ids, lang):
        print(translate("{0}: not in the gradebook yet, generated it from source/ (python -m dlcourse generate {0})",
                        lang).format(aid))
    deadlines.load_extensions(root)  # a mistake in extensions.csv stops grading before it starts
    deadlines.write_due_dates(api.coursedir.db_url, api.coursedir.course_id, root, ids)
    units = [(aid, s) for aid in ids
             for s in (students or sorted(p.parent.name for p in (Path(root) / "submitted").glob(f"*/{aid}")))]
    if dask:
        return read_scores(api, cluster.grade_on_cluster(root, units, dask, api.coursedir.db_url, sandbox=sandbox,
                                                         lang=lang))
    workers = workers or parallel.default_workers()
    if workers > 1 and len(units) > 1:
        return read_scores(api, parallel.grade_parallel(root, units, workers, db_url, sandbox=sandbox, lang=lang))
    return read_scores(api, parallel.one_by_one(api, units, sandbox=sandbox, lang=lang))


def demo(root, submissions_dir, ids=None, fresh=True, sandbox=True, workers=None, lang=None):
    """The whole TA pipeline on the demo class; returns the outcomes and prints a grade table (in `lang`,
    by default the class's language)."""
    root = Path(root)
    lang = deadlines.class_language(root, lang)
    api = course_api(root)
    ids = ids or assignments(root)
    if fresh:
        for name in ("submitted", "feedback", "reports", "gradebook.db"):
            path = root / name
            shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
        for path in (root / "autograded").glob("*"):
            if path.is_dir():
                shutil.rmtree(path)
    generate(api, ids)
    build_demo_class(root, submissions_dir, ids)
    outcomes = grade(root, ids, sandbox=sandbox, workers=workers, lang=lang)
    feedback(api, outcomes)
    from . import reports
    summary = reports.write_reports(root, outcomes, lang=lang)  # exports grades to reports/grades.csv too
    print(grade_table(outcomes, lang))
    print("\n" + translate("pending = written answers that wait for manual grading (formgrader).", lang))
    print(translate("feedback in feedback/<student>/<assignment>/", lang) + "\n")
    print(summary)
    return outcomes
