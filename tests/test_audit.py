"""The mutation audit: real notebooks, real forked children, the real sandbox where it works."""
import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from dlcourse.isolation import bwrap
from dlcourse.notebook.tasks import forbidden_groups
from dlcourse.tools import audit
from dlcourse.tools.mutants import Mutant, mutants

REPO = Path(__file__).resolve().parents[1]
IMPORTS = "import torch\nfrom dlcourse.checks import check_close\nfrom dlcourse.rules import forbid\n"

WEAK = {
    "statement": "**Task 1.** Write `double(x)`: twice the tensor `x`.",
    "answer": "def double(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
    "test": "assert isinstance(double(torch.ones(2)), torch.Tensor)",  # planted: only checks the type
}
STRONG = {
    "statement": "**Task 2.** Write `twice(x)`: twice the tensor `x`.",
    "answer": "def twice(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
    "test": "for _x in [torch.tensor([1.0, -3.0]), torch.tensor([0.5, 7.0, -2.0])]:\n"
            "    check_close('twice(x)', twice(_x), _x + _x)",
}
LOOP = {
    "statement": "**Task 3.** Count the steps from `n` down to 0.",
    "answer": "def countdown(n):\n    ### BEGIN SOLUTION\n    steps = 0\n    while n > 0:\n        n = n - 1\n"
              "        steps = steps + 1\n    return steps\n    ### END SOLUTION",
    "test": "assert countdown(3) == 3 and countdown(0) == 0",
}
FORBIDDEN = {
    "statement": "**Task 4.** Write `probs(z)`, the softmax of a vector. Do not use `torch.softmax`.",
    "answer": "def probs(z):\n    ### BEGIN SOLUTION\n    e = torch.exp(z - z.max())\n    return e / e.sum()\n"
              "    ### END SOLUTION",
    "test": "_z = torch.tensor([1.0, 2.0, 1000.0])\nwith forbid('Task 4', 'the formula', ['softmax']):\n"
            "    _p = probs(_z)\ncheck_close('probs(z)', _p, torch.softmax(_z, 0))\n"
            "check_close('probs(z)', probs(torch.tensor([0.0, 1.0])), torch.softmax(torch.tensor([0.0, 1.0]), 0))",
}


def _cell(kind, source, gid, **meta):
    make = nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell
    cell = make(source)
    cell.metadata["nbgrader"] = {"grade_id": gid, "locked": not meta.get("solution"), "schema_version": 3,
                                 "solution": False, "grade": False, "task": False, **meta}
    return cell


def write_assignment(root, aid, tasks, imports=IMPORTS):
    """source/<aid>/<aid>.ipynb with an imports cell and, per task, a statement, an answer and a test cell."""
    cells = [_cell("code", imports, "imports")]
    for name, task in tasks.items():
        cells += [_cell("markdown", task["statement"], f"{name}_md"),
                  _cell("code", task["answer"], name, solution=True),
                  _cell("code", task["test"], f"test_{name}", grade=True, points=1)]
    nb = nbformat.v4.new_notebook(cells=cells)
    folder = Path(root) / "source" / aid
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{aid}.ipynb")


