"""Shared fixtures: a throwaway copy of the course where nbgrader can write freely."""
import shutil
from pathlib import Path

import pytest

from dlcourse.grading import pipeline

REPO = Path(__file__).resolve().parents[1]
SUBMISSIONS = REPO / "tests" / "submissions"
ASSIGNMENTS = pipeline.assignments(REPO)


def make_course(target):
    """Copy nbgrader_config.py and source/ to `target` and generate every assignment there."""
    target = Path(target)
    shutil.copy(REPO / "nbgrader_config.py", target / "nbgrader_config.py")
    shutil.copytree(REPO / "source", target / "source")
    pipeline.generate(pipeline.course_api(target), ASSIGNMENTS)
    return target


@pytest.fixture(scope="session")
def course(tmp_path_factory):
    """A course folder with release/ freshly generated from the repository's source/."""
    return make_course(tmp_path_factory.mktemp("course"))
