"""Test strength by mutation testing: ``python -m dlcourse audit [ASSIGNMENT…]``.

For every code answer cell of an instructor notebook, mutants of the reference solution (the
catalogue of mistakes in dlcourse/tools/mutants.py, plus a forbidden call per rule of the statement)
run through the graded test cells that follow it, hidden tests included. A mutant is *killed*
when the mutant cell or one of its test cells raises or loses points as nbgrader scores it, when
the guard finds a sealed object replaced, or when it runs past its time limit; it *survives* when
every test passes. The notebook runs once per assignment through the grading executor (the
sandboxed warm kernel, the guard, demonstrations left out: grading/execute.py's ``run_notebook``)
with the reference answers; before each answer cell a fork point (forkpoint.py) makes the kernel
fork a child per mutant; assignments run in parallel. Mutants that behave exactly like the reference
are listed with a reason in audit/equivalents.toml: score = killed / (mutants - equivalent).
"""
import difflib
import json
import os
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
from nbgrader.utils import determine_grade

from ..notebook import cells, demonstrations
from ..notebook.tasks import forbidden_groups, module_aliases, rule_findings
from ..notebook.tasks import tasks as notebook_tasks
from .forkpoint import MIME
from .mutants import mutants

EQUIVALENTS = Path("audit") / "equivalents.toml"
WORKER_ENV = {"DLCOURSE_DEVICE": "cpu", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}


class AuditError(ValueError):
    """Bad input to the audit (an unknown assignment, a malformed equivalents file)."""


# ---------------------------------------------------------------- the plan (host side)

