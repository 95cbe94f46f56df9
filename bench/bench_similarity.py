"""Time of the similarity report on a class of 200 (the issue asks for under a minute on 2 cores).

Each made-up student answers every cell of 04_softmax_mlp_xor with one of the corpus's correct forms
(the reference or an alternative of tests/submissions), so many pairs share cells; the figure is the
time of `similarity.compare` over all 19,900 pairs, next to copydetect's own CopyDetector on the same
files (its all-pairs loop, without its report).

    python bench/bench_similarity.py [--students 200]
"""
import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from dlcourse.grading import similarity  # noqa: E402
from dlcourse.notebook import variants as made_up  # noqa: E402
from dlcourse.tools import gpucheck  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
AID = "04_softmax_mlp_xor"


def forms():
    """{grade id: [correct sources]}: the reference and the corpus's alternative forms."""
    source = gpucheck.read_notebook(REPO / "source" / AID / f"{AID}.ipynb")
    release = gpucheck.read_notebook(REPO / "release" / AID / f"{AID}.ipynb")
    ref = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in made_up.build(source, release, "reference", None)["cells"]
           if c["cell_type"] == "code" and c["metadata"].get("nbgrader", {}).get("solution")}
    found = {gid: [src] for gid, src in ref.items()}
    for name, spec in made_up.load_variants(REPO / "tests" / "submissions", AID).items():
        if not spec.get("loses") and name != "blind_solver":
            for gid, cell in (spec.get("cells") or {}).items():
                found.setdefault(gid, []).append(cell)
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=200)
    args = parser.parse_args()
    rng = random.Random(0)
    options = forms()
    works = []
    for i in range(args.students):
        w = similarity.Work(f"s{i:03d}")
        for gid, sources in options.items():
            w.add(gid, rng.choice(sources))
        works.append(w)
    template = similarity.template_of(REPO, AID)
    start = time.perf_counter()
    pairs = similarity.compare(works, template)
    ours = time.perf_counter() - start
    from copydetect import CopyDetector
    with tempfile.TemporaryDirectory() as tmp:
        for w in works:
            Path(tmp, f"{w.student}.py").write_text(w.code)
        Path(tmp, "boiler").mkdir()
        Path(tmp, "boiler", "template.py").write_text(template)
        detector = CopyDetector(test_dirs=[tmp], boilerplate_dirs=[str(Path(tmp, "boiler"))], extensions=["py"],
                                silent=True, autoopen=False)
        start = time.perf_counter()
        detector.run()
        plain = time.perf_counter() - start
    n = args.students * (args.students - 1) // 2
    print(f"{args.students} students, {n} pairs: similarity.compare {ours:.1f} s "
          f"({len(pairs)} pairs at {similarity.THRESHOLD}), copydetect's CopyDetector.run {plain:.1f} s "
          f"(ratio {ours / plain:.2f})")


if __name__ == "__main__":
    main()
