"""Detection and false-flag rates of the similarity report, on a labelled corpus of answers.

A corpus folder holds, per assignment, JSON files {grade id: answer cell source}: `copies/<aid>/original.json`
and disguised copies of it (`copies/<aid>/<kind>.json`), and independent students' answers
(`<writer>/<aid>.json` for each other folder). Pairs (original, copy) must score at or above the
threshold; pairs between independent students (and between an independent student and the original
or a copy) must not.

    python bench/similarity_rates.py tests/similarity/heldout [--threshold 0.6]
    DOLOS_DIR=/tmp/dolos python bench/similarity_rates.py tests/similarity/heldout --tool dolos --threshold T

`--tool dolos` scores the same pairs with Dolos (npm @dodona/dolos-lib, installed in DOLOS_DIR with its
native parsers built; bench/dolos_pairs.mjs), which is how the course chose copydetect.
"""
import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dlcourse.grading import similarity  # noqa: E402

REPO = Path(__file__).resolve().parents[1]


def works_of(folder, aid):
    """{name: Work} of one assignment in a corpus folder: copies and independent writers."""
    works = {}
    for path in sorted((folder / "copies" / aid).glob("*.json")):
        works[f"copy:{path.stem}"] = json.loads(path.read_text())
    for writer in sorted(p for p in folder.iterdir() if p.is_dir() and p.name != "copies"):
        if (writer / f"{aid}.json").exists():
            works[f"own:{writer.name}"] = json.loads((writer / f"{aid}.json").read_text())
    made = {}
    for name, answers in works.items():
        w = similarity.Work(name)
        for gid, src in answers.items():
            w.add(gid, src)
        made[name] = w
    return made


def dolos(works, boilerplate, share=True):
    """{(a, b): score} by Dolos: the larger share covered (`share`), or its own similarity."""
    answer = subprocess.run(["node", str(REPO / "bench" / "dolos_pairs.mjs")], input=json.dumps(
        {"files": {w.student: w.code for w in works}, "template": boilerplate}), capture_output=True, text=True,
        check=True, env={**os.environ}).stdout
    return {(a, b): (m if share else s) for a, b, s, m in json.loads(answer)}


def scores(folder, tool="copydetect"):
    """[(assignment, a, b, score, should flag)] for every pair of every assignment."""
    rows = []
    for aid in sorted(p.name for p in (folder / "copies").iterdir()):
        works, boilerplate = works_of(folder, aid), similarity.template_of(REPO, aid)
        if tool == "copydetect":
            pairs = {(p.a, p.b): p.score for p in similarity.compare(list(works.values()), boilerplate, 0.0,
                                                                     mark=False)}
        else:
            pairs = dolos(list(works.values()), boilerplate, share=tool == "dolos")
        names = sorted(works)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                flag = a.startswith("copy:") and b.startswith("copy:")  # the original and its copies
                rows.append((aid, a, b, pairs.get((a, b), pairs.get((b, a), 0.0)), flag))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--threshold", type=float, default=similarity.THRESHOLD)
    parser.add_argument("--show", action="store_true", help="print every pair")
    parser.add_argument("--tool", choices=["copydetect", "dolos", "dolos-similarity"], default="copydetect")
    args = parser.parse_args()
    rows = scores(args.corpus, args.tool)
    copies = [r for r in rows if r[4] and "original" in (r[1] + r[2])]
    independent = [r for r in rows if not r[4]]
    found = sum(r[3] >= args.threshold for r in copies)
    flagged = sum(r[3] >= args.threshold for r in independent)
    if args.show:
        for r in sorted(rows, key=lambda r: -r[3]):
            print(f"{r[0]:20s} {r[1]:22s} {r[2]:22s} {r[3]:.3f} {'copy' if r[4] else 'own'}")
    print(f"threshold {args.threshold:.2f}: copies found {found}/{len(copies)} "
          f"({100 * found / max(1, len(copies)):.0f}%), independent pairs flagged {flagged}/{len(independent)} "
          f"({100 * flagged / max(1, len(independent)):.1f}%)")
    low = sorted((r for r in copies if r[3] < args.threshold), key=lambda r: r[3])
    for r in low:
        print(f"  missed: {r[0]} {r[1]} ~ {r[2]}: {r[3]:.3f}")
    for r in sorted((r for r in independent if r[3] >= args.threshold), key=lambda r: -r[3]):
        print(f"  flagged: {r[0]} {r[1]} ~ {r[2]}: {r[3]:.3f}")


if __name__ == "__main__":
    main()