def plan(nb):
    """The notebook's code cells and, per code answer cell, its task: statement and follow-up cells
    (the cells up to the next answer after a test, less the demonstrations grading leaves out)."""
    statements = {t.answer: t.statement for t in notebook_tasks(nb)}
    skipped = demonstrations.skipped(nb.cells, cells.instructor_sources(nb))
    code, tasks = [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        code.append({"id": cells.grade_id(cell) or f"cell {len(code) + 1}", "index": i, "source": cell.source,
                     "graded": cells.is_test(cell), "answer": cells.is_answer(cell),
                     "trusted": cells.is_instructor_code(cell),
                     "points": float(cells.nbgrader(cell).get("points") or 0), "demonstration": i in skipped})
        if cells.is_answer(cell):
            tasks.append({"cell": len(code) - 1, "task": code[-1]["id"], "statement": statements[i]})
    for task in tasks:
        follow, tested = [], False
        for j in range(task["cell"] + 1, len(code)):
            if code[j]["answer"] and tested:
                break
            if not code[j]["demonstration"]:
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


# ---------------------------------------------------------------- running an assignment

def _job(root, aid, only):
    """The instructor notebook, its code cells, and the chosen tasks with their mutants."""
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
    return nb, code, chosen


def fork_points(nb, code, chosen, timeout, min_timeout):
    """The notebook with, before each chosen answer cell that has tests, the cell that forks its mutants."""
    before = {}
    for task in chosen:
        if task["follow"]:
            job = {"task": task["task"], "answer": code[task["cell"]]["source"], "timeout": timeout,
                   "min_timeout": min_timeout, "mutants": [m.source for m in task["mutant_list"]],
                   "follow": [{k: code[j][k] for k in ("id", "source", "graded", "trusted", "points")}
                              for j in task["follow"]]}
            cell = nbformat.v4.new_code_cell(f"__import__('dlcourse.tools.forkpoint', fromlist=['try_mutants'])"
                                             f".try_mutants({json.dumps(job)!r})")
            cell.metadata["dlcourse"] = {"fork_point": task["task"]}
            before[code[task["cell"]]["index"]] = cell
    out = nbformat.from_dict({**nb, "cells": []})
    for i, cell in enumerate(nb.cells):
        out.cells += [before[i]] if i in before else []
        out.cells.append(cell)
    return out


def run_notebook(nb, folder, sandbox, hidden=(), budget=3600):
    """Run the notebook with its fork points through the grading executor (no cell time limit: a fork point
    bounds its children; `budget` seconds for the whole); (fork point -> its answer, errors)."""
    from ..grading.execute import run_notebook as execute
    from ..isolation import forkserver
    try:
        ran, events = execute(nb, folder, trusted=cells.instructor_sources(nb), env=WORKER_ENV, sandbox=sandbox,
                              hidden=hidden, timeout=None, notebook_timeout=budget)
    finally:
        forkserver.stop_servers()
    answers, errors = {}, [f"{e['kind']}: {e['text']}" for e in events if e["kind"] != "output"]
    for cell in ran.cells:
        task = cell.metadata.get("dlcourse", {}).get("fork_point")
        failed = [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]
        if task:
            shown = [o.data[MIME] for o in cell.outputs if o.output_type == "display_data" and MIME in o.data]
            answers[task] = shown[0] if shown else \
                {"error": f"the fork point did not answer: {'; '.join(failed) or 'no output'}", "results": []}
        elif failed:
            errors.append(f"{cells.grade_id(cell) or 'a cell'} raised with the reference answers: {failed[0][:300]}")
        elif cells.is_test(cell):
            lost = _lost_points([], {}, cell)
            errors += [f"{lost} with the reference answers"] if lost else []
    return answers, errors


def _lost_points(shown, points, ran=None):
    """How the first test cell that showed a value lost points, as nbgrader scores it ("" if none did);
    `shown`: [cell id, text shown], `points`: cell id -> its points; or the test cell `ran` as it ran."""
    cases = [(cells.grade_id(ran), ran)] if ran is not None else []
    for cell_id, text in shown:
        cases.append((cell_id, nbformat.from_dict({"cell_type": "code", "source": "", "metadata": {"nbgrader": {
            "grade": True, "solution": False, "points": points[cell_id]}}, "outputs": [
            {"output_type": "execute_result", "data": {"text/plain": text}, "metadata": {}, "execution_count": 1}]})))
    for cell_id, cell in cases:
        try:
            score, most = determine_grade(cell)
        except ValueError as exc:  # more than the cell's points: nbgrader refuses it
            return f"{cell_id} failed: {exc}"
        if score < most:
            return f"{cell_id} failed: scored {score:g} of {most:g} points"
    return ""


def _diff(reference, mutant):
    return "\n".join(difflib.unified_diff(reference.splitlines(), mutant.splitlines(), "reference", "mutant",
                                          n=1, lineterm=""))


def audit_assignment(root, aid, only=(), timeout=60, min_timeout=10, sandbox=True):
    """Audit one assignment: its tasks, each mutant with its fate and diff, and the errors."""
    start = time.monotonic()
    nb, code, chosen = _job(root, aid, only)
    folder = notebook_of(root, aid).parent
    budget = 600 + timeout * sum(len(t["mutant_list"]) + 1 for t in chosen)
    answers, errors = run_notebook(fork_points(nb, code, chosen, timeout, min_timeout), folder, sandbox,
                                   hidden=[root, Path.home()], budget=budget)
    tasks = []
    for task in chosen:
        got = answers.get(task["task"]) or (
            {"error": "no graded test cell follows this answer", "results": []} if not task["follow"] else
            {"error": "the grading kernel did not reach this task", "results": []})
        if not task["follow"]:
            got = {"error": got["error"], "results": [[False, "", 0.0]] * len(task["mutant_list"])}
        reference = task["reference"]
        rows = []
        points = {code[j]["id"]: code[j]["points"] for j in task["follow"]}
        for mutant, found, result in zip(task["mutant_list"], task["static"], got["results"]):
            killed, why = result[0], result[1]
            lost = _lost_points(result[3] if len(result) > 3 else [], points)
            if not killed and lost:
                killed, why = True, lost
            if not killed and found:
                killed, why = True, f"the static rule check: line {found[0][0]} {found[0][1]}"
            rows.append({"operator": mutant.operator, "line": mutant.line, "mutated": mutant.mutated,
                         "status": "killed" if killed else "survived", "why": why,
                         "diff": _diff(reference, mutant.source)})
        tasks.append({"task": task["task"], "tests": task["tests"], "forbidden": task["groups"],
                      "error": got.get("error", ""), "mutants": rows})
    return {"assignment": aid, "seconds": round(time.monotonic() - start, 1), "tasks": tasks, "errors": errors}


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


