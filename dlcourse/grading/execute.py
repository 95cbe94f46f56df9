"""The execute step of autograding: nbgrader's Execute with the sandbox, the guard and damage control.

``GuardedExecute`` replaces nbgrader's Execute preprocessor (config.py). Per notebook it
- starts the kernel in the sandbox (isolation/kernels.py; forked from the warm server by default);
- leaves out the demonstration cells no test reads (notebook/demonstrations.py);
- runs the kernel guard (guard.py) before every locked cell and after every test: a test
  during which student code replaced a sealed object scores 0;
- scores 0 a test of a task whose statement's rule the student's code breaks (notebook/tasks.py);
- keeps grading when the kernel dies or stops answering, bounds the notebook's wall-clock time and
  each cell's output.
What happened goes to ``resources["dlcourse"]["events"]`` and, through nbconvert's writer, to
``<notebook>.grading.json`` beside the autograded notebook, where unit.py reads it. What it writes
(events, the errors it puts in a cell's outputs) is in English, written ``translate(…, ENGLISH)`` so that
the grading catalog has it: the TA's reports and the student's feedback show it translated.
"""
import ast
import json
import secrets
import time
from pathlib import Path

from jupyter_client.utils import run_sync
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, default

from ..i18n import ENGLISH, translate
from ..isolation.kernels import IPCKernelManager, SandboxKernelManager, WarmKernelManager
from ..notebook import cells, demonstrations, names, tasks
from . import guard as kernel_guard

EVENTS_SUFFIX = ".grading.json"  # <notebook>.grading.json: what happened, for the grading unit


def events_file(notebook):
    """The file beside the autograded notebook that holds what happened while it ran."""
    return f"{notebook}{EVENTS_SUFFIX}"


def _error(ename, evalue):
    return NotebookNode(output_type="error", ename=ename, evalue=evalue,
                        traceback=[f"\x1b[0;31m{ename}\x1b[0m: {evalue}"])


