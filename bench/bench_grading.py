"""Benchmark: grading a synthetic class with plain nbgrader, one after another, vs the grading command.

    python bench/bench_grading.py [--students 40] [--workers N] [--with-sequential-command]

Builds a class of N students from the reference, untouched release, hostile and named variants
of 01_tensors in a temporary course, then in one run measures
- plain: stock `nbgrader autograde 01_tensors` (nbgrader's own preprocessors, no sandbox),
  one notebook after another, as a TA would run it without this course's tools;
- command: `python -m dlcourse grade 01_tensors` (sandboxed, a worker per core by default), with
  every kernel started cold (`c.GuardedExecute.warm_kernels = False`: what parallelism alone buys)
  and as it grades by default, forking kernels from a warm server that has imported torch;
- optionally both with --workers 1;
- the floor: starting a kernel that only runs `import torch`, per notebook, cold (jupyter_client's
  own kernel manager) and warm (a sandboxed kernel forked from the warm server, see
  dlcourse/isolation/forkserver.py);
Prints seconds per student and the speedups, and checks that every run gave the same points.
On a shared machine, use --rounds 2 or more: the ways alternate, so a change of load hits both.
"""
import argparse
import csv
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from dlcourse.grading import parallel, pipeline  # noqa: E402
from dlcourse.isolation import bwrap, kernels  # noqa: E402
from dlcourse.notebook import variants as made_up  # noqa: E402

AID = "01_tensors"

PLAIN_CONFIG = '''\
import os
c = get_config()
c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db")
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"
'''


def build_course(target, students, aid=AID):
    """A course with only `aid` and a class of `students` made from its variants."""
    target.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source" / aid, target / "source" / aid)
    pipeline.generate(pipeline.course_api(target), [aid])
    variants = made_up.load_variants(REPO / "tests" / "submissions", aid)
    kinds = ["reference", "untouched", "hostile", *variants]
    for i in range(students):
        pipeline.submit_variant(target, aid, f"s{i + 1:03d}", kinds[i % len(kinds)], variants)
    return target


def plain_copy(course, target, aid=AID):
    """The same course and class with stock nbgrader's configuration (no sandbox, no guard)."""
    shutil.copytree(course, target, ignore=shutil.ignore_patterns("gradebook.db", "reports"))
    (target / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    run([sys.executable, "-m", "nbgrader", "generate_assignment", aid, "--force"], target)
    return target


def run(cmd, cwd):
    """Run a command; its wall-clock seconds."""
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - start


def exported_points(course):
    """student -> raw score, from nbgrader export."""
    out = course / "bench.csv"
    run([sys.executable, "-m", "nbgrader", "export", f"--CsvExportPlugin.to={out}"], course)
    with open(out) as f:
        return {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f)}


def floor(manager=None, repeats=5):
    """Seconds to start a kernel, run `import torch` in it and shut it down (median).

    By default jupyter_client's own (async) kernel manager, as nbgrader uses it; or `manager`
    (the warm one), after one start that starts its server.
    """
    import asyncio

    from jupyter_client.manager import AsyncKernelManager

    async def once(cwd):
        km = (manager or AsyncKernelManager)()
        start = time.perf_counter()
        await km.start_kernel(cwd=cwd)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=120)
        await kc.execute_interactive("import torch", timeout=120)
        kc.stop_channels()
        await km.shutdown_kernel(now=False)
        return time.perf_counter() - start
    cwd = tempfile.mkdtemp(prefix="floor-")
    times = [asyncio.run(once(cwd)) for _ in range(repeats + (manager is not None))]
    shutil.rmtree(cwd, ignore_errors=True)
    return statistics.median(times[1:] if manager else times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--workers", type=int, default=None, help="grading command workers (default: per core)")
    parser.add_argument("--rounds", type=int, default=1,
                        help="grade the class this many times per way, alternating which goes first "
                             "(evens out a machine whose load changes)")
    parser.add_argument("--with-sequential-command", action="store_true",
                        help="also time the grading command with --workers 1")
    parser.add_argument("--keep", action="store_true", help="keep the temporary courses")
    args = parser.parse_args(argv)
    n, workers = args.students, args.workers or parallel.default_workers()
    boxed = bwrap.probe()[0]
    flags = [] if boxed else ["--unsandboxed"]
    def command(count):
        return lambda root: [sys.executable, "-m", "dlcourse", "--root", str(root), "grade", AID,
                             "--workers", str(count), *flags]
    ways = {"plain nbgrader autograde (sequential)": lambda root: [sys.executable, "-m", "nbgrader", "autograde",
                                                                   AID, "--force"]}
    box = "" if boxed else " (unsandboxed: no bwrap)"
    if args.with_sequential_command:
        ways[f"grading command, 1 worker, cold kernels{box}"] = command(1)
        ways[f"grading command, 1 worker{' (warm kernels)' if boxed else box}"] = command(1)
    ways[f"grading command, {workers} workers, cold kernels{box}"] = command(workers)
    ways[f"grading command, {workers} workers{' (warm kernels)' if boxed else box}"] = command(workers)
    tmp = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        print(f"building a class of {n} students in {tmp} ...", flush=True)
        course = build_course(tmp / "course", n)
        plain = plain_copy(course, tmp / "plain-template")
        totals, loads, points = dict.fromkeys(ways, 0.0), [], {}
        for r in range(args.rounds):
            order = list(ways) if r % 2 == 0 else list(ways)[::-1]
            for name in order:
                root = tmp / f"run{r}-{len(points)}"
                shutil.copytree(plain if name.startswith("plain") else course, root,
                                ignore=shutil.ignore_patterns("autograded", "reports"))
                if "cold kernels" in name:  # every kernel started afresh: what parallelism alone buys
                    with open(root / "nbgrader_config.py", "a") as f:
                        f.write("\nc.GuardedExecute.warm_kernels = False\n")
                print(f"round {r + 1}: {name} ...", flush=True)
                totals[name] += run(ways[name](root), root)
                loads.append(os.getloadavg()[0])
                points[name] = exported_points(root)
                shutil.rmtree(root, ignore_errors=True)
        print("floor: a kernel that only imports torch, cold and warm ...", flush=True)
        kernel = floor()
        forked = floor(kernels.WarmKernelManager) if boxed else None
        graded = n * args.rounds
        base = totals[next(iter(ways))] / graded
        print(f"\n{n} students x {args.rounds} round(s), {os.cpu_count()} CPUs, sandbox {'on' if boxed else 'OFF'}, "
              f"1-min load average after each run: {', '.join(f'{x:.1f}' for x in loads)}")
        print(f"{'run':56s} {'s/student':>9s} {'speedup':>8s}")
        for name, secs in totals.items():
            print(f"{name:56s} {secs / graded:9.2f} {base / (secs / graded):7.2f}x")
        print(f"{'floor: kernel start + import torch, per notebook':56s} {kernel:9.2f}")
        print(f"{'floor / workers (the best a cold kernel per notebook allows)':56s} {kernel / workers:9.2f} "
              f"{base / (kernel / workers):7.2f}x")
        if forked is not None:
            print(f"{'floor, warm: forked sandboxed kernel + import torch':56s} {forked:9.2f}")
        same = len({tuple(sorted(p.items())) for p in points.values()}) == 1
        print(f"same points per student in every run: {same}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
