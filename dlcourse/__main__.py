"""Command line: python -m dlcourse {generate,grade,feedback,demo,reports,roster,zip-collect,lms,similarity,translations,audit,hub,gpu-check}."""
import argparse
import json
import os
import sys
from pathlib import Path

if __name__ == "__main__" and sys.argv[1:2] == ["gpu-check"]:  # runs on a bare CUDA machine, without Jupyter
    from .tools.gpucheck import main as gpu_check
    sys.exit(gpu_check(sys.argv[2:]))

from .grading import pipeline  # noqa: E402
from .grading.cluster import ClusterError  # noqa: E402
from .grading.deadlines import ScheduleError, class_language, languages  # noqa: E402
from .grading.unit import attention_lines  # noqa: E402
from .i18n import translate  # noqa: E402
from .isolation.bwrap import SandboxUnavailable  # noqa: E402

UNSANDBOXED = ("run student code with your own permissions, without the bubblewrap sandbox "
               "(only for submissions you trust, on a machine without bubblewrap)")
LANG = ("the language of what grading tells you, of the summary and of the plots (default: course.toml's "
        "language, else en)")
CANNOT = {"grade": "cannot grade", "demo": "cannot grade", "feedback": "no feedback yet",
          "reports": "cannot write the reports"}  # (before the class's language is known: in English)


def run_hub(root, args):
    """python -m dlcourse hub: set the hub up, run it until Ctrl-C; or remove what it made."""
    from .grading.roster import RosterError
    from .hub import deploy
    from .hub.accounts import AccountError
    folder = Path(args.folder)
    try:
        if args.remove:
            deploy.remove(folder)
            print(f"hub: removed its accounts and {folder}")
            return 0
        roster = Path(args.roster) if Path(args.roster).is_absolute() else root / args.roster
        settings = deploy.prepare(folder, root, roster, port=args.port)
    except (deploy.HubError, AccountError, RosterError) as exc:
        print(f"cannot start the hub: {exc}", file=sys.stderr)
        return 2
    process = deploy.start(settings)
    print(f"hub: log in at http://127.0.0.1:{args.port}/ with a roster account (passwords: {folder}/passwords.csv, "
          f"root only); TAs grade in {settings['course']}.\nCtrl-C stops the hub and every server; "
          f"`python -m dlcourse hub --remove` then deletes the accounts it made. Log: {folder}/jupyterhub.log")
    try:
        return process.wait()
    except KeyboardInterrupt:
        process.terminate()
        return process.wait()


def run_lms(root, args):
    """python -m dlcourse lms push|csv: final grades to Canvas or Moodle, or the CSV files they import."""
    from .grading import finals
    from .lms import grades as lms
    from .lms import push
    try:
        target = lms.load_target(root, args.to, need_token=args.action == "push")
        graded = finals.graded_assignments(root)
        aids = args.assignments or [a for a in target.assignments if a in graded]
        if not aids:
            raise lms.LmsError("none of the assignments lms.toml maps is graded yet: run `python -m dlcourse grade` first")
        final, persons = finals.final_grades(root, aids), lms.people(root)
        if args.action == "csv":
            return write_sheets(root, target, final, persons)
        client = push.client_for(target)
        rows = push.plan(client, target, final, persons)
        print(push.table(rows, client.name))
        if not args.yes:
            print(f"Nothing posted (a dry run): add --yes to post the rows marked post to {client.name}.")
            return 0
        posted = push.push(client, target, rows, root)
    except push.PushStopped as exc:
        done = ", ".join(f"{aid} ({n})" for aid, n in exc.posted) or "nothing"
        print(f"stopped: {exc}\nposted before it stopped: {done}. What was posted stays; push again to post the "
              "rest (grades already in the LMS are not posted twice).", file=sys.stderr)
        return 1
    except (lms.LmsError, finals.NotGraded) as exc:
        print(f"cannot {'push grades' if args.action == 'push' else 'write the files'}: {exc}", file=sys.stderr)
        return 2
    print("posted: " + (", ".join(f"{aid}: {n} grade(s)" for aid, n in posted) or "nothing (the LMS holds every grade)"))
    return 0