class GuardedExecute(Execute):
    """nbgrader's Execute, with the sandboxed kernel, the integrity guard and damage control."""

    sandbox = Bool(True, help="run kernels in the bubblewrap sandbox").tag(config=True)
    warm_kernels = Bool(True, help="fork sandboxed kernels from a warm server that has imported torch "
                        "(isolation/forkserver.py) rather than starting each one cold").tag(config=True)
    guard = Bool(True, help="run the integrity guard around locked cells").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="output kept per cell; the rest is dropped").tag(config=True)
    notebook_timeout = Integer(1800, help="wall-clock seconds for one notebook").tag(config=True)
    guard_timeout = Integer(60, help="seconds to wait for the guard's answer").tag(config=True)
    skip_demonstrations = Bool(True, help="leave out the locked cells marked '# Demonstration' that no test "
                               "reads (demonstrations.py)").tag(config=True)

    @default("shutdown_kernel")
    def _immediately(self):
        return "immediate"  # nothing of the kernel is kept: a polite shutdown costs a quarter second

    def create_kernel_manager(self):
        if not self.sandbox:
            self.kernel_manager_class = IPCKernelManager
        else:
            self.kernel_manager_class = WarmKernelManager if self.warm_kernels else SandboxKernelManager
        self._km = super().create_kernel_manager()
        return self._km

    def preprocess(self, nb, resources=None, km=None):
        info = (resources or {}).get("nbgrader", {})
        self._label = info.get("notebook", "notebook")
        self._trusted = self._trusted_cells(info)
        self._skip = demonstrations.skipped(nb.cells, self._trusted) if self.skip_demonstrations else set()
        self._rule_failures = tasks.rule_verdicts(nb)
        self._var = f"_dlcourse_guard_{secrets.token_hex(6)}"
        self._sealed = False
        self._stopped = ""
        self._deadline = time.monotonic() + self.notebook_timeout
        self._bytes = {}
        self._student_ran = []
        self._events = []
        self._km = None
        try:
            return super().preprocess(nb, resources, km)
        finally:
            left = getattr(self._km, "left_running", 0)
            if left:
                self._event("kernel", translate(f"{left} process(es) the notebook left running were killed", ENGLISH))
            if resources is not None:
                resources.setdefault("dlcourse", {})["events"] = self._events
                resources.setdefault("outputs", {})[events_file(self._label)] = json.dumps(self._events).encode()

    def _trusted_cells(self, info):
        """grade id -> source of the locked cells of this notebook, from the gradebook."""
        if "trusted" in info:  # run_notebook's caller knows them
            return info["trusted"]
        try:
            from nbgrader.api import Gradebook
            with Gradebook(info["db_url"]) as gb:
                nb = gb.find_notebook(info["notebook"], info["assignment"])
                return {c.name: c.source for c in nb.source_cells if c.locked}
        except Exception:  # trust nbgrader's metadata then (OverwriteCells has restored locked cells)
            return None

    def _event(self, kind, text, cell=None):
        self._events.append({"notebook": self._label, "kind": kind, "cell": cell, "text": text})

    def _role(self, cell):
        trusted = cells.is_instructor_code(cell, self._trusted)
        return cells.grade_id(cell), trusted, trusted and cells.is_graded(cell)

    async def _ask(self, code, var=None):
        """Run guard code silently in the kernel; its JSON answer, or None if it did not come."""
        var = var or self._var
        try:
            msg_id = self.kc.execute(code, silent=True, store_history=False,
                                     user_expressions={"r": f"{var}.result"})
            deadline = time.monotonic() + self.guard_timeout
            while time.monotonic() < deadline:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=1)
                except Exception:  # queue.Empty
                    if not await self.kc.is_alive():
                        return None
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    if msg["content"].get("status") != "ok":
                        return None
                    text = msg["content"]["user_expressions"]["r"]["data"]["text/plain"]
                    answer = json.loads(ast.literal_eval(names.parse(text[:200_000], mode="eval")))
                    return answer if answer.get("ok") else None
        except Exception:
            return None
        return None

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if cell_index in self._skip:
            cell.outputs = [NotebookNode(output_type="stream", name="stdout", text=demonstrations.NOT_RUN)]
            return cell
        gid, trusted, graded = self._role(cell)
        label = gid or f"#{cell_index + 1}"
        if not self._stopped and time.monotonic() > self._deadline:
            self._stop(translate(f"the notebook ran past its time budget ({self.notebook_timeout} s)", ENGLISH))
        if self._stopped:
            cell.outputs = [_error("NotRun", translate(f"not run: {self._stopped}", ENGLISH))] if graded else []
            return cell
        if self.guard and not self._sealed:
            self._sealed = True
            self._guard_ok = await self._ask(kernel_guard.guard_source(self._var)) is not None
            if not self._guard_ok:
                self._event("integrity", translate("the integrity guard could not start in the kernel", ENGLISH))
        before = None
        if self.guard and trusted:
            before = await self._ask(kernel_guard.guard_request(self._var, "before")) if self._guard_ok else None
            if before and before["changed"]:
                culprits = ", ".join(self._student_ran[-3:]) or translate("student code", ENGLISH)
                self._event("integrity", translate(f"replaced {_short(before['changed'])} (in {culprits}); put back "
                                                   f"before {label} ran", ENGLISH), label)
            if before and before.get("threads"):
                self._event("integrity", translate(f"background threads were running during {label}: "
                                                   f"{', '.join(before['threads'][:5])}", ENGLISH), label)
        if trusted:
            self._student_ran = []
        else:
            self._student_ran.append(label)
        try:
            return await self._execute_guarded(cell, cell_index, execution_count, store_history, label,
                                               trusted, graded, before)
        finally:
            if self._bytes.get(cell_index, 0) > self.max_output_bytes:
                self._event("output", translate(f"cell {label} printed {self._bytes[cell_index] / 1e6:.1f} MB; "
                                                f"only the first {self.max_output_bytes / 1e6:g} MB were kept",
                                                ENGLISH), label)

    async def _execute_guarded(self, cell, cell_index, execution_count, store_history, label, trusted, graded,
                               before):
        started = time.monotonic()
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs = list(cell.get("outputs", [])) + [_error(
                "KernelDied", translate("the kernel stopped while this cell ran (os._exit, a crash, or a memory, "
                                        "process or CPU limit); the cells after it were not run", ENGLISH))]
            self._event("kernel", translate(f"the kernel died in cell {label}; later cells were not run", ENGLISH),
                        label)
            self._stopped = translate(f"the kernel died in cell {label}", ENGLISH)
            return cell
        except Exception as exc:  # e.g. no output within iopub_timeout: the kernel is in a bad state
            if isinstance(exc, CellTimeoutError):
                why = translate(f"cell {label} ran past the {self.timeout} s time limit and did not stop when "
                                "interrupted", ENGLISH)
            else:
                why = translate(f"cell {label} broke the kernel's messaging ({type(exc).__name__}: "
                                f"{str(exc)[:100]})", ENGLISH)
            cell.outputs = list(cell.get("outputs", [])) + [_error("GradingError", why)]
            self._event("kernel", why, label)
            if not await self._responsive():
                self._stop(translate(f"the kernel stopped answering after cell {label}", ENGLISH))
            return cell
        if self.timeout is not None and time.monotonic() - started >= self.timeout:  # nbclient interrupted it
            self._event("timeout", translate(f"cell {label} ran past the {self.timeout} s time limit and was "
                                             "interrupted", ENGLISH), label)
            if not await self._responsive():
                self._stop(translate(f"cell {label} ran past the time limit and the kernel stopped answering",
                                     ENGLISH))
                return cell
        if self.guard and trusted:
            bound, attrs, star = names.bindings(cell.source)
            after = await self._ask(kernel_guard.guard_request(self._var, "after", bound, attrs, star)) \
                if (self._guard_ok and before is not None) else None
            if graded and (after is None or after["changed"]):
                why = (translate(f"the code under test replaced {_short(after['changed'])} while this test ran",
                                 ENGLISH)
                       if after else translate("the grader's integrity check could not run in this kernel", ENGLISH))
                cell.outputs.append(_error("IntegrityError", translate(f"{why}; this test does not count", ENGLISH)))
                self._event("integrity", translate(f"{label}: {why}; scored 0", ENGLISH), label)
        if graded:  # nbgrader scores a test cell with any stderr 0: a warning from student code must not cost points
            for out in cell.outputs:
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    out["name"] = "stdout"
        broken = self._rule_failures.get(cell_index) if graded else None
        if broken:
            cell.outputs.append(_error("RuleError", translate(f"{broken}; this test does not count", ENGLISH)))
            self._event("rule", translate(f"{label}: {broken}; scored 0", ENGLISH), label)
        return cell

    execute_cell = run_sync(async_execute_cell)

    async def _responsive(self):
        """True when the kernel answers a trivial request within a few seconds."""
        try:
            msg_id = self.kc.execute("pass", silent=True, store_history=False)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                try:
                    msg = await self.kc.shell_channel.get_msg(timeout=1)
                except Exception:
                    continue
                if msg["parent_header"].get("msg_id") == msg_id:
                    return True
        except Exception:
            pass
        return False

    def _stop(self, why):
        """Stop executing this notebook: kill the kernel; later test cells count as not run."""
        self._stopped = why
        self._event("kernel", f"grading of this notebook stopped: {why}")
        try:
            if self.km is not None and self.km.provisioner is not None and self.km.provisioner.process:
                self.km.provisioner.process.kill()
        except Exception:
            pass

    def output(self, outs, msg, display_id, cell_index):
        """Keep at most max_output_bytes of output per cell; note once what was dropped."""
        content = msg.get("content", {})
        size = len(content.get("text", "")) + sum(len(str(v)) for v in (content.get("data") or {}).values()) \
            + sum(len(str(v)) for v in content.get("traceback", []))
        total = self._bytes.get(cell_index, 0) + size
        self._bytes[cell_index] = total
        if total > self.max_output_bytes and msg["msg_type"] != "error":
            if total - size <= self.max_output_bytes:
                outs.append(NotebookNode(output_type="stream", name="stderr", text=(
                    f"\n[output truncated by the grader: more than {self.max_output_bytes} bytes]\n")))
            return None
        return super().output(outs, msg, display_id, cell_index)


