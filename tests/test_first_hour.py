"""The first hour of every user: set-up on a fresh machine, the TA's commands as the README writes
them, and the first message a student reads."""
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from conftest import REPO
from labserver import jupyter
from nbclient import NotebookClient

BIN = Path(sys.executable).parent
AID = "01_tensors"


def _bare_path():
    """PATH without the virtual environment, as in a shell where it is not activated."""
    return os.pathsep.join(p for p in os.environ["PATH"].split(os.pathsep) if Path(p).resolve() != BIN.resolve())


# ---- make: system packages first ----------------------------------------------------------

def _unprivileged():
    """A command prefix that drops root (no sudo there), or [] when we are not root."""
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] if os.geteuid() == 0 else []


def test_make_installs_system_packages_before_any_pip_work(tmp_path):
    for name in ("Makefile", "pyproject.toml", "constraints.txt"):
        shutil.copy(REPO / name, tmp_path)
    for folder in ("scripts", "jupyter-config"):  # what the set-up reads besides those files
        shutil.copytree(REPO / folder, tmp_path / folder)
    dry = subprocess.run(["make", "-n", "test"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert dry.index("system-packages.sh bubblewrap chromium postgresql") < dry.index("pip install")
    if not _unprivileged() and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        pytest.skip("sudo without a password would install the made-up package for real")
    os.chmod(tmp_path, 0o777)
    run = subprocess.run([*_unprivileged(), "make", "demo", "SYSTEM_PACKAGES=bubblewrap dlcourse-no-such-package"],
                         cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "HOME": str(tmp_path)})
    assert run.returncode != 0
    assert ("missing system packages; run: sudo apt-get update && sudo apt-get install -y "
            "dlcourse-no-such-package") in run.stderr
    assert not (tmp_path / ".venv").exists(), "pip work started before the system packages were there"


def _make_with_a_fake(tmp_path, target, program, script):
    """`make TARGET` with BIN holding only `program`, a shell script, and the set-up already done."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / program).write_text(f"#!/bin/sh\n{script}\n")
    (fake / program).chmod(0o755)
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: no pip work
    return ["make", "-s", "-C", str(REPO), target, f"BIN={fake}", f"STAMP={stamp}", "SYSTEM_PACKAGES="]


def test_make_test_in_ci_requires_the_sandbox(tmp_path):
    args = _make_with_a_fake(tmp_path, "test", "python", 'echo "REQUIRE=$DLCOURSE_REQUIRE_SANDBOX"')
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "DLCOURSE_REQUIRE_SANDBOX")}
    ci = subprocess.run(args, capture_output=True, text=True, env={**env, "CI": "true"})  # as CI sets it
    local = subprocess.run(args, capture_output=True, text=True, env=env)
    assert ci.stdout.strip() == "REQUIRE=1", ci.stdout + ci.stderr
    assert local.stdout.strip() == "REQUIRE=", local.stdout + local.stderr


def test_make_lab_starts_as_root_with_a_note_and_as_a_user_without(tmp_path):
    args = _make_with_a_fake(tmp_path, "lab", "jupyter", 'echo "JUPYTER $*"; echo "CONFIG $JUPYTER_CONFIG_PATH" >&2')
    env = {k: v for k, v in os.environ.items() if k != "JUPYTER_CONFIG_PATH"}
    runs = {"root" if os.geteuid() == 0 else "user": subprocess.run(args, capture_output=True, text=True, env=env)}
    for who, run in runs.items():
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stderr.strip() == f"CONFIG {REPO}", run.stderr  # nbgrader's Assignments tab finds the course
        started = run.stdout.strip().splitlines()
        lab = f"JUPYTER lab --ip=127.0.0.1 --LabApp.app_settings_dir={REPO}/notebooks/lab-settings"  # the defaults
        if who == "root":
            assert started == ["note: running as root, so JupyterLab starts with --allow-root (use an ordinary "
                               "account on a shared machine)", f"{lab} --allow-root"]
        else:
            assert started == [lab]


# ---- the TA's commands, as the README writes them, without the venv activated ------------

def _ta(*args, cwd, home):
    """A README command run as `.venv/bin/<program> …` from a shell where the venv is not on PATH."""
    env = {k: v for k, v in os.environ.items() if k not in ("DLCOURSE_DB_URL", "VIRTUAL_ENV")}
    env.update(PATH=_bare_path(), HOME=str(home))
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=900)


def test_exchange_loop_works_as_the_readme_writes_it_with_a_new_gradebook(tmp_path):
    course, exchange, student = tmp_path / "course", tmp_path / "exchange", tmp_path / "ada"
    for folder in (course, exchange, student):
        folder.mkdir()
    os.chmod(exchange, 0o777)
    shutil.copy(REPO / "nbgrader_config.py", course)
    for part in ("source", "release"):  # as in a clone: release/ is there, the gradebook is not
        shutil.copytree(REPO / part / AID, course / part / AID)
    ex = f"--Exchange.root={exchange}"
    steps = [(course, ("nbgrader", "release_assignment", AID, ex)),
             (student, ("nbgrader", "fetch_assignment", AID, "--course=dl-course", ex)),
             (student, ("nbgrader", "submit", AID, "--course=dl-course", ex, "--student=ada")),
             (course, ("nbgrader", "collect", AID, ex))]
    for cwd, args in steps:
        run = _ta(*args, cwd=cwd, home=student if cwd == student else course)
        assert run.returncode == 0, f"{' '.join(args)}:\n{run.stderr[-2000:]}"
    run = _ta("python", "-m", "dlcourse", "grade", AID, "--workers", "1", cwd=course, home=course)
    assert run.returncode == 0 and "Traceback" not in run.stderr, run.stderr[-3000:]
    assert f"{AID}: not in the gradebook yet, generated it" in run.stdout
    assert re.search(r"^ada\s+0/\d+", run.stdout, re.M), run.stdout  # the untouched release scores 0


def test_grading_an_assignment_that_does_not_exist_says_so_in_one_line(tmp_path):
    shutil.copy(REPO / "nbgrader_config.py", tmp_path)
    shutil.copytree(REPO / "source" / AID, tmp_path / "source" / AID)
    run = _ta("python", "-m", "dlcourse", "grade", "99_nope", "--unsandboxed", cwd=tmp_path, home=tmp_path)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert run.stderr.strip() == ("cannot grade: 99_nope is not an assignment of this course (no source/99_nope); "
                                  f"assignments: {AID}")


# ---- the first message a student reads --------------------------------------------------

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_a_failing_check_shows_its_message_without_the_checkers_frames(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("import torch\nfrom dlcourse import checks"),
        nbformat.v4.new_code_cell("answer = torch.zeros(2, 3)\nchecks.check_shape('answer', answer, (3, 2))"),
    ])
    client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=True,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    (error,) = [o for o in nb.cells[1].outputs if o.output_type == "error"]
    shown = ANSI.sub("", "\n".join(error.traceback))
    assert error.ename == "CheckError" and "answer" in error.evalue and "(3, 2)" in error.evalue
    assert error.evalue in shown and "check_shape('answer', answer, (3, 2))" in shown
    assert "checks.py" not in shown and "def fail" not in shown and "raise CheckError" not in shown


# ---- one environment, two course folders --------------------------------------------------

def test_a_second_course_folder_grades_with_the_environment_of_the_first(tmp_path):
    from dlcourse.grading import pipeline
    from dlcourse.isolation import bwrap
    from dlcourse.notebook import variants as made_up
    if not bwrap.probe()[0]:
        pytest.skip(f"no sandbox here: {bwrap.probe()[1]}")
    second = tmp_path / "last-year"
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(second)], check=True)
    shutil.rmtree(second / "dlcourse")  # this working tree's package, as a clone of it would have
    shutil.copytree(REPO / "dlcourse", second / "dlcourse", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "nbgrader_config.py", second)
    installed = subprocess.run([sys.executable, "-c", "import dlcourse; print(dlcourse.__file__)"], cwd="/",
                               capture_output=True, text=True, check=True).stdout.strip()
    assert not installed.startswith(str(second)), "the environment must import dlcourse from elsewhere"
    shutil.rmtree(second / "release" / AID)
    pipeline.generate(pipeline.course_api(second), [AID])
    pipeline.submit_variant(second, AID, "ada", "reference", made_up.load_variants(REPO / "tests" / "submissions", AID))
    run = subprocess.run([sys.executable, "-m", "dlcourse", "grade", AID, "--workers", "1"], cwd=second,
                         capture_output=True, text=True, timeout=900,
                         env={k: v for k, v in os.environ.items() if k != "DLCOURSE_DB_URL"})
    assert run.returncode == 0 and "FAILED" not in run.stdout, run.stdout[-2000:] + run.stderr[-2000:]
    points, maximum, pending = map(float, re.search(r"^ada\s+([\d.]+)/([\d.]+) \(([\d.]+) pending\)",
                                                    run.stdout, re.M).groups())
    assert points + pending == maximum, run.stdout  # every autograded point: the kernels ran the checks


def test_a_sandboxed_python_that_cannot_start_says_why(tmp_path):
    from dlcourse.isolation import forkserver
    command = lambda server: [sys.executable, "-c", "import dlcourse_no_such_module"]  # noqa: E731
    with pytest.raises(forkserver.ServerGone) as failure:
        forkserver.WarmServer(command, {**os.environ, "PYTHONPATH": ""}, 0, "key", startup_timeout=30)
    message = str(failure.value)
    assert message.startswith("the warm kernel server did not start: Python inside the sandbox cannot import "
                              "dlcourse_no_such_module")
    assert "install dlcourse_no_such_module into that environment" in message and "extra_ro_paths" in message


# ---- notebooks open unmodified ------------------------------------------------------------

def test_every_notebook_stores_the_language_info_the_kernel_reports():
    from ipykernel.ipkernel import IPythonKernel
    for path in sorted([*REPO.glob("source/*/*.ipynb"), *REPO.glob("release/*/*.ipynb")]):
        meta = nbformat.read(path, as_version=4).metadata
        assert meta.get("language_info") == IPythonKernel.language_info, path.relative_to(REPO)


def test_a_released_notebook_opens_unmodified_in_jupyterlab(tmp_path, browser):
    notebook = REPO / "release" / AID / f"{AID}.ipynb"
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(notebook, work)
    with jupyter("jupyterlab", work, tmp_path / "jupyter", [f"--LabApp.workspaces_dir={tmp_path / 'ws'}",
                                                           f"--LabApp.user_settings_dir={tmp_path / 'settings'}"]) as lab:
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith("http://127.0.0.1") else r.abort())
        page.goto(f"{lab.url}/lab/tree/{notebook.name}?token={lab.token}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_function("() => document.body.innerText.includes('| Idle')", timeout=120_000)
        page.wait_for_timeout(3000)  # the kernel's language_info has arrived by now
        dirty = page.locator(".jp-mod-dirty").count()
        page.close()
    assert dirty == 0, "the notebook opens modified in JupyterLab"