def write_sheets(root, target, final, persons):
    """The CSV files of `lms csv`, in reports/lms/."""
    from .lms import sheets
    folder = root / "reports" / "lms"
    if target.system == "canvas":
        print(f"wrote {sheets.canvas_csv(folder / 'canvas_grades.csv', target.assignments, final, persons)}: "
              "Canvas → Grades → Import")
        return 0
    for aid in sorted({g.assignment for g in final}):
        path, left_out = sheets.moodle_worksheet(folder / f"moodle_{aid}.csv", aid, final, persons)
        print(f"wrote {path}: Moodle → {aid} → View all submissions → Upload grading worksheet")
        for student, why in left_out:
            print(f"  left out {student}: {why}")
    return 0


def run_similarity(root, args):
    """python -m dlcourse similarity ASSIGNMENT: the pairs of students whose code is similar."""
    from .grading import similarity
    threshold = similarity.THRESHOLD if args.threshold is None else args.threshold
    try:
        pairs, table, page = similarity.report(root, args.assignment, threshold)
    except FileNotFoundError as exc:
        print(f"cannot compare: {exc}", file=sys.stderr)
        return 2
    for p in pairs[:20]:
        print(f"{p.score:.2f}  {p.a} ~ {p.b}  ({' '.join(p.cells)})")
    more = " (the first 20 above)" if len(pairs) > 20 else ""
    print(f"{len(pairs)} similar pair(s) at {threshold:.2f} or more{more}; side by side in {page.relative_to(root)}, "
          f"listed in {table.relative_to(root)}. Similar is not copied: read the code before you decide.")
    return 0


def run_translations(root, args):
    """python -m dlcourse translations status|check|update|build: an edition in another language."""
    from .notebook import messages
    from .notebook import translations as tr
    notebooks = tr.english_notebooks(root)
    if args.action == "update":
        for nb in notebooks:
            left = tr.update_catalog(root, args.lang, nb)
            print(f"{tr.catalog_path(root, args.lang, nb).relative_to(root)}: {left} cell(s) to translate")
        for name, entries in messages.extract(root).items():
            left = messages.update(args.lang, name, entries)
            print(f"dlcourse/locale/{args.lang}/{name}.po: {left} message(s) to translate")
        return 0
    if args.action == "build":
        for nb in notebooks:
            path = tr.edition_path(root, args.lang, nb)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(tr.dumps(tr.build(root, args.lang, nb)), encoding="utf-8")
        print(f"built {len(notebooks)} notebooks in {args.lang}/ from the English and translations/{args.lang}/")
        return 0
    problems = [p for nb in notebooks for p in tr.notebook_problems(root, args.lang, nb)]
    problems += messages.problems(root, args.lang)
    if args.action == "check":
        problems += [p for nb in notebooks for p in tr.edition_problems(root, args.lang, nb)]
    for p in problems:
        print(p)
    cells = sum(len(tr.prose_cells(json.loads(nb.read_text()))) for nb in notebooks)
    print(f"{args.lang}: {len(problems)} problem(s) in {cells} translated cells of {len(notebooks)} notebooks "
          f"and the messages of dlcourse/locale/{args.lang}/")
    return 1 if problems and args.action == "check" else 0


