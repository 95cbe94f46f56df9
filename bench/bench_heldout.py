"""Held-out answers through real `nbgrader autograde`: false positives and false negatives per assignment.

    python bench/bench_heldout.py [ASSIGNMENT…] [--folder tests/heldout] [--course PATH] [--json OUT]

Each case of ``<folder>/<assignment>.py`` (``VARIANTS = {name: {"task", "verdict", "why", "cells"}}``)
replaces answer cells of the reference; every other cell keeps the instructor's answer. A *correct*
case must lose no point (else a false positive); a *wrong* or *evasion* case must lose a test cell of
its task, the graded cells between its answer cell and the next task (else a false negative). The
course (nbgrader_config.py and source/) is copied from `--course` (this repository by default) into a
temporary folder, so the same script measures an older checkout too. Once measured, the cases move to
tests/submissions/ (with what each loses) and the held-out folder is emptied: cases the tests were tuned
to are held out no more.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _task_tests(source_nb):
    """answer grade id -> grade ids of the test cells of its task (this checkout's dlcourse/notebook/tasks.py, which
    reads notebooks only: an older course measured with --course may predate it)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("heldout_tasks", REPO / "dlcourse" / "tasks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    tasks, cells = module.tasks, source_nb.cells
    return {t.grade_id: [cells[i].metadata.nbgrader["grade_id"] for i in t.tests] for t in tasks(source_nb)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--folder", default=str(REPO / "tests" / "heldout"))
    parser.add_argument("--course", default=str(REPO), help="the course to measure (its source/ and config)")
    parser.add_argument("--json", help="write every case's outcome here")
    args = parser.parse_args(argv)
    home = Path(tempfile.mkdtemp(prefix="dlcourse-heldout-"))
    os.environ.update(HOME=str(home), JUPYTER_DATA_DIR=str(home / "data"), JUPYTER_CONFIG_DIR=str(home / "cfg"),
                      JUPYTER_RUNTIME_DIR=str(home / "run"), IPYTHONDIR=str(home / "ipy"),
                      MPLCONFIGDIR=str(home / "mpl"))
    sys.path.insert(0, args.course)
    from dlcourse.grading import pipeline
    from dlcourse.notebook import variants as made_up

    course = home / "course"
    course.mkdir()
    shutil.copy(Path(args.course) / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(Path(args.course) / "source", course / "source")
    folder = Path(args.folder)
    ids = args.assignments or sorted(p.stem for p in folder.glob("*.py"))
    pipeline.generate(pipeline.course_api(course), ids)
    rows, cases = [], []
    for aid in ids:
        variants = made_up.load_variants(folder, aid)
        src, _ = pipeline.notebook_pair(course, aid)
        tests, points = {}, {}
        for nb in src.values():
            tests.update(_task_tests(nb))
            points.update(made_up.test_points(nb))
        students = []
        for name, spec in variants.items():
            student = f"h-{aid}-{name}"
            pipeline.submit_variant(course, aid, student, name, variants)
            students.append((student, name, spec))
        outcomes = {o.student: o for o in pipeline.grade(course, [aid], [s for s, _, _ in students])}
        fp = fn = n_ok = n_bad = 0
        for student, name, spec in students:
            outcome = outcomes[student]
            lost = sorted(k for k, v in outcome.cells.items() if v is not None and v < points.get(k, 0)) \
                if outcome.ok else ["*"]  # a partial score counts as a loss
            own = [t for task in [spec["task"], *spec["cells"]] for t in tests.get(task, [])]
            if spec["verdict"] == "correct":
                n_ok += 1
                wrong = bool(lost)
                fp += wrong
            else:
                n_bad += 1
                wrong = not (set(lost) & set(own)) and lost != ["*"]
                fn += wrong
            cases.append({"assignment": aid, "case": name, "verdict": spec["verdict"], "task": spec["task"],
                          "lost": lost, "misgraded": wrong, "why": spec["why"],
                          "notes": outcome.notes if hasattr(outcome, "notes") else []})
            if wrong:
                kind = "FALSE POSITIVE" if spec["verdict"] == "correct" else "FALSE NEGATIVE"
                print(f"  {kind} {aid} {name} ({spec['verdict']}, {spec['task']}): lost {lost or 'nothing'} — "
                      f"{spec['why'][:110]}")
        rows.append((aid, n_ok, fp, n_bad, fn))
    print("\n| assignment | correct cases | false positives | wrong or evasion cases | false negatives |")
    print("| --- | --- | --- | --- | --- |")
    for aid, n_ok, fp, n_bad, fn in rows:
        print(f"| {aid} | {n_ok} | {fp} | {n_bad} | {fn} |")
    total = [sum(r[k] for r in rows) for k in range(1, 5)]
    print(f"| all | {total[0]} | {total[1]} | {total[2]} | {total[3]} |")
    if args.json:
        Path(args.json).write_text(json.dumps(cases, indent=1))
    shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
