"""nbgrader configuration for the course (the course folder is this repository)."""
import os
import sys

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# nbgrader runs `alembic` from PATH when it creates a gradebook: every nbgrader command loads
# this file, so `.venv/bin/nbgrader ...` works without the environment activated.
_bin = os.path.dirname(sys.executable)
if _bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _bin + os.pathsep + os.environ.get("PATH", "")

c.CourseDirectory.course_id = "dl-course"
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The embedded gradebook: SQLite in the course folder (git-ignored: it holds grades).
c.CourseDirectory.db_url = os.environ.get(
    "DLCOURSE_DB_URL", "sqlite:///" + os.path.join(c.CourseDirectory.root, "gradebook.db"))
# nbgrader's exchange, through which assignments, submissions and feedback pass. On a JupyterHub a
# shared folder (DLCOURSE_EXCHANGE; `make hub` sets it); on one machine (`make lab`) one inside the
# course, so the Assignments tab works there too, with what a student fetches going to downloaded/.
# Collecting takes only submissions owned by the student they name, without symbolic links, dated by
# when they last changed (dlcourse/grading/exchange.py); on one machine, where one account plays
# every student, the owner is not checked.
c.ExchangeFactory.collect = "dlcourse.grading.exchange.CheckedCollect"
if os.environ.get("DLCOURSE_EXCHANGE"):
    c.Exchange.root = os.environ["DLCOURSE_EXCHANGE"]
    c.CourseDirectory.groupshared = True  # several TAs share the course folder and the exchange
else:
    c.CheckedCollect.require_owner = False
    c.Exchange.root = os.path.join(c.CourseDirectory.root, "exchange")
    c.Exchange.assignment_dir = os.path.join(c.CourseDirectory.root, "downloaded")
    for _folder in (c.Exchange.root, c.Exchange.assignment_dir):
        os.makedirs(_folder, exist_ok=True)
# Grading on a Dask cluster (`python -m dlcourse grade --dask tcp://HOST:8786`, docs/operators.md
# "Grading on Dask"): the scheduler to use by default; needs the PostgreSQL gradebook above.
c.GradingCluster.scheduler = os.environ.get("DLCOURSE_DASK", "")

# Every cell of a student's notebook gets this many seconds while autograding.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True
# Starting a kernel that imports torch can take long on a loaded machine (parallel grading).
c.Execute.startup_timeout = 300
# Output limits: long prints and tracebacks are cut in autograded and feedback notebooks.
c.LimitOutput.max_lines = 200
c.LimitOutput.max_traceback = 60

c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# Feedback shows each test cell's result and error message, never its hidden tests,
# tracebacks or what the student's code printed while the tests ran.
# Answers that wait for a TA say "to be graded by hand", not "Score: 0.0".
c.GenerateFeedback.preprocessors = [
    "dlcourse.grading.feedback.PendingGrades",
    "dlcourse.grading.feedback.HideTestDetails",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
c.GenerateFeedback.exporter_class = "dlcourse.grading.feedback.FeedbackExporter"
# Math as MathML, drawn by the browser itself: feedback and the formgrader need no MathJax CDN.
c.HTMLExporter.preprocessors = ["dlcourse.grading.reference.ShowReference", "dlcourse.grading.feedback.RenderMath"]
# ShowReference: in the formgrader only, each written answer's model answer and rubric (and each test
# cell's reference code) from source/ right after it (dlcourse/grading/reference.py).

# Safe grading (dlcourse/grading/config.py, execute.py): every student kernel runs in a
# bubblewrap sandbox (no network, nothing of the course but its own files, resource limits),
# an integrity guard undoes monkeypatching before each test, and deleted locked cells are put
# back. `python -m dlcourse grade` sets this up itself; these lines make plain
# `nbgrader autograde` and the formgrader do the same. Without bubblewrap grading refuses to
# start; `c.GuardedExecute.sandbox = False` (or `grade --unsandboxed`) runs kernels unconfined.
from dlcourse.grading.config import configure as _guarded  # noqa: E402
from dlcourse.grading.execute import EVENTS_SUFFIX  # noqa: E402

# What happened while a notebook ran (<notebook>.grading.json beside the autograded notebook, read and
# removed by `python -m dlcourse grade`): never copied into a student's feedback.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", f"*{EVENTS_SUFFIX}"]

_guarded(c, hidden=[c.CourseDirectory.root, os.path.expanduser("~")], check=False)

# Due dates and the late policy come from course.toml; extensions from extensions.csv
# (dlcourse/grading/deadlines.py). nbgrader's AssignLatePenalties asks this plugin per late notebook.
from dlcourse.grading.deadlines import ScheduleError as _ScheduleError  # noqa: E402
from dlcourse.grading.deadlines import configure as _deadlines  # noqa: E402

try:
    _deadlines(c, c.CourseDirectory.root)
except _ScheduleError as _exc:
    print(f"nbgrader_config.py: no late penalties: {_exc}", file=sys.stderr)
c.GuardedExecute.max_output_bytes = 1_000_000  # output kept per cell
c.GuardedExecute.notebook_timeout = 1800       # seconds for a whole notebook
c.GuardedExecute.warm_kernels = True           # fork each kernel from a sandboxed server that has
                                               # imported torch (isolation/forkserver.py); False: start cold
c.SandboxKernelManager.memory_mb = 4096        # RLIMIT_DATA of the kernel
c.SandboxKernelManager.max_tasks = 256         # processes and threads
c.SandboxKernelManager.file_size_mb = 64       # largest file the kernel may write
c.SandboxKernelManager.cpu_seconds = 1800      # CPU seconds for the whole kernel
# GPU memory one kernel may take (torch's allocator, on each GPU it sees; ignored without CUDA):
# a share, or gpu_memory_mb. Workers are spread over the GPUs; with more workers than GPUs, use
# at most 1 / (workers per GPU) so that one notebook cannot starve the others.
c.SandboxKernelManager.gpu_memory_fraction = 0.5

# The formgrader (a Jupyter server) shows what a regrade from the command line wrote (manual.py).
import sys as _sys  # noqa: E402

if "jupyter_server" in _sys.modules:
    from dlcourse.grading.manual import fresh_formgrader_reads  # noqa: E402
    fresh_formgrader_reads()
