"""Test strength by mutation testing: ``python -m dlcourse audit [ASSIGNMENT…]``.

For every code answer cell of an instructor notebook, mutants of the reference solution (the
catalogue of mistakes in dlcourse/tools/mutants.py, plus a forbidden call per rule of the statement)
run through the graded test cells that follow it, hidden tests included. A mutant is *killed*
when the mutant cell or one of its test cells raises, or when it runs past its time limit; it
*survives* when every test passes. One Python process per assignment (in the grading sandbox)
runs the notebook top to bottom with the reference answers and, at each answer cell, forks a
child per mutant; assignments run in parallel. Mutants that behave exactly like the reference
are listed with a reason in audit/equivalents.toml: score = killed / (mutants - equivalent).
"""
import difflib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

from ..notebook import cells, demonstrations
from ..notebook.tasks import forbidden_groups, module_aliases, rule_findings
from ..notebook.tasks import tasks as notebook_tasks
from .mutants import mutants
from .runner import run_cell

EQUIVALENTS = Path("audit") / "equivalents.toml"
WORKER_ENV = {"DLCOURSE_DEVICE": "cpu", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


class AuditError(ValueError):
    """Bad input to the audit (an unknown assignment, a malformed equivalents file)."""


# ---------------------------------------------------------------- the plan (host side)

def plan(nb):
    """The notebook's code cells and, per code answer cell, its task: statement and follow-up cells."""
    statements = {t.answer: t.statement for t in notebook_tasks(nb)}
    code, tasks = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code.append({"id": cells.grade_id(cell) or f"cell {len(code) + 1}", "source": cell.source,
                     "graded": cells.is_test(cell), "answer": cells.is_answer(cell),
                     "points": float(cells.nbgrader(cell).get("points") or 0),
                     "demonstration": cells.is_instructor_code(cell) and not cells.is_graded(cell)
                     and demonstrations.is_marked(cell.source)})
        if cells.is_answer(cell):
            tasks.append({"cell": len(code) - 1, "task": code[-1]["id"], "statement": statements[i]})
    for task in tasks:
        follow, tested = [], False
        for j in range(task["cell"] + 1, len(code)):
            if code[j]["answer"] and tested:
                break
            if not code[j]["demonstration"]:  # grading leaves it out too
                follow.append(j)
            tested = tested or code[j]["graded"]
        task["follow"] = follow if tested else []
        task["tests"] = [code[j]["id"] for j in task["follow"] if code[j]["graded"]]
    return code, tasks


def notebook_of(root, aid):
    """The instructor notebook of assignment `aid` (source/<aid>/<aid>.ipynb or its only notebook)."""
    folder = Path(root) / "source" / aid
    found = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not found:
        raise AuditError(f"no assignment {aid!r}: {folder} holds no notebook")
    return (folder / f"{aid}.ipynb") if (folder / f"{aid}.ipynb").exists() else found[0]


def assignments(root):
    """Assignment ids: the folders of source/, in order."""
    return sorted(p.name for p in (Path(root) / "source").iterdir() if p.is_dir() and not p.name.startswith("."))


# ---------------------------------------------------------------- the worker (one process per assignment)

def _exec(cell_id, source, ns, points=None):
    """Run a cell's source in `ns` (runner.py: as autograde scores it); "" when it ran (for full `points`),
    else what went wrong."""
    error, score = run_cell(source, ns, cell_id, points)
    if error:
        return error
    if points is not None and score < points:
        return f"scored {score:g} of {points:g} points"
    return ""


def _child(first, follow, cells, ns):
    """In the forked child: the answer cell `first`, then its follow-up cells; "" if no graded test failed."""
    why = _exec("answer", first, ns)
    if why:
        return f"the answer cell raised {why}"
    for j in follow:
        why = _exec(cells[j]["id"], cells[j]["source"], ns, cells[j]["points"] if cells[j]["graded"] else None)
        if why and cells[j]["graded"]:
            return f"{cells[j]['id']} failed: {why}"
    return ""


def _fork(first, follow, cells, ns, limit):
    """Run `first` and `follow` in a forked copy of this process; (killed, why, seconds)."""
    read, write = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read)
        code, why = 1, "the child failed"
        try:
            signal.signal(signal.SIGALRM, signal.SIG_DFL)  # the alarm ends the child, whatever it catches
            signal.setitimer(signal.ITIMER_REAL, limit)
            why = _child(first, follow, cells, ns)
            code = 1 if why else 0
        finally:
            os.write(write, why.encode()[:1000])
            os._exit(code)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    seconds = time.monotonic() - start
    with os.fdopen(read, "rb") as pipe:
        why = pipe.read().decode(errors="replace")
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return True, f"ran past the {limit:g} s time limit" if sig == signal.SIGALRM else f"died of signal {sig}", seconds
    return os.WEXITSTATUS(status) != 0, why, seconds


