"""Canvas through its REST API, with ``canvasapi``: the course's students, an assignment's points and
grades, and a bulk grade update (``submissions_bulk_update``) followed to the end of its Progress."""
import time
import warnings

import requests
from requests.adapters import HTTPAdapter

from .grades import LmsError, LmsUser


class _Timeout(HTTPAdapter):
    """Every request gives up after `timeout` seconds (canvasapi has no setting for it)."""

    def __init__(self, timeout):
        super().__init__()
        self.timeout = timeout

    def send(self, request, **kwargs):
        kwargs["timeout"] = self.timeout
        return super().send(request, **kwargs)


class CanvasClient:
    """One Canvas course."""

    name = "Canvas"

    def __init__(self, target, poll=0.5):
        from canvasapi import Canvas
        self.target, self.poll = target, poll
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # http:// on a test server
            canvas = Canvas(target.url, target.token)
        session = canvas._Canvas__requester._session  # the one session canvasapi sends everything through
        for prefix in ("http://", "https://"):
            session.mount(prefix, _Timeout(target.timeout))
        self.course = self._call(lambda: canvas.get_course(target.course_id), f"reading course {target.course_id}")
        self._assignments = {}

    def _call(self, fn, doing):
        """fn(), with Canvas's and the network's errors turned into an LmsError that says what was being done."""
        from canvasapi import exceptions as cx
        try:
            return fn()
        except (cx.InvalidAccessToken, cx.Unauthorized):
            raise LmsError(f"Canvas refused the token while {doing}: check the token in the variable lms.toml "
                           "names (default CANVAS_TOKEN), and that it may grade this course") from None
        except cx.ResourceDoesNotExist:
            raise LmsError(f"Canvas has no such thing ({doing}): check the ids in lms.toml") from None
        except cx.CanvasException as exc:
            raise LmsError(f"Canvas failed while {doing}: {exc}") from None
        except requests.Timeout:
            raise LmsError(f"Canvas did not answer within {self.target.timeout:g} s while {doing}") from None
        except requests.RequestException as exc:
            raise LmsError(f"cannot reach Canvas at {self.target.url} while {doing}: {type(exc).__name__}") from None

    def _assignment(self, lms_id):
        if lms_id not in self._assignments:
            self._assignments[lms_id] = self._call(lambda: self.course.get_assignment(lms_id),
                                                   f"reading assignment {lms_id}")
        return self._assignments[lms_id]

    def users(self):
        """The course's students."""
        found = self._call(lambda: list(self.course.get_users(enrollment_type=["student"], include=["email"])),
                           "listing the course's students")
        return [LmsUser(u.id, getattr(u, "name", ""), getattr(u, "login_id", "") or "", getattr(u, "email", "") or "",
                        getattr(u, "sis_user_id", "") or "") for u in found]

    def max_points(self, lms_id):
        return float(getattr(self._assignment(lms_id), "points_possible", 0) or 0)

    def current(self, lms_id):
        """{user id: score} of what Canvas holds now (None: no grade)."""
        subs = self._call(lambda: list(self._assignment(lms_id).get_submissions()),
                          f"reading the grades of assignment {lms_id}")
        return {s.user_id: getattr(s, "score", None) for s in subs}

    def post(self, lms_id, grades):
        """Post {user id: (points, comment)} in one bulk update and wait until Canvas has applied it."""
        data = {uid: {"posted_grade": f"{points:g}", **({"text_comment": comment} if comment else {})}
                for uid, (points, comment) in grades.items()}
        doing = f"posting {len(grades)} grade(s) to assignment {lms_id}"
        progress = self._call(lambda: self._assignment(lms_id).submissions_bulk_update(grade_data=data), doing)
        deadline = time.monotonic() + self.target.timeout
        while progress.workflow_state in ("queued", "running"):
            if time.monotonic() > deadline:
                raise LmsError(f"Canvas had not finished {doing} after {self.target.timeout:g} s "
                               f"(its job {progress.id} is {progress.workflow_state})")
            time.sleep(self.poll)
            progress = self._call(progress.query, doing)
        if progress.workflow_state != "completed":
            raise LmsError(f"Canvas's job for {doing} ended {progress.workflow_state}: "
                           f"{getattr(progress, 'message', '') or 'no message'}")
