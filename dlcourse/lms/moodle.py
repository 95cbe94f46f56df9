"""Moodle through its REST web services (a token of a service with these functions):
``core_enrol_get_enrolled_users``, ``mod_assign_get_assignments``, ``mod_assign_get_grades`` and
``mod_assign_save_grades``."""
import requests

from .grades import LmsError, LmsUser


def flatten(params, prefix=""):
    """Moodle's form encoding of nested arguments: {"grades": [{"userid": 3}]} -> {"grades[0][userid]": 3}."""
    flat = {}
    items = params.items() if isinstance(params, dict) else enumerate(params)
    for key, value in items:
        name = f"{prefix}[{key}]" if prefix else str(key)
        if isinstance(value, (dict, list, tuple)):
            flat.update(flatten(value, name))
        else:
            flat[name] = value
    return flat


class MoodleClient:
    """One Moodle course."""

    name = "Moodle"

    def __init__(self, target):
        self.target = target
        self.session = requests.Session()
        self._assignments = None

    def call(self, function, **params):
        """Run one web-service function; its answer. LmsError with Moodle's own error code and message."""
        data = {"wstoken": self.target.token, "wsfunction": function, "moodlewsrestformat": "json", **flatten(params)}
        try:
            response = self.session.post(f"{self.target.url}/webservice/rest/server.php", data=data,
                                         timeout=self.target.timeout)
            response.raise_for_status()
            answer = response.json()
        except requests.Timeout:
            raise LmsError(f"Moodle did not answer {function} within {self.target.timeout:g} s") from None
        except requests.HTTPError as exc:
            raise LmsError(f"Moodle failed on {function}: HTTP {exc.response.status_code}") from None
        except (requests.RequestException, ValueError) as exc:
            raise LmsError(f"cannot use Moodle at {self.target.url} ({function}): {type(exc).__name__}") from None
        if isinstance(answer, dict) and "exception" in answer:
            code, message = answer.get("errorcode", "?"), answer.get("message", "")
            hint = " (check the token in the variable lms.toml names, default MOODLE_TOKEN)" if "token" in code else ""
            raise LmsError(f"Moodle refused {function}: {code}: {message}{hint}")
        return answer

    def users(self):
        """The course's students (enrolled users with the student role)."""
        users = self.call("core_enrol_get_enrolled_users", courseid=self.target.course_id)
        return [LmsUser(u["id"], u.get("fullname", ""), u.get("username", ""), u.get("email", ""),
                        u.get("idnumber", "")) for u in users
                if any(r.get("shortname") == "student" for r in u.get("roles", []))]

    def max_points(self, lms_id):
        if self._assignments is None:
            answer = self.call("mod_assign_get_assignments", courseids=[self.target.course_id])
            self._assignments = {a["id"]: a for c in answer.get("courses", []) for a in c.get("assignments", [])}
        if lms_id not in self._assignments:
            raise LmsError(f"Moodle course {self.target.course_id} has no assignment {lms_id}: check lms.toml")
        return float(self._assignments[lms_id].get("grade", 0))

    def current(self, lms_id):
        """{user id: grade} of what Moodle holds now (None: not graded; Moodle says -1)."""
        answer = self.call("mod_assign_get_grades", assignmentids=[lms_id])
        found = {}
        for block in answer.get("assignments", []):
            for g in block.get("grades", []):
                value = float(g["grade"]) if g.get("grade") not in (None, "") else -1.0
                found[int(g["userid"])] = None if value < 0 else value
        return found

    def post(self, lms_id, grades):
        """Save {user id: (points, comment)} in one call."""
        rows = [{"userid": uid, "grade": points, "attemptnumber": -1, "addattempt": 0, "workflowstate": "",
                 **({"plugindata": {"assignfeedbackcomments_editor": {"text": comment, "format": 1}}} if comment else {})}
                for uid, (points, comment) in grades.items()]
        self.call("mod_assign_save_grades", assignmentid=lms_id, applytoall=0, grades=rows)