def _run_task(job, task, ns):
    """The reference and every mutant of one task, each in its own forked child."""
    cells = job["cells"]
    follow = task["follow"]
    if not follow:
        return {"error": "no graded test cell follows this answer", "results": [[False, "", 0.0]] * len(task["mutants"])}
    killed, why, seconds = _fork(cells[task["cell"]]["source"], follow, cells, ns, job["timeout"])
    if killed:
        return {"error": f"the reference answer fails its own tests: {why}", "results": []}
    limit = min(job["timeout"], max(job["min_timeout"], 10 * seconds))
    return {"error": "", "reference_seconds": seconds, "limit": limit,
            "results": [list(_fork(src, follow, cells, ns, limit)) for src in task["mutants"]]}


def work(job_path):
    """The worker: run a job's notebook with the reference answers, forking at each task; print JSON."""
    job = json.loads(Path(job_path).read_text())
    out = os.fdopen(os.dup(1), "w")
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)  # what cells print; stderr stays for a crash's traceback
    os.environ.update(WORKER_ENV)
    import matplotlib
    matplotlib.use("Agg")
    import torch
    torch.set_num_threads(1)
    ns = {"__name__": "__main__", "display": lambda *args, **kwargs: None}
    tasks = {t["cell"]: t for t in job["tasks"]}
    results, errors = {}, []
    for i, cell in enumerate(job["cells"]):
        if i in tasks:
            results[cell["id"]] = _run_task(job, tasks[i], ns)
        why = _exec(cell["id"], cell["source"], ns)
        if why:
            errors.append(f"{cell['id']} raised with the reference answers: {why}")
    json.dump({"tasks": results, "errors": errors}, out)
    out.close()
    os._exit(0)  # skip interpreter teardown (figures, torch)


# ---------------------------------------------------------------- running an assignment (host side)

def _job(root, aid, only, timeout, min_timeout):
    """The worker's job and the mutants behind it, per task."""
    nb = nbformat.read(notebook_of(root, aid), as_version=4)
    code, tasks = plan(nb)
    aliases = module_aliases([c.source for c in nb.cells if cells.is_instructor_code(c)])
    chosen = [t for t in tasks if not only or t["task"] in only]
    for task in chosen:
        task["groups"] = forbidden_groups(task.pop("statement"))
        task["reference"] = cells.to_python(code[task["cell"]]["source"])
        task["mutant_list"] = mutants(task["reference"], task["groups"]) if task["follow"] else []
        # what the grader's static rule check (tasks.rule_findings) finds: it fails a mutant the tests let pass
        task["static"] = [rule_findings(m.source, task["groups"], aliases) for m in task["mutant_list"]]
        task["mutants"] = [m.source for m in task["mutant_list"]]
    job = {"cells": code, "timeout": timeout, "min_timeout": min_timeout,
           "tasks": [{k: t[k] for k in ("cell", "follow", "mutants")} for t in chosen]}
    return job, chosen


def _worker_command(job_file):
    return [sys.executable, "-m", "dlcourse.tools.audit", "--worker", job_file]


