"""The test suite leaves the user's home alone: nbgrader's exchange cache, Jupyter's and IPython's
folders and matplotlib's cache all go to a temporary home (tests/conftest.py).

A few real tests that write there (nbgrader fetch and submit, a kernel, matplotlib) run in a
separate pytest whose HOME is a fresh empty folder and whose environment names no Jupyter,
IPython, matplotlib or XDG folder: afterwards that home must still be empty.
"""
import os
import subprocess
import sys

from conftest import HOME_VARS, REPO

WRITERS = ["tests/test_collect.py::test_exchange_collects_every_student_under_their_user_name",
           "tests/test_first_hour.py::test_a_failing_check_shows_its_message_without_the_checkers_frames"]


def test_tests_that_run_nbgrader_and_jupyter_leave_the_home_folder_unchanged(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in HOME_VARS and k not in ("JUPYTER_PATH", "DLCOURSE_DB_URL")}
    env["HOME"] = str(home)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", *WRITERS],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "2 passed" in run.stdout
    written = sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert written == [], f"the tests wrote into HOME: {written[:20]}"
