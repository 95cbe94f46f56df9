"""What the mutation audit costs: `python -m dlcourse audit` over the assignments, one run.

Prints, per assignment, the mutants, how many the tests killed, how many survived, the score
(after the equivalents listed in audit/equivalents.toml) and the seconds its worker took
(assignments run in parallel, a worker per core unless --workers says otherwise), then the
total wall time. The target is under 10 minutes for all seven assignments on 2 cores.

Usage: python bench/bench_audit.py [ASSIGNMENT…] [--workers N] [--unsandboxed]
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from dlcourse.tools import audit

REPO = Path(__file__).resolve().parents[1]


def main(argv=None):
    """Run the audit once and print its cost per assignment."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("assignments", nargs="*")
    parser.add_argument("--workers", type=int, help="assignments at once (default: one per core)")
    parser.add_argument("--unsandboxed", action="store_true", help="run the mutants without bubblewrap")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.json"
        start = time.perf_counter()
        audit.run(REPO, args.assignments or None, workers=args.workers, sandbox=not args.unsandboxed,
                  json_path=path, out=lambda text: None)
        wall = time.perf_counter() - start
        data = json.loads(path.read_text())
    print(f"mutation audit on {os.cpu_count()} cores, {args.workers or os.cpu_count()} worker(s), "
          f"{'unsandboxed' if args.unsandboxed else 'sandboxed'}\n")
    print("| assignment | mutants | killed | survived | equivalent | score | seconds |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for result in data["results"]:
        c = data["summary"][result["assignment"]]
        print(f"| {result['assignment']} | {c['mutants']} | {c['killed']} | {c['survived']} | {c['equivalent']} "
              f"| {c['score']:.1%} | {result['seconds']:.0f} |")
    rows = [m for r in data["results"] for t in r["tasks"] for m in t["mutants"]]
    c = audit.counts(rows)
    print(f"| total | {c['mutants']} | {c['killed']} | {c['survived']} | {c['equivalent']} | {c['score']:.1%} "
          f"| {wall:.0f} (wall) |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