def run_worker(job, sandbox, hidden=()):
    """Run one worker on `job` (sandboxed unless `sandbox` is False); its JSON answer."""
    folder = Path(tempfile.mkdtemp(prefix="dlcourse-audit-"))
    try:
        job_file = folder / "job.json"
        job_file.write_text(json.dumps(job))
        job_file.chmod(0o644)
        if sandbox:
            from ..isolation.kernels import sandboxed_command
            with sandboxed_command(_worker_command(str(job_file)), folder, hidden) as (argv, env):
                run = subprocess.run(argv, env={**env, **WORKER_ENV}, cwd=folder, capture_output=True,
                                     stdin=subprocess.DEVNULL)
        else:
            run = subprocess.run(_worker_command(str(job_file)), env={**os.environ, **WORKER_ENV}, cwd=folder,
                                 capture_output=True, stdin=subprocess.DEVNULL)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    try:
        return json.loads(run.stdout)
    except ValueError:
        tail = (run.stderr or run.stdout).decode(errors="replace")[-500:]
        return {"tasks": {}, "errors": [f"the audit worker stopped (exit status {run.returncode}): {tail}"]}


def _diff(reference, mutant):
    return "\n".join(difflib.unified_diff(reference.splitlines(), mutant.splitlines(), "reference", "mutant",
                                          n=1, lineterm=""))


def audit_assignment(root, aid, only=(), timeout=60, min_timeout=10, sandbox=True):
    """Audit one assignment: its tasks, each mutant with its fate and diff, and the errors."""
    start = time.monotonic()
    job, chosen = _job(root, aid, only, timeout, min_timeout)
    answer = run_worker(job, sandbox, hidden=[root, Path.home()])
    tasks = []
    for task in chosen:
        got = answer["tasks"].get(task["task"], {"error": "the worker did not reach this task", "results": []})
        reference = task["reference"]
        rows = []
        for mutant, found, result in zip(task["mutant_list"], task["static"], got["results"]):
            killed, why = result[0], result[1]
            if not killed and found:
                killed, why = True, f"the static rule check: line {found[0][0]} {found[0][1]}"
            rows.append({"operator": mutant.operator, "line": mutant.line, "mutated": mutant.mutated,
                         "status": "killed" if killed else "survived", "why": why,
                         "diff": _diff(reference, mutant.source)})
        tasks.append({"task": task["task"], "tests": task["tests"], "forbidden": task["groups"],
                      "error": got.get("error", ""), "mutants": rows})
    return {"assignment": aid, "seconds": round(time.monotonic() - start, 1), "tasks": tasks,
            "errors": answer["errors"]}


# ---------------------------------------------------------------- equivalent mutants

def load_equivalents(path):
    """The entries of the equivalents file (none if it does not exist); a clear error if malformed."""
    path = Path(path)
    if not path.exists():
        return []
    try:
        entries = tomllib.loads(path.read_text()).get("equivalent", [])
    except tomllib.TOMLDecodeError as exc:
        raise AuditError(f"{path} is not valid TOML: {exc}") from None
    for k, entry in enumerate(entries, 1):
        missing = [f for f in ("assignment", "task", "operator", "line", "reason") if not entry.get(f)]
        if missing:
            raise AuditError(f"{path}: equivalent #{k} lacks {', '.join(missing)}")
    return entries


def _matches(entry, aid, task, row):
    return (entry["assignment"], entry["task"], entry["operator"], entry["line"]) == \
        (aid, task, row["operator"], row["line"]) and entry.get("mutated", row["mutated"]) == row["mutated"]


def apply_equivalents(results, entries):
    """Mark listed survivors as equivalent; return (stale entries, entries that match only killed mutants)."""
    audited = {(r["assignment"], t["task"]) for r in results for t in r["tasks"]}
    stale, killed = [], []
    for entry in entries:
        rows = [row for r in results for t in r["tasks"] for row in t["mutants"]
                if _matches(entry, r["assignment"], t["task"], row)]
        for row in rows:
            if row["status"] == "survived":
                row["status"], row["why"] = "equivalent", entry["reason"]
        if not rows and (entry["assignment"], entry["task"]) in audited:
            stale.append(entry)
        elif rows and all(row["status"] == "killed" for row in rows):
            killed.append(entry)
    return stale, killed


# ---------------------------------------------------------------- the report

def counts(rows):
    """mutants, killed, survived, equivalent and score of a list of mutant rows."""
    n = {s: sum(r["status"] == s for r in rows) for s in ("killed", "survived", "equivalent")}
    live = len(rows) - n["equivalent"]
    return {"mutants": len(rows), **n, "score": n["killed"] / live if live else 1.0}


