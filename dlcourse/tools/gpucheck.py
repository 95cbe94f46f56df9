"""GPU parity: every notebook and submission variant on two devices, compared test cell by test cell.

``python -m dlcourse gpu-check [ASSIGNMENT…] [--devices cuda cpu]`` builds each assignment's
notebook for every variant (the reference answers, the release copy left untouched, hostile
answers, and the named variants of ``tests/submissions/<assignment>.py``), runs it once per
device in a fresh process (``DLCOURSE_DEVICE`` set, the cells executed in order, magics skipped,
hidden tests included, as autograde runs them; forked from a runner per device that has imported
torch without touching CUDA, as the warm grading server does), and compares every test cell: pass or
fail, and every value a check compared (``DLCOURSE_CHECK_LOG``, see ``record_checks``) within
that check's own tolerance. It needs only numpy, matplotlib, torch and hypothesis (the property
checks of hidden tests, pure Python): notebooks are read as
JSON and run without Jupyter, so it works on a bare CUDA machine (``--list-needs``).

Like its runner, it imports nothing but the standard library and dlcourse at the top.

The module is long because it is a whole tool that must run on a bare machine, without the rest of
the grading stack: building variants, running them per device, comparing, reporting.
"""
import argparse
import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..checklog import LOG_VAR
from ..notebook import cells
from ..notebook import variants as made_up
from ..notebook.tasks import rule_verdicts
from ..notebook.variants import load_variants
from .runner import run_cell

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("numpy", "matplotlib", "torch", "hypothesis")
GRADING_STACK = ("nbformat", "nbclient", "ipykernel", "nbgrader")
BASE_VARIANTS = ("reference", "untouched", "hostile")
RUN_TIMEOUT = 900  # seconds for one notebook on one device


# ---------------------------------------------------------------- notebooks as JSON

def read_notebook(path):
    """A notebook as plain JSON (no nbformat on a bare machine)."""
    return json.loads(Path(path).read_text())


def runner_cells(nb):
    """What the runner needs of a notebook's cells: type, source, grade id, role, points, and for a test of a
    task whose code breaks its statement's rule, the message that fails it (as grading fails it)."""
    broken = rule_verdicts(nb)
    return [{"type": c["cell_type"], "source": cells.source(c), "grade_id": cells.grade_id(c),
             "answer": cells.is_answer(c), "test": cells.is_test(c),
             "points": float(cells.nbgrader(c).get("points") or 0), "rule": broken.get(i, "")}
            for i, c in enumerate(nb["cells"])]


def jobs_for(root, assignments, submissions, variants=None):
    """(assignment, notebook, variant, cells) for every notebook and variant to run."""
    jobs = []
    for aid in assignments:
        named = load_variants(submissions, aid)
        for path in sorted((Path(root) / "source" / aid).glob("*.ipynb")):
            source = read_notebook(path)
            release = read_notebook(Path(root) / "release" / aid / path.name)
            for variant in [*BASE_VARIANTS, *named]:
                if variants and variant not in variants:
                    continue
                submission = made_up.build(source, release, variant, named.get(variant, {}).get("cells"))
                jobs.append((aid, path.name, variant, runner_cells(made_up.as_graded(source, submission))))
    return jobs


# ---------------------------------------------------------------- running one notebook

def run_cells(notebook, log_path):
    """Execute the code cells of `notebook` (runner cells) in order in one namespace; per test cell: passed,
    score, error, checks logged."""
    namespace = {"__name__": "__main__"}
    results = []
    for cell in notebook:
        if cell["type"] != "code":
            continue
        start = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        points = cell["points"] if cell["test"] else None
        error, score = run_cell(cell["source"], namespace, cell["grade_id"], points)
        if cell["test"] and cell["rule"]:  # the static rule check: the test does not count (grading/execute.py)
            error, score = f"RuleError: {cell['rule']}", 0.0
        if cell["test"]:
            with open(log_path) if os.path.exists(log_path) else open(os.devnull) as log:
                log.seek(start)
                checks = [json.loads(line) for line in log if line.strip()]
            results.append({"cell": cell["grade_id"], "ok": not error and score == points, "score": score,
                            "error": error, "checks": checks})
    return results


def runner_main(jobs_path):
    """A runner: import torch & co. once (no CUDA call), then run each notebook in a fresh forked process."""
    import matplotlib
    matplotlib.use("Agg")
    os.environ[LOG_VAR] = os.devnull  # dlcourse.checks logs its checks; each child names its own file
    for name in ("numpy", "torch", "matplotlib.pyplot", "dlcourse.checks", "dlcourse.device", "dlcourse.plots",
                 "dlcourse.rules", "dlcourse.properties"):
        importlib.import_module(name)
    for job in json.loads(Path(jobs_path).read_text()):
        run_forked(job)


