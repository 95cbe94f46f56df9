"""Benchmark: what autograding costs per student per core, for every assignment.

    python bench/bench_assignments.py [ASSIGNMENT ...] [--students 8] [--top 3]

For each assignment a class of N students (reference, untouched, hostile and named variants, as
bench_grading.py builds it) is graded, in one run, two ways:
- plain: stock `nbgrader autograde`, one notebook after another (no sandbox, no guard);
- command: `python -m dlcourse grade A --workers 1` (sandbox, integrity guard, warm kernels): one
  worker, so its seconds per student are what one core pays for a student. It runs twice: on the
  first student alone, then on the class; the difference over N - 1 students is the cost of one
  more student (the start-up, a Python process and a warm server, is paid once per worker).
It prints seconds per student both ways, their ratio, whether one more student stays within the
goal (3 s per core), and the cells that cost most in the command's run (from the execution times
nbclient records in the autograded notebooks), so an assignment over the goal names the cell that
holds it up. Every run must give the same points both ways.
"""
import argparse
import os
import shutil
import statistics
import sys
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nbformat  # noqa: E402
from bench_grading import REPO, build_course, exported_points, plain_copy, run  # noqa: E402

from dlcourse.isolation import bwrap  # noqa: E402

GOAL = 3.0  # seconds per student per core


def cell_seconds(course, aid):
    """label -> median seconds of each code cell over the autograded notebooks of `aid`."""
    times = defaultdict(list)
    for path in sorted((course / "autograded").glob(f"*/{aid}/*.ipynb")):
        for i, cell in enumerate(nbformat.read(path, as_version=4).cells):
            ex = cell.metadata.get("execution", {})
            start, end = ex.get("iopub.execute_input"), ex.get("shell.execute_reply")
            if cell.cell_type == "code" and start and end:
                label = cell.metadata.get("nbgrader", {}).get("grade_id") or f"cell {i + 1}"
                times[label].append((_when(end) - _when(start)).total_seconds())
    return {label: statistics.median(t) for label, t in times.items()}


def _when(stamp):
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def measure(aid, tmp, students, flags):
    """(plain s/student, command s/student, command s per one more student, cell medians, same points)."""
    course = build_course(tmp / aid / "course", students, aid)
    plain = plain_copy(course, tmp / aid / "plain", aid)
    plain_s = run([sys.executable, "-m", "nbgrader", "autograde", aid, "--force"], plain) / students
    command = [sys.executable, "-m", "dlcourse", "--root", str(course), "grade", aid, "--workers", "1", *flags]
    first = run([*command, "--student", "s001"], course)
    total = run(command, course)
    same = exported_points(plain) == exported_points(course)
    return plain_s, total / students, (total - first) / (students - 1), cell_seconds(course, aid), same


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignments", nargs="*", help="default: every assignment in source/")
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--top", type=int, default=3, help="costliest cells to name per assignment")
    args = parser.parse_args(argv)
    aids = args.assignments or sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir())
    boxed = bwrap.probe()[0]
    flags = [] if boxed else ["--unsandboxed"]
    tmp = Path(tempfile.mkdtemp(prefix="bench-assignments-"))
    rows = []
    try:
        for aid in aids:
            print(f"{aid}: {args.students} students, plain nbgrader then the grading command ...", flush=True)
            rows.append((aid, *measure(aid, tmp, args.students, flags)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{args.students} students per assignment, {os.cpu_count()} CPUs, sandbox {'on' if boxed else 'OFF'}, "
          f"1-min load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'assignment':20s} {'plain s/st':>10s} {'command s/st':>12s} {'ratio':>6s} {'one more':>9s} "
          f"{'goal':>5s}  same  costliest cells (median s)")
    for aid, plain_s, command_s, marginal, cells, same in rows:
        top = sorted(cells.items(), key=lambda kv: -kv[1])[:args.top]
        print(f"{aid:20s} {plain_s:10.2f} {command_s:12.2f} {plain_s / command_s:5.2f}x {marginal:9.2f} "
              f"{'ok' if marginal <= GOAL else 'OVER':>5s}  {str(same):5s} "
              + ", ".join(f"{label} {s:.2f}" for label, s in top))


if __name__ == "__main__":
    main()
