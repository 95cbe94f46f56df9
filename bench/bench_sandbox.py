"""What the grading sandbox costs: autograde seconds per notebook with and without it, one run.

Grades the reference solution of an assignment (default 01_tensors) in a throwaway copy of the
course, one notebook at a time, in four ways, interleaved round by round so that machine load
hits all alike:

- ``nbgrader only``: nbgrader's own autograde (no guard, no sandbox): the old pipeline;
- ``guard, no sandbox``: the grading command with ``--unsandboxed`` (integrity guard, limits on
  output and time, but the kernel runs with the TA's permissions);
- ``guard + sandbox, cold``: the grading command with every kernel started afresh in bubblewrap
  (``c.GuardedExecute.warm_kernels = False``);
- ``guard + sandbox, warm``: the grading command as it runs by default, each kernel forked from
  the warm server that has imported torch (dlcourse/isolation/forkserver.py).

Then the time a kernel takes to start (until it answers kernel_info), plain, sandboxed and forkserver.

Usage: python bench/bench_sandbox.py [assignment] [--rounds N]
"""
import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from dlcourse.grading import pipeline
from dlcourse.isolation import bwrap, kernels

REPO = Path(__file__).resolve().parents[1]


def plain_autograde(api, aid, student):
    """nbgrader's autograde with nbgrader's own preprocessors (nbgrader_config.py asks for ours)."""
    from nbgrader.converters import Autograde
    for name in ("sanitize_preprocessors", "autograde_preprocessors"):
        api.config.Autograde[name] = Autograde.class_traits()[name].default()
    start = time.perf_counter()
    result = api.autograde(aid, student, force=True, create=True)
    assert result["success"], result.get("error")
    return time.perf_counter() - start


def kernel_start(manager_class, cwd):
    """Seconds from starting a kernel until it answers kernel_info."""
    import asyncio

    async def once():
        km = manager_class(kernel_name="python3")
        start = time.perf_counter()
        await km.start_kernel(cwd=cwd)
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        took = time.perf_counter() - start
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return took
    return asyncio.run(once())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignment", nargs="?", default="01_tensors")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--starts", type=int, default=5, help="kernel starts to time in each mode")
    args = parser.parse_args(argv)
    bwrap.require()
    aid = args.assignment
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        root = Path(tmp) / "course"
        root.mkdir()
        shutil.copy(REPO / "nbgrader_config.py", root)
        shutil.copytree(REPO / "source" / aid, root / "source" / aid)
        pipeline.generate(pipeline.course_api(root), [aid])
        modes = {"nbgrader only": None, "guard, no sandbox": (False, True), "guard + sandbox, cold": (True, False),
                 "guard + sandbox, warm": (True, True)}
        seconds = {m: [] for m in modes}
        points = {}
        for r in range(args.rounds):
            for i, (mode, how) in enumerate(modes.items()):
                student = f"s{r}-{i}"
                pipeline.submit_variant(root, aid, student, "reference")
                api = pipeline.course_api(root)  # a fresh config each time: modes never mix
                if how is None:
                    seconds[mode].append(plain_autograde(api, aid, student))
                    outcome = pipeline.Outcome(student, aid, True, 0.0)
                else:
                    api.config.GuardedExecute.warm_kernels = how[1]
                    outcome = pipeline.grade_one(api, aid, student, sandbox=how[0])
                    assert outcome.ok, outcome.error
                    seconds[mode].append(outcome.seconds)
                points[mode] = pipeline.read_scores(api, [outcome])[0].points
                print(f"round {r + 1}: {mode:<22} {seconds[mode][-1]:6.2f} s", file=sys.stderr)
    base = statistics.median(seconds["nbgrader only"])
    print(f"autograde seconds per notebook ({aid}, reference solution, {args.rounds} rounds, median):")
    for mode, values in seconds.items():
        med = statistics.median(values)
        print(f"  {mode:<22} {med:6.2f} s   (min {min(values):.2f}, max {max(values):.2f}; "
              f"{med - base:+.2f} s vs nbgrader only; points {points[mode]:g})")
    cost = statistics.median(seconds["guard + sandbox, cold"]) - statistics.median(seconds["guard, no sandbox"])
    print(f"sandbox cost (cold kernels): {cost:+.2f} s per notebook")
    from jupyter_client.manager import AsyncKernelManager
    managers = {"plain kernel": AsyncKernelManager, "sandboxed kernel": kernels.SandboxKernelManager,
                "warm kernel": kernels.WarmKernelManager}
    starts = {mode: [] for mode in managers}
    with tempfile.TemporaryDirectory(prefix="bench-kernel-") as cwd:
        kernel_start(kernels.WarmKernelManager, cwd)  # starts the warm server
        for _ in range(args.starts):
            for mode, manager in managers.items():
                starts[mode].append(kernel_start(manager, cwd))
    for mode, values in starts.items():
        print(f"  {mode:<22} starts in {statistics.median(values):.2f} s (median of {len(values)})")


if __name__ == "__main__":
    main()
