"""nbgrader configuration for the course (the course folder is this repository)."""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

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
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "dlcourse.grading.feedback.HideTestDetails",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
