"""The audit's fork point, run inside the grading kernel: each mutant and its tests in a forked copy of it.

The audit (audit.py) runs the instructor notebook through the grading executor (grading/execute.py:
the sandboxed warm kernel, the guard, demonstrations left out, as autograde runs a submission). Just
before each answer cell it puts one cell that calls ``try_mutants``: the kernel, with the notebook
run so far, forks once for the reference answer and once per mutant. The child runs the answer and
the cells after it the way the kernel runs a cell (IPython's ``run_cell``: magics, display, the
last value), and asks the guard what execute.py asks around each locked cell; the first test cell
that raises, or during which a sealed object changed, ends it. What each test cell showed goes back
too: the audit scores it with nbgrader's own ``determine_grade`` (partial credit). A child never
writes to the kernel's sockets or output, and ends by a time limit it cannot catch. The answer is
one display output (``MIME``) of the fork-point cell. Standard library at the top, and nothing
imported at run time that changes what the guard watches (nbformat would add an import hook).
"""
import gc
import json
import os
import select
import signal
import sys
import time

MIME = "application/vnd.dlcourse.audit+json"
GUARD_PREFIX = "_dlcourse_guard_"


def try_mutants(job_text):
    """Run the job (JSON: answer, mutants, follow-up cells, time limits) and display what became of each."""
    from IPython import get_ipython
    from IPython.display import publish_display_data

    from ..grading.guard import guard_request
    from ..notebook.names import bindings

    job = json.loads(job_text)
    ip = get_ipython()
    var = next((name for name in ip.user_ns if name.startswith(GUARD_PREFIX)), None)
    asks = {c["id"]: (guard_request(var, "before"), guard_request(var, "after", *bindings(c["source"])))
            for c in job["follow"] if var and c["trusted"]}
    run = (ip, var, job["follow"], asks)
    gc.freeze()  # a child's collections then leave the kernel's objects alone (fewer pages copied)
    try:
        killed, why, seconds, _ = _fork(run, job["answer"], job["timeout"])
        if killed:
            answer = {"error": f"the reference answer fails its own tests: {why}", "results": []}
        else:
            limit = min(job["timeout"], max(job["min_timeout"], 10 * seconds))
            answer = {"error": "", "reference_seconds": seconds, "limit": limit,
                      "results": [list(_fork(run, source, limit)) for source in job["mutants"]]}
    finally:
        gc.unfreeze()
    publish_display_data({MIME: answer})


def _fork(run, answer, limit):
    """(killed, why, seconds, shown) of `answer` and its follow-up cells in a forked copy of the kernel;
    `shown`: [test cell id, the text of its shown value] for each test that showed one."""
    read, write = os.pipe()
    start = time.monotonic()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        raise
    if pid == 0:  # the child: never returns
        os.close(read)
        why, shown = "the child failed", []
        try:
            os.setpgid(0, 0)  # what it starts goes with it
            signal.signal(signal.SIGALRM, signal.SIG_DFL)
            signal.setitimer(signal.ITIMER_REAL, limit)
            _quiet(run[0])
            why = _child(run, answer, shown)
        finally:
            os.write(write, json.dumps([why[:1000], shown]).encode())
            os._exit(1 if why else 0)
    os.close(write)
    said, status = _collect(read, pid)
    seconds = time.monotonic() - start
    try:
        os.killpg(pid, signal.SIGKILL)  # anything the mutant left running
    except OSError:
        pass
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        return (True, f"ran past the {limit:g} s time limit" if sig == signal.SIGALRM else f"died of signal {sig}",
                seconds, [])
    why, shown = json.loads(said) if said else ("it ended without a word", [])
    return os.WEXITSTATUS(status) != 0, why, seconds, shown


def _collect(read, pid):
    """(what the child wrote, its wait status): the pipe read while the child runs (a long answer must not
    block it), until the child has ended (a process it started may hold the pipe open for ever)."""
    chunks, status = [], None
    while status is None:
        ready, _, _ = select.select([read], [], [], 0.05)
        if ready:
            chunk = os.read(read, 65536)
            if chunk:
                chunks.append(chunk)
                continue
        ended, code = os.waitpid(pid, os.WNOHANG)
        if ended:
            status = code
    os.set_blocking(read, False)
    try:
        while chunk := os.read(read, 65536):
            chunks.append(chunk)
    except BlockingIOError:
        pass
    os.close(read)
    return b"".join(chunks), status


def _quiet(ip):
    """Cut the child off from the kernel's sockets and output: what it prints or displays goes nowhere."""
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")
    for owner in (getattr(ip, "kernel", None), ip.display_pub, ip.displayhook):
        session = getattr(owner, "session", None)
        if session is not None:
            session.send = lambda *args, **kwargs: None
    ip.display_pub.publish = lambda *args, **kwargs: None
    ip._showtraceback = lambda *args, **kwargs: None


def _child(run, answer, shown):
    """The answer cell, then its follow-up cells as the grader runs them; "" if no test failed."""
    ip, var, follow, asks = run
    outcome = _run_cell(ip, answer)
    if outcome["error"]:
        return f"the answer cell raised {outcome['error']}"
    for cell in follow:
        before = _ask(ip, var, asks[cell["id"]][0]) if cell["id"] in asks else None
        outcome = _run_cell(ip, cell["source"])
        after = _ask(ip, var, asks[cell["id"]][1]) if before is not None else None
        if not cell["graded"]:
            continue
        why = outcome["error"]
        if not why and cell["id"] in asks and (after is None or after["changed"]):
            why = "IntegrityError: " + (f"{', '.join(after['changed'][:4])} replaced" if after
                                        else "the guard did not answer")
        if why:
            return f"{cell['id']} failed: {why}"
        if outcome["text"] is not None:
            shown.append([cell["id"], outcome["text"]])
    return ""


def _run_cell(ip, source):
    """Run one cell as the kernel runs it; its error in one line ("" if none) and its shown value's text."""
    shown = []
    hook = ip.displayhook
    compute = hook.compute_format_data
    hook.compute_format_data = lambda result: shown.append(compute(result)) or shown[-1]
    try:
        result = ip.run_cell(source, store_history=True)
    finally:
        hook.compute_format_data = compute
    exc = result.error_before_exec or result.error_in_exec
    error = (f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__) if exc else ""
    text = shown[-1][0].get("text/plain") if shown else None
    return {"error": error.splitlines()[0][:300] if error else "", "text": text}


def _ask(ip, var, request):
    """The guard's answer to one request, as execute.py asks it (None if it gave none)."""
    result = ip.run_cell(request, store_history=False, silent=True)
    if not result.success:
        return None
    answer = json.loads(ip.user_ns[var].result)
    return answer if answer.get("ok") else None
