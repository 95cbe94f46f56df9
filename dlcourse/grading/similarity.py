"""Which students wrote similar code: every pair of submissions of an assignment compared with
``copydetect`` (winnowed fingerprints of the code once names, comments and layout are set aside).

Only what students wrote counts: the answer code cells of their submitted notebooks, with the released
template's cells as boilerplate. A pair's score is the larger of the two shares of each student's code
found in the other's (a student who copied half of a long answer scores high). Written to
``reports/similarity/<assignment>.csv`` (student_a, student_b, score, cells) and ``.html`` (the matched
code side by side). It says "similar", never "copied": the TA reads the code and decides.
"""
import csv
import html
import io
import itertools
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..notebook import cells as roles

NOISE = 25  # copydetect's k: matches shorter than this many characters of normalised code are noise
WINDOW = 1  # copydetect's winnowing window (guarantee threshold - noise threshold + 1)
THRESHOLD = 0.6  # chosen on tests/similarity/heldout1, measured on heldout2 (README)


@dataclass
class Work:
    """One student's code for an assignment: the answer cells one after another, and where each lies."""
    student: str
    code: str = ""
    spans: list = field(default_factory=list)  # (grade id, start, end) in `code`

    def add(self, gid, source):
        start = len(self.code)
        self.code += f"# {gid}\n{source.rstrip()}\n\n"
        self.spans.append((gid, start, len(self.code)))


@dataclass
class Pair:
    """Two students whose code is similar: the score, the cells that match, the marked-up code."""
    a: str
    b: str
    score: float
    cells: list
    shown: tuple = ("", "")


def answer_sources(path):
    """(grade id, source) of each answer code cell of a notebook."""
    nb = nbformat.read(path, as_version=4)
    return [(roles.grade_id(c), c.source) for c in nb.cells if c.cell_type == "code" and roles.is_answer(c)]


def load(root, aid):
    """The students' Works from submitted/, and the released template's answer code (the boilerplate)."""
    root = Path(root)
    works = []
    for folder in sorted((root / "submitted").glob(f"*/{aid}")):
        work = Work(folder.parent.name)
        for path in sorted(folder.glob("*.ipynb")):
            try:
                for gid, src in answer_sources(path):
                    work.add(gid, src)
            except Exception:  # noqa: BLE001  (a notebook that does not read has no code to compare)
                continue
        works.append(work)
    return works, template_of(root, aid)


def template_of(root, aid):
    """The released template's answer code of `aid`: what every student starts from."""
    return "\n".join(src for path in sorted((Path(root) / "release" / aid).glob("*.ipynb"))
                     for _, src in answer_sources(path))


def compare(works, template, threshold=THRESHOLD, mark=True):
    """Every pair of `works` scoring at least `threshold`, highest first."""
    from copydetect import CodeFingerprint, compare_files
    boilerplate = CodeFingerprint("template.py", NOISE, 1, fp=io.StringIO(template), language="python").hashes
    prints = {}
    for w in works:
        fp = CodeFingerprint(f"{w.student}.py", NOISE, WINDOW, boilerplate=list(boilerplate),
                             fp=io.StringIO(w.code), language="python")
        if fp.hashes and fp.token_coverage:
            prints[w.student] = (w, fp)
    pairs = []
    for (wa, fa), (wb, fb) in itertools.combinations(prints.values(), 2):
        if not fa.hashes & fb.hashes:
            continue
        _, (sa, sb), (slices_a, slices_b) = compare_files(fa, fb)
        score = float(max(sa, sb))
        if score >= threshold:
            pairs.append(Pair(wa.student, wb.student, round(score, 3), _cells(wa, slices_a),
                              (_marked(wa, slices_a), _marked(wb, slices_b)) if mark else ("", "")))
    return sorted(pairs, key=lambda p: (-p.score, p.a, p.b))


def _cells(work, slices):
    """Grade ids of the cells the matched code lies in."""
    if len(slices) == 0:
        return []
    return [gid for gid, start, end in work.spans
            if any(s < end and e > start for s, e in zip(slices[0], slices[1]))]


def _marked(work, slices):
    from copydetect.utils import highlight_overlap
    code, _ = highlight_overlap(work.code, slices, "<mark>", "</mark>", escape_html=True)
    return code


def report(root, aid, threshold=THRESHOLD):
    """Write reports/similarity/<aid>.csv and .html; the pairs at or above `threshold` and the paths."""
    works, template = load(root, aid)
    if not works:
        raise FileNotFoundError(f"no submissions of {aid} in submitted/: collect them first "
                                f"(nbgrader collect, or python -m dlcourse zip-collect)")
    pairs = compare(works, template, threshold)
    folder = Path(root) / "reports" / "similarity"
    folder.mkdir(parents=True, exist_ok=True)
    table = folder / f"{aid}.csv"
    with table.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["student_a", "student_b", "score", "cells"])
        out.writerows([p.a, p.b, f"{p.score:.3f}", " ".join(p.cells)] for p in pairs)
    page = folder / f"{aid}.html"
    page.write_text(_page(aid, len(works), pairs, threshold))
    return pairs, table, page


STYLE = """body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:110rem}table{border-collapse:collapse}
td,th{border:1px solid #ccc;padding:.25rem .5rem;text-align:left}.side{display:flex;gap:1rem;flex-wrap:wrap}
.side>div{flex:1 1 30rem;min-width:0}pre{background:#f6f6f6;padding:.5rem;overflow-x:auto;font-size:.85rem}
mark{background:#ffd27a}details{margin:.75rem 0}summary{cursor:pointer;font-weight:600}"""


def _page(aid, count, pairs, threshold):
    """The HTML page: the pairs, highest score first, each with both students' code, matches marked."""
    rows = "".join(f"<tr><td>{html.escape(p.a)}</td><td>{html.escape(p.b)}</td><td>{p.score:.2f}</td>"
                   f"<td>{html.escape(' '.join(p.cells))}</td></tr>" for p in pairs)
    details = "".join(
        f"<details><summary>{html.escape(p.a)} and {html.escape(p.b)}: {p.score:.2f}</summary><div class='side'>"
        f"<div><h3>{html.escape(p.a)}</h3><pre>{p.shown[0]}</pre></div>"
        f"<div><h3>{html.escape(p.b)}</h3><pre>{p.shown[1]}</pre></div></div></details>" for p in pairs)
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><meta name='viewport' "
            f"content='width=device-width,initial-scale=1'><title>Similar code: {html.escape(aid)}</title>"
            f"<style>{STYLE}</style></head><body><h1>Similar code in {html.escape(aid)}</h1>"
            f"<p>{count} submissions compared; {len(pairs)} pair(s) score {threshold:.2f} or more (the share of one "
            "student's code, names, comments and layout set aside, also found in the other's). Similar is not "
            "copied: read both, ask the students, then decide. The released template does not count.</p>"
            f"<table><tr><th>student</th><th>student</th><th>score</th><th>cells</th></tr>{rows}</table>"
            f"{details}</body></html>")
