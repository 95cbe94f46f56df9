"""Canvas- and Moodle-shaped HTTP servers on 127.0.0.1 for the LMS tests: the documented endpoints the
course uses, with their authentication, pagination and error formats, and faults a test can plant.

Canvas REST (https://canvas.instructure.com/doc/api/): GET courses/:id, courses/:id/users (paginated by a
Link header), courses/:id/assignments/:id, .../submissions; POST .../submissions/update_grades, which
answers a Progress that a later GET progress/:id sees run and complete. Moodle REST
(webservice/rest/server.php, wstoken + wsfunction, PHP-style nested form fields): the four functions
dlcourse/lms/moodle.py calls, errors as {"exception", "errorcode", "message"}.
"""
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit


def nested(pairs):
    """PHP/Rails-style form fields into nested dicts: a[0][b]=1 -> {"a": {"0": {"b": "1"}}}."""
    out = {}
    for key, value in pairs:
        parts = re.findall(r"[^\[\]]+", key)
        here = out
        for part in parts[:-1]:
            here = here.setdefault(part, {})
        here[parts[-1]] = value
    return out


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def _reply(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _form(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        return parse_qsl(body, keep_blank_values=True) + parse_qsl(urlsplit(self.path).query, keep_blank_values=True)

    def do_GET(self):
        self.server.lms.handle(self, "GET")

    def do_POST(self):
        self.server.lms.handle(self, "POST")


class LmsServer:
    """Common part: a threaded HTTP server on 127.0.0.1, stopped by stop() (or `with`)."""

    def __init__(self, token="secret"):
        self.token = token
        self.requests = []  # (method, path) in order
        self.delay = {}  # path fragment -> seconds to wait before answering
        self.fail = {}  # path fragment or function -> [status per matching request: None lets it through]
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.lms = self
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def _fault(self, handler, key):
        """Wait or fail as planted for `key`; True when the request was answered with a failure."""
        for fragment, seconds in self.delay.items():
            if fragment in key:
                time.sleep(seconds)
        for fragment, statuses in self.fail.items():
            if fragment in key and statuses:
                status = statuses.pop(0)
                if status:
                    handler._reply(status, {"errors": [{"message": "Internal server error"}]})
                    return True
        return False


class CanvasServer(LmsServer):
    """One Canvas course with students and assignments; grades[assignment id][user id] = score."""

    def __init__(self, course_id, users, assignments, token="secret", page_size=2):
        super().__init__(token)
        self.course_id, self.users, self.page_size = course_id, users, page_size
        self.assignments = assignments  # id -> {"name", "points_possible"}
        self.grades = {aid: {} for aid in assignments}
        self.comments = {aid: {} for aid in assignments}
        self.progress = {}  # id -> [state, assignment id, grade data]
        self.posts = []  # (assignment id, {user id: posted grade})

    def handle(self, h, method):
        path = urlsplit(h.path).path
        with self.lock:
            self.requests.append((method, path))
        if h.headers.get("Authorization") != f"Bearer {self.token}":
            return h._reply(401, {"errors": [{"message": "Invalid access token."}]},
                            [("WWW-Authenticate", 'Bearer realm="canvas-lms"')])
        if self._fault(h, path):
            return
        form = h._form()
        m = re.fullmatch(r"/api/v1/courses/(\d+)(/.*)?", path)
        if m and int(m.group(1)) == self.course_id:
            return self._course(h, method, m.group(2) or "", form)
        m = re.fullmatch(r"/api/v1/progress/(\d+)", path)
        if m and int(m.group(1)) in self.progress:
            return h._reply(200, self._run(int(m.group(1))))
        return h._reply(404, {"errors": [{"message": "The specified resource does not exist."}]})

    def _page(self, h, items, form):
        page = int(dict(form).get("page", 1))
        size = int(dict(form).get("per_page", self.page_size))
        size = min(size, self.page_size)
        chunk = items[(page - 1) * size: page * size]
        headers = []
        if page * size < len(items):
            base = f"{self.url}{urlsplit(h.path).path}"
            headers.append(("Link", f'<{base}?page={page + 1}&per_page={size}>; rel="next"'))
        return h._reply(200, chunk, headers)

    def _course(self, h, method, rest, form):
        if rest == "" and method == "GET":
            return h._reply(200, {"id": self.course_id, "name": "Deep learning", "course_code": "DL"})
        if rest in ("/users", "/search_users") and method == "GET":  # canvasapi lists them with search_users
            args = [v for k, v in form if k == "enrollment_type[]"]
            include = [v for k, v in form if k == "include[]"]
            users = [u for u in self.users if not args or u.get("role", "student") in args]
            shown = [{k: v for k, v in u.items() if k != "role" and (k != "email" or "email" in include)}
                     for u in users]
            return self._page(h, shown, form)
        m = re.fullmatch(r"/assignments/(\d+)(/submissions(/update_grades)?)?", rest)
        if not m or int(m.group(1)) not in self.assignments:
            return h._reply(404, {"errors": [{"message": "The specified resource does not exist."}]})
        aid = int(m.group(1))
        if m.group(3) and method == "POST":
            data = nested(form).get("grade_data", {})
            pid = len(self.progress) + 1
            self.progress[pid] = ["queued", aid, data]
            return h._reply(200, self._progress(pid))
        if m.group(2) and method == "GET":
            students = [u for u in self.users if u.get("role", "student") == "student"]
            subs = [{"id": 1000 + u["id"], "user_id": u["id"], "assignment_id": aid,
                     "score": self.grades[aid].get(u["id"]),
                     "grade": None if self.grades[aid].get(u["id"]) is None else f"{self.grades[aid][u['id']]:g}",
                     "workflow_state": "graded" if u["id"] in self.grades[aid] else "unsubmitted"} for u in students]
            return self._page(h, subs, form)
        a = self.assignments[aid]
        return h._reply(200, {"id": aid, "course_id": self.course_id, "grading_type": "points", **a})

    def _progress(self, pid):
        state, aid, _ = self.progress[pid]
        return {"id": pid, "context_id": aid, "context_type": "Assignment", "tag": "submissions_update",
                "workflow_state": state, "completion": 100 if state == "completed" else 0, "message": None,
                "url": f"{self.url}/api/v1/progress/{pid}"}

    def _run(self, pid):
        """A queued job runs at the first look and completes at the second, applying its grades then."""
        state, aid, data = self.progress[pid]
        if state == "queued":
            self.progress[pid][0] = "running"
        elif state == "running":
            students = {u["id"] for u in self.users if u.get("role", "student") == "student"}
            if any(int(uid) not in students for uid in data):
                self.progress[pid][0] = "failed"
            else:
                for uid, fields in data.items():
                    self.grades[aid][int(uid)] = float(fields["posted_grade"])
                    if fields.get("text_comment"):
                        self.comments[aid][int(uid)] = fields["text_comment"]
                self.posts.append((aid, {int(u): f["posted_grade"] for u, f in data.items()}))
                self.progress[pid][0] = "completed"
        return self._progress(pid)


class MoodleServer(LmsServer):
    """One Moodle course; users carry roles; grades[assignment id][user id] = grade."""

    def __init__(self, course_id, users, assignments, token="secret"):
        super().__init__(token)
        self.course_id, self.users = course_id, users
        self.assignments = assignments  # id -> {"name", "grade"}
        self.grades = {aid: {} for aid in assignments}
        self.comments = {aid: {} for aid in assignments}
        self.posts = []

    def handle(self, h, method):
        path = urlsplit(h.path).path
        form = h._form()
        args = nested(form)
        function = args.get("wsfunction", "")
        with self.lock:
            self.requests.append((method, function))
        if path != "/webservice/rest/server.php" or method != "POST":
            return h._reply(404, {"error": "not found"})
        if args.get("wstoken") != self.token:
            return h._reply(200, {"exception": "moodle_exception", "errorcode": "invalidtoken",
                                  "message": "Invalid token - token not found"})
        if self._fault(h, function):
            return
        handler = getattr(self, function, None)
        if handler is None:
            return h._reply(200, {"exception": "dml_missing_record_exception", "errorcode": "invalidrecord",
                                  "message": "Can't find data record in database table external_functions."})
        try:
            return h._reply(200, handler(args))
        except (KeyError, ValueError):
            return h._reply(200, {"exception": "invalid_parameter_exception", "errorcode": "invalidparameter",
                                  "message": "Invalid parameter value detected"})

    def core_enrol_get_enrolled_users(self, args):
        if int(args["courseid"]) != self.course_id:
            raise ValueError
        return [{"id": u["id"], "username": u["username"], "fullname": u["fullname"], "email": u["email"],
                 "idnumber": u.get("idnumber", ""), "roles": [{"roleid": 5, "shortname": u.get("role", "student")}]}
                for u in self.users]

    def mod_assign_get_assignments(self, args):
        ids = [int(v) for v in args.get("courseids", {}).values()]
        return {"courses": [{"id": self.course_id, "fullname": "Deep learning", "assignments": [
            {"id": aid, "cmid": 100 + aid, "course": self.course_id, **a} for aid, a in self.assignments.items()]}]
            if self.course_id in ids else [], "warnings": []}

    def mod_assign_get_grades(self, args):
        ids = [int(v) for v in args["assignmentids"].values()]
        return {"assignments": [{"assignmentid": aid, "grades": [
            {"id": uid, "userid": uid, "attemptnumber": 0, "grade": f"{g:.5f}", "timemodified": 0}
            for uid, g in self.grades[aid].items()]} for aid in ids if aid in self.grades], "warnings": []}

    def mod_assign_save_grades(self, args):
        aid = int(args["assignmentid"])
        rows = list(args["grades"].values())
        enrolled = {u["id"] for u in self.users if u.get("role", "student") == "student"}
        maximum = float(self.assignments[aid]["grade"])
        if any(int(r["userid"]) not in enrolled or not 0 <= float(r["grade"]) <= maximum for r in rows):
            raise ValueError  # all or nothing, as Moodle's transaction
        for r in rows:
            self.grades[aid][int(r["userid"])] = float(r["grade"])
            text = r.get("plugindata", {}).get("assignfeedbackcomments_editor", {}).get("text")
            if text:
                self.comments[aid][int(r["userid"])] = text
        self.posts.append((aid, {int(r["userid"]): r["grade"] for r in rows}))
        return None
