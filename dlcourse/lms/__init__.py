"""Grades back to the university's LMS: Canvas and Moodle through their web APIs, or the CSV files both
import by hand.

- ``grades``: what the gradebook says each student gets (after late penalties), the course's
  ``lms.toml`` (which assignment is which LMS assignment), and matching students to LMS users;
- ``canvas`` and ``moodle``: one small client each (``canvasapi``; Moodle's REST web services);
- ``push``: the dry-run table, then the grades that differ from the LMS's, posted once;
- ``sheets``: Canvas's gradebook CSV and Moodle's offline grading worksheet.
"""