def run_notebook(nb, folder, trusted=None, env=None, sandbox=True, hidden=(), **settings):
    """Run `nb` from `folder` through the grading executor, outside autograde: (the notebook as it ran,
    what happened). `trusted`: grade id -> instructor's source of each locked cell (None: the cells'
    metadata decides); `env`: variables for the kernel; `settings`: GuardedExecute's traits.

    The audit and gpu-check run notebooks with this, so they measure the kernel, sandbox, guard and
    damage control that grade. The caller stops this thread's warm server when done
    (``forkserver.stop_servers``)."""
    from traitlets.config import Config
    config = Config()
    config.IPCKernelManager.kernel_env = dict(env or {})
    config.SandboxKernelManager.hidden_paths = sorted({str(Path(p).resolve()) for p in hidden})
    executor = GuardedExecute(config=config, sandbox=sandbox, **settings)
    resources = {"metadata": {"path": str(folder)}, "nbgrader": {} if trusted is None else {"trusted": trusted}}
    nb, resources = executor.preprocess(nb, resources)
    return nb, resources["dlcourse"]["events"]


def _short(labels, n=4):
    """A readable list of what changed."""
    shown = [lbl.replace("ns.", "the name ", 1) if lbl.startswith("ns.") else lbl for lbl in labels[:n]]
    return ", ".join(shown) + (f" and {len(labels) - n} more" if len(labels) > n else "")
