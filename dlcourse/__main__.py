"""Command line: python -m dlcourse {generate,grade,demo}."""
import argparse
from pathlib import Path

from .grading import pipeline


def main(argv=None):
    """Parse the command line and run one step of the TA pipeline."""
    parser = argparse.ArgumentParser(prog="python -m dlcourse", description=__doc__)
    parser.add_argument("--root", default=".", help="course folder (holds nbgrader_config.py)")
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate", help="regenerate release/ from source/")
    gen.add_argument("assignments", nargs="*")
    grade = sub.add_parser("grade", help="autograde submitted/ and print a grade table")
    grade.add_argument("assignments", nargs="*")
    grade.add_argument("--student", action="append", help="grade only these students")
    demo = sub.add_parser("demo", help="the whole TA pipeline on a made-up class")
    demo.add_argument("assignments", nargs="*")
    demo.add_argument("--submissions", default="tests/submissions", help="folder of variant files")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    if args.command == "generate":
        pipeline.generate(pipeline.course_api(root), args.assignments or pipeline.assignments(root))
    elif args.command == "grade":
        outcomes = pipeline.grade(root, args.assignments or None, args.student)
        print(pipeline.grade_table(outcomes))
    else:
        pipeline.demo(root, root / args.submissions, args.assignments or None)


if __name__ == "__main__":
    main()