def run_forked(job):
    """Fork; the child runs the notebook of `job` and writes its result; the parent times and bounds it."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        _child(job)
    deadline, failure = start + RUN_TIMEOUT, ""
    while os.waitpid(pid, os.WNOHANG) == (0, 0):
        if time.perf_counter() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            failure = f"timed out after {RUN_TIMEOUT} s"
            break
        time.sleep(0.02)
    result = Path(job["result"])
    done = json.loads(result.read_text()) if result.exists() and not failure else \
        {"cells": [], "failure": failure or "the notebook's process ended without a result"}
    result.write_text(json.dumps({**done, "seconds": time.perf_counter() - start}))


def _child(job):
    """In the forked process: run the cells (output to a file), write the per-cell results, exit."""
    code = 1
    try:
        out = os.open(job["output"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.environ[LOG_VAR] = job["log"]
        import numpy
        numpy.random.seed()  # a new process draws a new seed
        from dlcourse.device import get_device
        cells = run_cells(json.loads(Path(job["cells"]).read_text()), job["log"])
        Path(job["result"]).write_text(json.dumps({"cells": cells, "device": str(get_device())}))
        code = 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_all(notebooks, devices, jobs, work, root=ROOT):
    """Run every notebook (a list of cells) on every device, `jobs` runners per device; the results
    as results[i][d] for notebook i and device index d."""
    runners = []
    for d, device in enumerate(devices):
        chunks = [[] for _ in range(max(1, jobs))]
        for i, notebook in enumerate(notebooks):
            folder = Path(work) / f"{d}-{i}"
            folder.mkdir(parents=True)
            (folder / "cells.json").write_text(json.dumps(notebook))
            chunks[i % len(chunks)].append({k: str(folder / f) for k, f in (
                ("cells", "cells.json"), ("log", "checks.jsonl"), ("result", "result.json"), ("output", "output.txt"))})
        for k, chunk in enumerate(c for c in chunks if c):
            (Path(work) / f"runner-{d}-{k}.json").write_text(json.dumps(chunk))
            env = {**os.environ, "DLCOURSE_DEVICE": device, "MPLBACKEND": "Agg",
                   "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
            env.pop(LOG_VAR, None)
            runners.append(subprocess.Popen([sys.executable, "-m", "dlcourse.tools.gpucheck", "--runner",
                                             str(Path(work) / f"runner-{d}-{k}.json")], cwd=work, env=env,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
    errors = "".join(r.communicate()[1] for r in runners).strip().splitlines()
    lost = {"cells": [], "seconds": 0.0, "failure": f"the runner failed: {errors[-1] if errors else 'no message'}"}
    results = []
    for i in range(len(notebooks)):
        paths = [Path(work) / f"{d}-{i}" / "result.json" for d in range(len(devices))]
        results.append([json.loads(p.read_text()) if p.exists() else lost for p in paths])
    return results


# ---------------------------------------------------------------- comparing two runs

def _close(a, b, tol, expected):
    """Whether numbers a and b agree within atol + rtol·|expected|."""
    if isinstance(a, float) and isinstance(b, float) and (math.isnan(a) or math.isnan(b)):
        return math.isnan(a) and math.isnan(b)
    if a == b:
        return True
    atol, rtol = tol
    return abs(a - b) <= atol + rtol * abs(expected if expected is not None else b)


def values_agree(a, b, tol, expected=None):
    """Whether two logged values agree: exactly, or within the check's tolerance when it has one."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.get("shape") != b.get("shape"):
            return False
        ref = expected if isinstance(expected, dict) else {}
        if "values" in a:
            refs = ref.get("values") or [None] * len(a["values"])
            return all(_close(x, y, tol, r) for x, y, r in zip(a["values"], b["values"], refs))
        n = a["n"]
        sums = _close(a["sum"], b["sum"], (tol[0] * n, tol[1]), ref.get("abs_sum", a["abs_sum"])) and \
            _close(a["abs_sum"], b["abs_sum"], (tol[0] * n, tol[1]), ref.get("abs_sum", a["abs_sum"]))
        refs = ref.get("head") or [None] * len(a["head"])
        return sums and a["nonfinite"] == b["nonfinite"] and \
            all(_close(x, y, tol, r) for x, y, r in zip(a["head"], b["head"], refs))
    if tol and isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return _close(float(a), float(b), tol, expected)
    return a == b


