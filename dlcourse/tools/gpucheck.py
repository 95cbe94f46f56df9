"""GPU parity: every notebook and submission variant on two devices, compared test cell by test cell.

``python -m dlcourse gpu-check [ASSIGNMENT…] [--devices cuda cpu]`` builds each assignment's
notebook for every variant (the reference answers, the release copy left untouched, hostile
answers, and the named variants of ``tests/submissions/<assignment>.py``) and runs it once per
device through the grading executor (grading/execute.py's ``run_notebook``: the kernel, sandbox,
guard and rule checks that grade, forked from a warm server per device that has imported torch
without touching CUDA; without bubblewrap, as on a bare GPU machine, the same path unsandboxed),
hidden tests included, as autograde runs it. It compares every test cell: its points as nbgrader
scores them, and every value a check compared (``DLCOURSE_CHECK_LOG=display``: each check shows
what it compared as an output of its cell, see checklog.py) within that check's own tolerance.

At the top it imports only the standard library and dlcourse, so ``--list-needs`` tells a bare
machine what to install (the Jupyter stack from wheels carried along).

The module is long because it is a whole tool: building variants, running them per device,
comparing, reporting.
"""
import argparse
import importlib.util
import json
import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..checklog import LOG_VAR, MIME
from ..notebook import cells
from ..notebook import variants as made_up
from ..notebook.variants import load_variants

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ("numpy", "matplotlib", "torch", "hypothesis", "nbformat", "nbclient", "ipykernel", "nbgrader")
BASE_VARIANTS = ("reference", "untouched", "hostile")
RUN_TIMEOUT = 900  # seconds for one notebook on one device
OUTPUT_BYTES = 50_000_000  # a test cell's outputs hold its check log


def read_notebook(path):
    """A notebook as plain JSON."""
    return json.loads(Path(path).read_text())


def jobs_for(root, assignments, submissions, variants=None):
    """(assignment, notebook file, variant, notebook as autograde runs it, trusted cells) per run to make."""
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
                jobs.append((aid, path, variant, made_up.as_graded(source, submission), cells.instructor_sources(source)))
    return jobs


# ---------------------------------------------------------------- running one notebook

def test_results(nb):
    """Per test cell of a notebook that ran: passed, points as nbgrader scores them, error, checks logged."""
    from nbgrader.utils import determine_grade
    results = []
    for cell in nb.cells:
        if not cells.is_test(cell):
            continue
        score, points = determine_grade(cell)
        errors = [f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"]
        checks = [o.data[MIME] for o in cell.outputs if o.output_type == "display_data" and MIME in o.data]
        results.append({"cell": cells.grade_id(cell), "ok": score == points, "score": score,
                        "error": errors[0][:300] if errors else "", "checks": checks})
    return results


def run_one(job, device, sandbox, hidden):
    """Run one job's notebook on `device` through the grading executor; its test results and seconds."""
    import nbformat

    from ..grading.execute import run_notebook
    _aid, path, _variant, nb, trusted = job
    env = {"DLCOURSE_DEVICE": device, LOG_VAR: "display", "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    try:
        ran, events = run_notebook(nbformat.reads(json.dumps(nb), as_version=4), path.parent, trusted=trusted, env=env, sandbox=sandbox,
                                   hidden=hidden, notebook_timeout=RUN_TIMEOUT, max_output_bytes=OUTPUT_BYTES)
    except Exception as exc:  # the kernel did not start, say
        return {"cells": [], "seconds": 0.0, "failure": f"{type(exc).__name__}: {exc}"[:300]}
    stopped = [e["text"] for e in events if e["kind"] == "kernel" and "stopped" in e["text"]]
    return {"cells": test_results(ran), "seconds": time.perf_counter() - start,
            **({"failure": stopped[0]} if stopped and not any(c.outputs for c in ran.cells) else {})}


def run_all(todo, devices, jobs, root=ROOT, sandbox=None):
    """Run every job's notebook on every device, `jobs` at once per device (a warm server each); the results
    as results[i][d] for job i and device index d. Sandboxed where bubblewrap works, unless `sandbox` says."""
    from ..isolation import bwrap, forkserver
    if sandbox is None:
        sandbox = bwrap.probe()[0]
    hidden = [] if not sandbox else [root, Path.home()]
    results = [[None] * len(devices) for _ in todo]

    def worker(d, chunk):
        try:
            for i in chunk:
                results[i][d] = run_one(todo[i], devices[d], sandbox, hidden)
        finally:
            forkserver.stop_servers()
    chunks = [(d, range(k, len(todo), max(1, jobs))) for d in range(len(devices)) for k in range(max(1, jobs))]
    with ThreadPoolExecutor(max_workers=len(chunks)) as pool:
        list(pool.map(lambda c: worker(*c), chunks))
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
        return 0, 1, [f"the notebook did not run on either device: {a['failure']}"], []
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


STACK = ("nbformat", "nbclient", "nbconvert", "ipykernel", "jupyter_client", "jupyter_server", "SQLAlchemy",
         "rapidfuzz", "requests", "hypothesis", "psutil")  # what the grading executor imports, nbgrader aside


def needs_text(root=ROOT):
    """What gpu-check needs here, what is missing, and how to install it without a network."""
    gone = missing(REQUIRED)
    pip = f"{sys.executable} -m pip install --no-index --find-links wheels/"
    lines = [f"gpu-check (the grading executor) needs: {', '.join(REQUIRED)}; missing: {', '.join(gone) or 'nothing'}"]
    if gone:
        lines += [f"  install from wheels brought along: {pip} --no-deps {pinned(root, ['nbgrader'])[0]} && "
                  f"{pip} {' '.join(pinned(root, STACK))}"]
    lines += ["  make the wheels (about 40 MB) on a machine with a network, same Python and platform: make gpu-wheels",
              "  (the CUDA torch wheel: pip download -d wheels/ torch==<pin> --index-url "
              "https://download.pytorch.org/whl/cu128; dlcourse needs no install: PYTHONPATH=<course folder>)"]
    return "\n".join(lines)


def check(root, assignments, devices, submissions, variants=None, jobs=1):
    """Run and compare; (table rows, differences, notes). A row: assignment, test cells, checks, same, different,
    seconds on each device (kernel start included)."""
    todo = jobs_for(root, assignments, submissions, variants)
    results = run_all(todo, devices, jobs, root)
    rows, diffs, notes = {}, [], []
    for (aid, _path, variant, _nb, _trusted), (a, b) in zip(todo, results):
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
    sys.exit(main())