EQUIVALENTS = """
[[equivalent]]
assignment = "00_tiny"
task = "double"
operator = "constant"
line = "return 2 * x"
reason = "planted for the test: counted as equivalent"

[[equivalent]]
assignment = "00_tiny"
task = "double"
operator = "exp_log"
line = "return 2 * x"
reason = "matches no mutant: reported as stale"
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """One audit of a tiny course: weak, strong, looping and forbidden-call tasks (+ a sandbox probe)."""
    root = tmp_path_factory.mktemp("tiny")
    write_assignment(root, "00_tiny", {"double": WEAK, "twice": STRONG, "countdown": LOOP, "probs": FORBIDDEN})
    probe = {"statement": "**Task.** Set `answer` to 42.", "answer": "### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION",
             "test": f"import os\nassert answer == 42\nassert not os.path.exists({str(root)!r}), 'the course is visible'"}
    write_assignment(root, "01_probe", {"answer": probe})
    (root / "audit").mkdir()
    (root / "audit" / "equivalents.toml").write_text(EQUIVALENTS)
    lines = []
    status = audit.run(root, ["00_tiny", "01_probe"], timeout=2, min_timeout=2, workers=2,
                       json_path=root / "audit.json", out=lines.append)
    results = json.loads((root / "audit.json").read_text())
    tasks = {t["task"]: t for r in results["results"] for t in r["tasks"]}
    return {"status": status, "text": "\n".join(lines), "tasks": tasks, "json": results}


def _fates(task):
    return [(m["operator"], m["status"]) for m in task["mutants"]]


def test_weak_test_cell_is_reported_with_its_survivors_and_diffs(tiny):
    assert tiny["status"] == 1  # 00_tiny scores below 95 %
    survivors = [m for m in tiny["tasks"]["double"]["mutants"] if m["status"] == "survived"]
    assert {m["operator"] for m in survivors} >= {"sign", "return_operand"}
    assert "survived: 00_tiny double [sign]" in tiny["text"]
    assert "-    return 2 * x\n+    return -(2 * x)" in tiny["text"]


def test_strong_test_cell_kills_every_mutant(tiny):
    task = tiny["tasks"]["twice"]
    assert len(task["mutants"]) >= 4 and all(status == "killed" for _, status in _fates(task))
    assert "| 00_tiny | twice | " in tiny["text"] and " | 100% |" in tiny["text"]


def test_listed_equivalent_is_counted_and_a_stale_entry_reported(tiny):
    constant = [m for m in tiny["tasks"]["double"]["mutants"] if m["operator"] == "constant"]
    assert [m["status"] for m in constant] == ["equivalent"]
    assert constant[0]["why"] == "planted for the test: counted as equivalent"
    counts = tiny["json"]["summary"]["00_tiny"]
    assert counts["equivalent"] == 1
    assert counts["score"] == pytest.approx(counts["killed"] / (counts["mutants"] - 1))
    assert "stale equivalent" in tiny["text"] and "exp_log" in tiny["text"]


def test_mutant_that_loops_forever_is_killed_by_the_time_limit(tiny):
    looping = [m for m in tiny["tasks"]["countdown"]["mutants"] if "time limit" in m["why"]]
    assert any(m["mutated"] == "n = n + 1" and m["status"] == "killed" for m in looping)


def test_forbidden_call_mutant_is_generated_from_the_statement_and_killed_by_forbid(tiny):
    task = tiny["tasks"]["probs"]
    assert task["forbidden"] == ["softmax"]
    [mutant] = [m for m in task["mutants"] if m["operator"] == "forbidden:softmax"]
    assert mutant["status"] == "killed" and "torch.softmax" in mutant["why"]
    assert "+    torch.softmax(torch.zeros(1), 0)" in mutant["diff"]
    fates = {m["operator"]: m for m in task["mutants"] if "forbidden" in m["operator"]}
    assert "thread" in fates["forbidden_thread:softmax"]["why"]             # refused at run time
    assert "aten._softmax" in fates["forbidden_alias:softmax"]["why"]       # seen below torch's Python API
    assert fates["forbidden_table:softmax"]["why"].startswith("the static rule check")  # no hook sees it
    assert {m["status"] for m in fates.values()} == {"killed"}


def test_mutants_run_in_the_sandbox_without_a_view_of_the_course(tiny):
    ok, why = bwrap.probe()
    if not ok:
        pytest.skip(f"grading sandbox unavailable: {why}")
    assert tiny["tasks"]["answer"]["error"] == ""
    assert {status for _, status in _fates(tiny["tasks"]["answer"])} == {"killed"}


def test_unknown_assignment_gets_a_clear_message(tmp_path):
    write_assignment(tmp_path, "00_tiny", {"double": WEAK})
    run = subprocess.run([sys.executable, "-m", "dlcourse", "--root", str(tmp_path), "audit", "99_nope"],
                         capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2 and "cannot audit: no assignment '99_nope'" in run.stderr


def test_malformed_equivalents_file_is_refused(tmp_path):
    (tmp_path / "eq.toml").write_text('[[equivalent]]\nassignment = "00_tiny"\ntask = "double"\n')
    with pytest.raises(audit.AuditError, match="lacks operator, line, reason"):
        audit.load_equivalents(tmp_path / "eq.toml")


# ---------------------------------------------------------------- operators (no execution)

def _solution(body, head="def f(z, x, w, b, m, v, t, beta1, lam, eps, alpha, n):"):
    return f"{head}\n    ### BEGIN SOLUTION\n{textwrap.indent(body, '    ')}\n    ### END SOLUTION\n"


def _mutated(body, operator, **kw):
    return {m.mutated for m in mutants(_solution(body), **kw) if m.operator == operator}


def test_operators_make_the_expected_mistakes():
    softmax = "e = torch.exp(z - z.max(dim=-1, keepdim=True).values)\nreturn e / e.sum(dim=-1, keepdim=True)"
    assert "e = torch.exp(z)" in _mutated(softmax, "max_shift")
    assert "return e / e.sum(dim=0, keepdim=True)" in _mutated(softmax, "dim")
    assert "return e / e.sum(dim=-1)" in _mutated(softmax, "keepdim")
    assert "return e / e.mean(dim=-1, keepdim=True)" in _mutated(softmax, "mean_sum")
    assert _mutated("return x @ w.T + b", "transpose") == {"return x @ w + b"}
    assert _mutated("return x @ w.T + b", "swap") == {"return w.T @ x + b"}
    assert _mutated("for i in range(n):\n    pass", "range") == {"for i in range(n - 1):", "for i in range(1, n):"}
    assert _mutated("return z.sum() / z.shape[0]", "batch_size") == {"return z.sum()"}
    assert _mutated("m_hat = m / (1 - beta1 ** t)", "bias_correction") == {"m_hat = m"}
    assert _mutated("return w - (alpha * m / (v.sqrt() + eps) + lam * w)", "decay") == \
        {"return w - ((alpha * m + lam * w) / (v.sqrt() + eps))"}
    assert _mutated("return z.double()", "float64") == {"return z.float()"}
    assert _mutated("return torch.relu(z)", "activation") == {"return torch.sigmoid(z)", "return torch.tanh(z)"}
    assert _mutated("return z < x", "comparison") == {"return z <= x"}
    assert _mutated("return x * 0.5", "constant") == {"return x * 1.0"}


def test_semantic_operators_make_the_mistakes_no_example_shows():
    assert _mutated("if n == 0:\n    return z\nreturn z / n", "edge_case") == {"if False:"}
    assert _mutated("return torch.zeros(3, dtype=z.dtype)", "dtype") == {"return torch.zeros(3, dtype=torch.float32)"}
    assert _mutated("return (z * 2).detach()", "detach") == {"return z * 2"}
    assert _mutated("return z * (torch.rand_like(z) > 0.5)", "per_row_random") == \
        {"return z * (torch.rand_like(z[..., :1]).expand_as(torch.rand_like(z)) > 0.5)"}
    assert _mutated("for k, y in x.items():\n    ax.plot(y, label=k)", "pairing") == \
        {"for k, y in zip(x.keys(), list(x.values())[::-1]):"}
    assert _mutated("ax.legend(['tanh', 'slope'])", "pairing") == {"ax.legend(['slope', 'tanh'])"}
    with_default = "def f(x, eps=1e-06):"
    found = {m.operator: m for m in mutants(_solution("return x / eps", head=with_default))}
    assert found["ignored_parameter"].mutated == "return x / (1e-06)"           # every read of eps
    assert found["fixed_point"].mutated in ("return (x * 0 + 1) / eps", "return x / (eps * 0 + 1)")
    assert "_MUTANT_CACHE.setdefault('f', x / eps)" in found["cached_result"].source


def test_only_the_solution_is_mutated_and_every_mutant_compiles_once():
    source = "def f(x):\n    y = x - 1\n    ### BEGIN SOLUTION\n    z = x - 2  # keep this comment\n" \
             "    ### END SOLUTION\n    return y + z\n"
    found = mutants(source)
    assert found and all(m.line == "z = x - 2  # keep this comment" for m in found)
    assert all("y = x - 1\n" in m.source and "return y + z\n" in m.source for m in found)
    assert len({ast.dump(ast.parse(m.source)) for m in found}) == len(found)
    assert all("# keep this comment" in m.source for m in found if m.operator != "drop_term")


def test_forbidden_groups_come_from_negated_sentences():
    assert forbidden_groups("Use `torch.exp` — not `torch.softmax` or `log_softmax`.") == ["softmax"]
    assert forbidden_groups("From your formula, no autograd. The check compares it with autograd.") == ["autograd"]
    assert forbidden_groups("The check compares it with autograd through `F.cross_entropy`.") == []
    assert forbidden_groups("Matrix products only, without `F.linear`; do not build a module.") == ["linear", "modules"]
    assert forbidden_groups("Updated in training, never by the optimizer (`module.buffers()`).") == []
    source = _solution("return z", head="def f(z):")
    planted = {m.operator: m for m in mutants(source, forbidden=["autograd"]) if "forbidden" in m.operator}
    assert set(planted) == {"forbidden:autograd", "forbidden_alias:autograd", "forbidden_thread:autograd",
                            "forbidden_table:autograd"}
    assert planted["forbidden:autograd"].line == "def f(z):"
    assert planted["forbidden_table:autograd"].source.startswith("_TABLE = ")
    assert "    torch.zeros(1, requires_grad=True).sum().backward()\n    return z" in planted["forbidden:autograd"].source


def test_plan_runs_a_shared_test_after_both_answers():
    cells = [_cell("code", "x = 1", "a", solution=True), _cell("code", "y = 2", "b", solution=True),
             _cell("code", "assert x + y == 3", "t", grade=True), _cell("code", "z = 3", "c", solution=True)]
    _, tasks = audit.plan(nbformat.v4.new_notebook(cells=cells))
    assert [(t["task"], t["follow"], t["tests"]) for t in tasks] == [("a", [1, 2], ["t"]), ("b", [2], ["t"]),
                                                                        ("c", [], [])]


def test_every_forbidden_group_has_a_harmless_call_and_statement_words():
    from dlcourse import rules
    from dlcourse.notebook.tasks import FORBIDDEN_WORDS
    from dlcourse.tools.mutants import FORBIDDEN_CALLS
    assert set(FORBIDDEN_CALLS) == set(rules.FORBIDDEN) == set(FORBIDDEN_WORDS)


def test_mutants_are_judged_by_the_grading_executor_as_grading_judges_them(tmp_path):
    """What only the grading executor sees: a mutant that rebinds a name a locked cell bound (the guard
    puts it back before the test), a test's partial credit (nbgrader's determine_grade), a magic in the
    answer (IPython runs it); and a correct answer written differently survives."""
    partial = {"statement": "**Task 1.** Write `twice(x)`: twice the tensor `x`.",
               "answer": "def twice(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
               "test": "_x = torch.tensor([1.0, -3.0])\ncheck_close('twice(x)', twice(_x), 2 * _x)\n"
                       "1.0 if torch.equal(twice(torch.ones(2)), torch.full((2,), 2.0)) else 0.5"}
    write_assignment(tmp_path, "00_exec", {"twice": partial})
    nb, code, chosen = audit._job(tmp_path, "00_exec", ())
    task = chosen[0]
    sources = {"rebinds the check": "check_close = lambda *args, **kwargs: True\ndef twice(x):\n    return x",
               "half right": "def twice(x):\n    return x * torch.tensor([2.0, 2.0]) if x.shape == (2,) and x[1] < 0 "
                             "else x",
               "magic": "%time _unused = 1\ndef twice(x):\n    return x + x",
               "raises": "def twice(x):\n    raise ValueError('no')"}
    task["mutant_list"] = [Mutant(name, "", "", src) for name, src in sources.items()]
    task["static"] = [[] for _ in sources]
    answers, errors = audit.run_notebook(audit.fork_points(nb, code, chosen, 10, 5),
                                         tmp_path / "source" / "00_exec", sandbox=bwrap.probe()[0])
    assert not errors, errors
    results = dict(zip(sources, answers["twice"]["results"]))
    assert results["rebinds the check"][0] and "CheckError: twice(x)" in results["rebinds the check"][1], results
    assert not results["half right"][0] and results["half right"][3] == [["test_twice", "0.5"]], results
    assert audit._lost_points(results["half right"][3], {"test_twice": 1.0}) == \
        "test_twice failed: scored 0.5 of 1 points"
    assert results["magic"][:2] == [False, ""], results
    assert results["raises"][0] and "ValueError: no" in results["raises"][1], results