def compare_cell(a, b):
    """(differences, notes) between one test cell's results on two devices."""
    if a["ok"] != b["ok"]:
        return [f"{'passes' if a['ok'] else 'fails'} on the first device, {'passes' if b['ok'] else 'fails'} "
                f"on the second ({a['error'] or b['error']})"], []
    diffs, notes = [], []
    if a.get("score") != b.get("score"):
        diffs.append(f"scores {a.get('score')} on the first device, {b.get('score')} on the second")
    if len(a["checks"]) != len(b["checks"]):
        diffs.append(f"{len(a['checks'])} checks ran on the first device, {len(b['checks'])} on the second")
    for x, y in zip(a["checks"], b["checks"]):
        tol = tuple(x["tol"]) if x.get("tol") else None
        if x["check"] != y["check"] or x["ok"] != y["ok"]:
            diffs.append(f"{x['check']}({x['name']!r}): {'passes' if x['ok'] else 'fails'} on the first device, "
                         f"{'passes' if y['ok'] else 'fails'} on the second")
        elif x["ok"] and not values_agree(x.get("found"), y.get("found"), tol, y.get("expected")):
            # (values of a check that fails on both devices do not matter: the grade is the same)
            if values_agree(x.get("expected"), y.get("expected"), tol, y.get("expected")):
                diffs.append(f"{x['check']}({x['name']!r}): the answers differ beyond the check's tolerance "
                             f"{tol}: {_short(x.get('found'))} vs {_short(y.get('found'))}")
            else:
                notes.append(f"{x['check']}({x['name']!r}): answer and reference both differ between the "
                             "devices (inputs drawn on the device)")
    if not a["ok"]:  # failing on both devices is the same grade, however it got there
        return [], [f"fails on both devices, differently: {d}" for d in diffs] + notes
    return diffs, notes


def _short(value):
    text = json.dumps(value)
    return text if len(text) <= 120 else text[:117] + "..."


def compare_runs(a, b):
    """(test cells, cells that differ, differences, notes) between two runs of one notebook."""
    if a.get("failure") and b.get("failure"):  # not a difference between the devices, but nothing compared
        return 0, 0, [], [f"the notebook did not run on either device: {a['failure']}"]
    if a.get("failure") or b.get("failure"):
        return 0, 1, [f"the notebook did not run on one device: {a.get('failure') or b.get('failure')}"], []
    by_cell = {c["cell"]: c for c in b["cells"]}
    differing, diffs, notes = 0, [], []
    for cell in a["cells"]:
        other = by_cell.get(cell["cell"])
        d, n = compare_cell(cell, other) if other else (["missing on the second device"], [])
        differing += bool(d)
        diffs += [f"{cell['cell']}: {x}" for x in d]
        notes += [f"{cell['cell']}: {x}" for x in n]
    return len(a["cells"]), differing, diffs, notes


# ---------------------------------------------------------------- the command

def missing(modules):
    """Those of `modules` that cannot be imported here."""
    return [m for m in modules if not _importable(m)]


def _importable(module):
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def pinned(root, names):
    """`names` with the versions constraints.txt pins (name==version), in order."""
    path = Path(root) / "constraints.txt"
    pins = dict(line.strip().split("==", 1) for line in path.read_text().splitlines()
                if "==" in line and not line.startswith("#")) if path.exists() else {}
    return [f"{n}=={pins[n]}" if n in pins else n for n in names]


def needs_text(root=ROOT):
    """What gpu-check and grading need here, what is missing, and how to install it without a network."""
    lines = []
    for title, modules in (("gpu-check needs", REQUIRED), ("grading on this machine also needs", GRADING_STACK)):
        gone = missing(modules)
        lines.append(f"{title}: {', '.join(modules)}; missing: {', '.join(gone) or 'nothing'}")
        if gone:
            lines.append(f"  install from wheels brought along: {sys.executable} -m pip install --no-index "
                         f"--find-links wheels/ {' '.join(pinned(root, gone))}")
    lines.append("  make the wheels on a machine with a network (same Python and platform): python -m pip download "
                 "-d wheels/ -c constraints.txt nbformat nbclient ipykernel nbgrader")
    lines.append("  (the CUDA torch wheel: pip download -d wheels/ torch==<pin> --index-url "
                 "https://download.pytorch.org/whl/cu128; hypothesis with sortedcontainers and attrs: pip download -d "
                 "wheels/ -c constraints.txt hypothesis; dlcourse needs no install: PYTHONPATH=<course folder>)")
    return "\n".join(lines)


