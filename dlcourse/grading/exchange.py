"""Collecting from a shared exchange without trusting what a student wrote into it.

On a hub every student can write into nbgrader's inbound folder, and a submission's name (whose
it is, when it was made) and its ``timestamp.txt`` are whatever they wrote. nbgrader's own collect
only warns when a folder is not owned by the student it names. ``CheckedCollect`` (nbgrader_config.py
sets it as the exchange's collect) leaves out a submission that is not owned by the student it
names (on a hub), that holds a symbolic link (which collecting, as the TA, would follow into the
TA's files) or that nbgrader's submit did not make (no submission_secret.txt, without which its
feedback cannot be released), says why in the log, takes the student's newest other one, and dates the one it takes by the later of the time it claims
and the last time the system saw it change (ctime of the folder and of every file in it, which
no student can set back), writing that time to the collected copy's timestamp.txt, which
grading reads.
"""
import datetime
import glob
import os
import pwd

from nbgrader.exchange.default.collect import ExchangeCollect
from nbgrader.utils import parse_utc
from traitlets import Bool


def owner(path):
    try:
        return pwd.getpwuid(os.lstat(path).st_uid).pw_name
    except KeyError:
        return "an unknown account"


def links_in(folder):
    """The symbolic links under `folder` (the folder itself included)."""
    found = [folder] if os.path.islink(folder) else []
    for base, dirs, files in os.walk(folder):
        found += [os.path.join(base, n) for n in dirs + files if os.path.islink(os.path.join(base, n))]
    return found


def last_change(folder):
    """The latest ctime, as naive UTC, of the folder and everything in it."""
    times = [os.lstat(folder).st_ctime]
    for base, dirs, files in os.walk(folder):
        times += [os.lstat(os.path.join(base, n)).st_ctime for n in dirs + files]
    return datetime.datetime.fromtimestamp(max(times), datetime.timezone.utc).replace(tzinfo=None)


class CheckedCollect(ExchangeCollect):
    """nbgrader's collect, taking only submissions their student made, dated by when they last changed."""

    require_owner = Bool(True, help="leave out a submission not owned by the student it names").tag(config=True)

    def init_src(self):
        super().init_src()  # finds the course's inbound folder and a submission per student
        self.trusted, kept = {}, []
        for record in self.src_records:
            best = None
            for candidate in self.submissions_of(record["username"]):
                path = os.path.join(self.inbound_path, candidate["filename"])
                why = self.refusal(path, candidate["username"])
                if why:
                    self.log.error("Not collected: %s, because %s", candidate["filename"], why)
                    continue
                candidate["timestamp"] = max(candidate["timestamp"], last_change(path))
                if best is None or candidate["timestamp"] > best["timestamp"]:
                    best = candidate
            if best is not None:
                kept.append(best)
                self.trusted[best["username"]] = best["timestamp"]
        self.src_records = kept

    def submissions_of(self, student):
        """Every inbound folder named for `student` and this assignment: name, student, claimed time."""
        found = []
        for path in glob.glob(os.path.join(self.inbound_path, f"{glob.escape(student)}+{self.coursedir.assignment_id}+*")):
            name = os.path.basename(path)
            parts = name.rsplit("+", 3)
            try:
                found.append({"username": parts[0], "filename": name, "timestamp": parse_utc(parts[2])})
            except (IndexError, ValueError):
                self.log.error("Not collected: %s, because its name is not a submission's", name)
        return [f for f in found if f["username"] == student]

    def refusal(self, path, student):
        """Why the folder at `path` is not taken as `student`'s submission ("" if it is)."""
        if self.require_owner and owner(path) != student:
            return f"it names {student} but belongs to {owner(path)}"
        links = links_in(path)
        if links:
            return f"it holds a symbolic link ({os.path.relpath(links[0], path)})"
        if not os.path.isfile(os.path.join(path, "submission_secret.txt")):
            return "it has no submission_secret.txt (nbgrader submit writes one; feedback needs it)"
        return ""

    def do_copy(self, src, dest, log=None):
        super().do_copy(src, dest, log)
        when = self.trusted.get(os.path.basename(os.path.dirname(os.path.normpath(dest))))  # submitted/<student>/<aid>
        if when is not None:
            with open(os.path.join(dest, "timestamp.txt"), "w") as handle:
                handle.write(when.strftime(self.timestamp_format.replace("%Z", "UTC")))