def main(argv=None):
    """Parse the command line and run one step of the TA pipeline."""
    parser = argparse.ArgumentParser(prog="python -m dlcourse", description=__doc__)
    parser.add_argument("--root", default=".", help="course folder (holds nbgrader_config.py)")
    parser.add_argument("--db-url", help="gradebook database URL, e.g. postgresql://user:pw@host/gradebook "
                                         "(default: $DLCOURSE_DB_URL, else SQLite gradebook.db in the course)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate release/ from source/")
    gen.add_argument("assignments", nargs="*")
    grade = sub.add_parser("grade", help="autograde submitted/ and print a grade table")
    grade.add_argument("assignments", nargs="*")
    grade.add_argument("--student", action="append", help="grade only these students")
    grade.add_argument("--unsandboxed", action="store_true", help=UNSANDBOXED)
    grade.add_argument("--workers", type=int, help="grading processes (default: one per core; 1: one by one)")
    grade.add_argument("--dask", metavar="tcp://HOST:8786",
                       help="grade on this Dask cluster, one task per student (default: $DLCOURSE_DASK, "
                            "c.GradingCluster.scheduler); needs a PostgreSQL gradebook and pip install -e '.[cluster]'")
    grade.add_argument("--lang", choices=languages(), help=LANG)
    demo = sub.add_parser("demo", help="the whole TA pipeline on a made-up class")
    demo.add_argument("assignments", nargs="*")
    demo.add_argument("--submissions", default="tests/submissions", help="folder of variant files")
    demo.add_argument("--unsandboxed", action="store_true", help=UNSANDBOXED)
    demo.add_argument("--workers", type=int, help="grading processes (default: one per core; 1: one by one)")
    demo.add_argument("--lang", choices=languages(), help=LANG)
    fb = sub.add_parser("feedback", help="regenerate feedback of graded submissions (after hand grading) "
                                         "and with --release put it in the exchange for students to fetch")
    fb.add_argument("assignments", nargs="*")
    fb.add_argument("--student", action="append", help="only these students")
    fb.add_argument("--release", action="store_true", help="release it through nbgrader's exchange")
    fb.add_argument("--lang", choices=languages(), help="the language of what this command tells you (default: "
                                                         "course.toml's, else en); each page speaks its notebook's")
    rep = sub.add_parser("reports", help="write reports/ from the gradebook and print the summary")
    rep.add_argument("--lang", choices=languages(), help=LANG)
    ro = sub.add_parser("roster", help="import the class list into the gradebook (nbgrader db student import): "
                                       "student_id, first_name, last_name, email")
    ro.add_argument("file", nargs="?", default="roster.csv", help="the roster CSV (default: roster.csv)")
    zc = sub.add_parser("zip-collect", help="collect a Moodle download into submitted/ (nbgrader zip_collect)")
    zc.add_argument("assignment")
    zc.add_argument("archive", help="the zip Moodle's 'Download all submissions' gives")
    zc.add_argument("--roster", default="roster.csv", help="CSV with student_id, full_name, moodle_id")
    aud = sub.add_parser("audit", help="measure the tests' strength: run mutants of every reference answer "
                                       "through its test cells")
    aud.add_argument("assignments", nargs="*")
    aud.add_argument("--task", action="append", help="audit only these answer cells (grade ids)")
    aud.add_argument("--workers", type=int, help="assignments audited at once (default: one per core)")
    aud.add_argument("--timeout", type=float, default=60, help="seconds a mutant may run at most (default 60)")
    aud.add_argument("--min-score", type=float, default=0.95, help="exit non-zero below this score (default 0.95)")
    aud.add_argument("--json", help="write the results to this JSON file")
    aud.add_argument("--unsandboxed", action="store_true", help=UNSANDBOXED)
    hub = sub.add_parser("hub", help="the course's JupyterHub for a class on this machine (as root; make hub)")
    hub.add_argument("--roster", default="roster.csv", help="the class list, TAs with role ta (default roster.csv)")
    hub.add_argument("--folder", default="/srv/dlcourse-hub", help="the hub's folder (default /srv/dlcourse-hub)")
    hub.add_argument("--port", type=int, default=8000, help="where to log in: http://127.0.0.1:PORT/ (default 8000)")
    hub.add_argument("--remove", action="store_true", help="delete the accounts the hub made and its folder")
    lm = sub.add_parser("lms", help="final grades (after late penalties) to Canvas or Moodle: push shows what it "
                                    "would post and posts with --yes; csv writes the files they import by hand")
    lm.add_argument("action", choices=["push", "csv"])
    lm.add_argument("assignments", nargs="*")
    lm.add_argument("--to", choices=["canvas", "moodle"], help="which LMS of lms.toml (needed when it has both)")
    lm.add_argument("--yes", action="store_true", help="post the grades (without it: only the dry-run table)")
    tr = sub.add_parser("translations", help="an edition in another language, built from the English: status (what "
                                             "needs work), check (fails on drift), update (catalogs), build (notebooks)")
    tr.add_argument("action", choices=["status", "check", "update", "build"])
    tr.add_argument("--lang", default="ru", help="language code (default ru; catalogs in translations/LANG/)")
    sim = sub.add_parser("similarity", help="compare what each student wrote with every other student: "
                                            "reports/similarity/ASSIGNMENT.csv and .html, most similar first")
    sim.add_argument("assignment")
    sim.add_argument("--threshold", type=float, help="list pairs scoring at least this (default: the measured 0.6)")
    from .tools import gpucheck
    gpucheck.add_arguments(sub.add_parser("gpu-check", help="grade every notebook and variant on two devices "
                                                             "and compare (default: cuda cpu)"))
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if args.db_url:  # nbgrader_config.py reads it, so every nbgrader command and worker uses it
        os.environ["DLCOURSE_DB_URL"] = args.db_url
    if args.command == "hub":
        return run_hub(root, args)
    if args.command == "lms":
        return run_lms(root, args)
    if args.command == "similarity":
        return run_similarity(root, args)
    if args.command == "translations":
        return run_translations(root, args)
    if args.command == "roster":
        from .grading.roster import RosterError, import_roster
        path = Path(args.file) if Path(args.file).is_absolute() else root / args.file
        try:
            count = import_roster(root, path)
        except RosterError as exc:
            print(f"cannot import the roster: {exc}", file=sys.stderr)
            return 2
        print(f"{count} students in the gradebook from {path.name} (names and emails show in the formgrader "
              "and in exports)")
        return 0
    lang = "en"
    if args.command in CANNOT:  # the class's language: --lang, else course.toml's
        try:
            lang = class_language(root, args.lang)
        except ScheduleError as exc:
            print(f"{CANNOT[args.command]}: {exc}", file=sys.stderr)
            return 2
    if args.command == "reports":
        from .grading import reports
        try:
            print(reports.write_reports(root, lang=lang))
        except ScheduleError as exc:
            print(translate("cannot write the reports: {0}", lang).format(exc), file=sys.stderr)
            return 2
        return 0
    if args.command == "feedback":
        try:
            done, failed = pipeline.feedback_command(root, args.assignments or None, args.student, args.release,
                                                     lang=lang)
        except (pipeline.NotGradedYet, ScheduleError) as exc:
            print(translate("no feedback yet: {0}", lang).format(exc), file=sys.stderr)
            return 2
        released = translate(" (released)", lang) if args.release else ""
        for student, aid, path in done:
            print(f"{student} · {aid}: {path.relative_to(root)}{released}")
        for student, aid, why in failed:
            print(translate("FAILED {0} · {1}: {2}", lang).format(student, aid, translate(why, lang)), file=sys.stderr)
        return 1 if failed else 0
    if args.command == "zip-collect":
        from .grading import collect
        students, report = collect.zip_collect_moodle(root, args.assignment, args.archive, args.roster)
        print(f"{len(students)} student(s) have a submission of {args.assignment} in submitted/")
        for row in report:
            print(f"{row['status']}: {row['file']} {row['student_id']} ({row['reason']})")
        return 0
    if args.command == "gpu-check":
        return gpucheck.run(args, root)
    if args.command == "audit":
        from .tools import audit
        try:
            return audit.run(root, args.assignments, args.task or (), args.workers, args.timeout,
                             sandbox=not args.unsandboxed, min_score=args.min_score, json_path=args.json)
        except audit.AuditError as exc:
            print(f"cannot audit: {exc}", file=sys.stderr)
            return 2
    if args.command == "generate":
        pipeline.generate(pipeline.course_api(root), args.assignments or pipeline.assignments(root))
        return 0
    try:
        if args.command == "grade":
            outcomes = pipeline.grade(root, args.assignments or None, args.student, sandbox=not args.unsandboxed,
                                      workers=args.workers, dask=args.dask, lang=lang)
            print(pipeline.grade_table(outcomes, lang))
        else:
            outcomes = pipeline.demo(root, root / args.submissions, args.assignments or None,
                                     sandbox=not args.unsandboxed, workers=args.workers, lang=lang)
    except SandboxUnavailable as exc:
        print(translate("refusing to grade: {0}", lang).format(exc), file=sys.stderr)
        return 2
    except (pipeline.UnknownAssignment, ClusterError, ScheduleError) as exc:
        print(translate("cannot grade: {0}", lang).format(exc), file=sys.stderr)
        return 2
    for line in attention_lines(outcomes, lang):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