def check(root, assignments, devices, submissions, variants=None, jobs=1):
    """Run and compare; (table rows, differences, notes). A row: assignment, test cells, checks, same, different,
    seconds on each device (the notebooks' own time, without the runners' imports)."""
    work = Path(tempfile.mkdtemp(prefix="dlcourse-gpucheck-"))
    todo = jobs_for(root, assignments, submissions, variants)
    try:
        results = run_all([cells for *_, cells in todo], devices, jobs, work, root)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows, diffs, notes = {}, [], []
    for (aid, name, variant, _cells), (a, b) in zip(todo, results):
        n, differing, d, m = compare_runs(a, b)
        row = rows.setdefault(aid, [aid, 0, 0, 0, 0, 0.0, 0.0])
        row[1:] = [row[1] + n, row[2] + sum(len(c["checks"]) for c in a["cells"]), row[3] + n - min(differing, n),
                   row[4] + differing, row[5] + a.get("seconds", 0.0), row[6] + b.get("seconds", 0.0)]
        diffs += [f"{aid} {variant}: {x}" for x in d]
        notes += [f"{aid} {variant}: {x}" for x in m]
    return list(rows.values()), diffs, notes


def table(rows, devices):
    """The parity table as Markdown: per assignment, test cells (all variants), checks they ran, alike, not."""
    a, b = devices
    lines = [f"| assignment | test cells | checks | same | different | s on {a} | s on {b} |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]:.1f} | {r[6]:.1f} |" for r in rows]
    total = [sum(r[i] for r in rows) for i in range(1, 7)]
    lines.append(f"| all | {total[0]} | {total[1]} | {total[2]} | {total[3]} | {total[4]:.1f} | {total[5]:.1f} |")
    return "\n".join(lines)


def main(argv=None, root=ROOT):
    """python -m dlcourse gpu-check: exit 0 when both devices grade alike, 1 on a difference, 2 on bad use."""
    parser = argparse.ArgumentParser(prog="python -m dlcourse gpu-check", description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    return run(parser.parse_args(argv), root)


def add_arguments(parser):
    """The gpu-check options (shared with `python -m dlcourse gpu-check`)."""
    parser.add_argument("assignments", nargs="*", help="assignments to check (default: all)")
    parser.add_argument("--devices", nargs=2, default=["cuda", "cpu"], metavar=("A", "B"),
                        help="the two values of DLCOURSE_DEVICE to compare (default: cuda cpu; dry run: cpu cpu)")
    parser.add_argument("--variant", action="append", dest="variants",
                        help="check only this submission variant (repeatable; default: all)")
    parser.add_argument("--submissions", default="tests/submissions", help="folder of variant files")
    parser.add_argument("--jobs", type=int, default=1, help="notebooks run at the same time on each device (default 1)")
    parser.add_argument("--list-needs", action="store_true", help="list what is missing and how to install it")


def run(args, root=ROOT):
    """Carry out parsed gpu-check arguments; print the table and differences; the exit status."""
    root = Path(root)
    if args.list_needs:
        print(needs_text(root))
        return 0 if not missing(REQUIRED) else 2
    if missing(REQUIRED):
        print(f"gpu-check cannot run: missing {', '.join(missing(REQUIRED))}\n{needs_text(root)}", file=sys.stderr)
        return 2
    known = sorted(p.name for p in (root / "source").iterdir() if p.is_dir())
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        print(f"gpu-check: unknown assignment(s) {', '.join(unknown)}; assignments: {', '.join(known)}",
              file=sys.stderr)
        return 2
    import torch
    if any(d.startswith("cuda") for d in args.devices) and not torch.cuda.is_available():
        print("gpu-check: CUDA is not available here (a CPU torch, or no GPU); for a dry run use --devices cpu cpu",
              file=sys.stderr)
        return 2
    submissions = Path(args.submissions)
    submissions = submissions if submissions.is_absolute() else root / submissions
    rows, diffs, notes = check(root, args.assignments or known, args.devices, submissions, args.variants, args.jobs)
    print(table(rows, args.devices))
    for line in diffs:
        print(f"DIFFERENT {line}")
    for line in notes:
        print(f"note {line}")
    print(f"{len(diffs)} difference(s) between {args.devices[0]} and {args.devices[1]}")
    return 1 if diffs else 0


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--runner":
        runner_main(sys.argv[2])
    else:
        sys.exit(main())