def _row(cells):
    return "| " + " | ".join(str(c) for c in cells) + " |"


def table(results, per_task=True):
    """A Markdown table: per task (when asked) and per assignment, with a total."""
    head = ["assignment", "task", "mutants", "killed", "survived", "equivalent", "score"]
    lines = [_row(head), _row(["---"] * len(head))]
    every = []
    for r in results:
        rows = [row for t in r["tasks"] for row in t["mutants"]]
        every += rows
        if per_task:
            for t in r["tasks"]:
                c = counts(t["mutants"])
                lines.append(_row([r["assignment"], t["task"] + (" (error)" if t["error"] else ""),
                                   *(c[k] for k in head[2:6]), f"{c['score']:.0%}"]))
        c = counts(rows)
        lines.append(_row([r["assignment"], "**all**", *(c[k] for k in head[2:6]), f"**{c['score']:.1%}**"]))
    c = counts(every)
    lines.append(_row(["**total**", "", *(c[k] for k in head[2:6]), f"**{c['score']:.1%}**"]))
    return "\n".join(lines)


def report(results, stale, killed_equivalents, seconds):
    """The whole printed report: the table, the wall time, errors, stale entries and every survivor's diff."""
    out = [table(results), "", f"wall time {seconds:.0f} s"]
    for r in results:
        for err in r["errors"]:
            out.append(f"error in {r['assignment']}: {err}")
        for t in r["tasks"]:
            if t["error"]:
                out.append(f"error in {r['assignment']} {t['task']}: {t['error']}")
    for e in stale:
        out.append(f"stale equivalent in {EQUIVALENTS}: {e['assignment']} {e['task']} {e['operator']}: "
                   f"{e['line']!r} matches no mutant")
    for e in killed_equivalents:
        out.append(f"listed as equivalent but killed: {e['assignment']} {e['task']} {e['operator']}: {e['line']!r} "
                   f"(not equivalent, or a test rejects a correct answer)")
    for r in results:
        for t in r["tasks"]:
            for row in t["mutants"]:
                if row["status"] == "survived":
                    out += ["", f"survived: {r['assignment']} {t['task']} [{row['operator']}]", row["diff"]]
    return "\n".join(out)


def run(root, ids=None, only=(), workers=None, timeout=60, min_timeout=10, sandbox=True, min_score=0.95,
        json_path=None, equivalents=None, out=print):
    """The audit command: audit the assignments in parallel, print the report; the exit status."""
    root = Path(root).resolve()
    ids = list(ids or assignments(root))
    answers = {aid: {t["task"] for t in plan(nbformat.read(notebook_of(root, aid), as_version=4))[1]} for aid in ids}
    if only:
        unknown = sorted(set(only) - set().union(*answers.values()))
        if unknown:
            raise AuditError(f"no answer cell {', '.join(unknown)} in {', '.join(ids)}")
        ids = [aid for aid in ids if answers[aid] & set(only)]
    entries = load_equivalents(equivalents or root / EQUIVALENTS)
    if sandbox:
        from ..isolation.bwrap import probe
        ok, why = probe()
        if not ok:
            out(f"warning: {why}; running the mutants UNSANDBOXED (install bubblewrap to sandbox them)")
            sandbox = False
    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda aid: audit_assignment(root, aid, only, timeout, min_timeout, sandbox), ids))
    seconds = time.monotonic() - start
    stale, killed = apply_equivalents(results, entries)
    out(report(results, stale, killed, seconds))
    if json_path:
        summary = {r["assignment"]: counts([m for t in r["tasks"] for m in t["mutants"]]) for r in results}
        Path(json_path).write_text(json.dumps({"seconds": round(seconds, 1), "summary": summary, "results": results,
                                               "stale": stale, "killed_equivalents": killed}, indent=1))
    failing = [r for r in results if r["errors"] or any(t["error"] for t in r["tasks"])
               or counts([m for t in r["tasks"] for m in t["mutants"]])["score"] < min_score]
    return 1 if failing else 0


if __name__ == "__main__" and sys.argv[1:2] == ["--worker"]:
    work(sys.argv[2])
