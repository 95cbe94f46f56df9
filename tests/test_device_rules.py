"""Device rules that a CPU machine can check (dlcourse/tools/device_rules.py): the rules on small
made-up cells, then on every test cell of the seven source notebooks."""
import nbformat
import pytest

from dlcourse.tools.device_rules import (
    DEVICE_WORDS,
    NOTEBOOKS,
    Answers,
    CellRules,
    findings_of,
    graded_cells,
    read_answers,
)

# ---------------------------------------------------------------- the rules on small cells

def rules(source, statements=None, multiplying=()):
    """The (rule, line) pairs found in one made-up test cell."""
    answers = Answers(statement=dict(statements or {"answer": "**Task 1.** Return it on `device`."}),
                      multiplying=set(multiplying))
    return [(f.rule, f.line) for f in CellRules("00_made_up", "test_cell", source, answers).run()]


def test_a_device_tensor_compared_with_a_cpu_constant_is_found():
    cell = ("x = torch.randn(3, generator=generator(0)).to(DEVICE)\n"
            "y = answer(x)\n"
            "if not torch.allclose(y, torch.ones(3)):\n"
            "    fail('y', 'wrong')\n"
            "check_close('y', y, x + torch.ones(3))\n"
            "check_close('y', y, x.cpu() + torch.ones(3))\n"
            "assert (y == torch.zeros(3)).all()\n")
    assert rules(cell) == [("mixed-devices", 3), ("mixed-devices", 5), ("mixed-devices", 7)]


def test_checks_that_move_both_sides_to_the_cpu_are_not_flagged():
    cell = ("_a = torch.arange(3.0).to(DEVICE)\n"
            "check_close('s', answer(_a, DEVICE), torch.tensor([1.0, 2.0]))\n"
            "check_close('s', _a.cpu() + torch.ones(3), torch.ones(3))\n"
            "_x0 = _a.clone()\n"
            "if not torch.equal(_a, _x0): fail('x', 'changed')\n"
            "if bool(torch.allclose(as_tensor('g', _a), torch.ones(3))): fail('g', 'no')\n")
    assert rules(cell) == []


def test_check_device_needs_a_statement_that_names_the_device():
    cell = "_x = torch.ones(2).to(DEVICE)\ncheck_device('answer(x)', answer(_x), DEVICE)\n"
    assert rules(cell, {"answer": "**Task 1.** Return twice `x`."}) == [("device-statement", 2)]
    assert rules(cell, {"answer": "**Task 1.** Return twice `x`, on the device of `x`."}) == []
    assert rules("check_device('t', torch.ones(2).to(DEVICE), DEVICE)\n", {}) == []


def test_a_section_convention_before_its_first_task_counts_for_each_task():
    def cell(kind, source, **meta):
        return nbformat.from_dict({"cell_type": kind, "source": source, "metadata": {"nbgrader": meta}})
    cells = [cell("markdown", "## 1. Steps\n\nKeep every result on the device of `w`.\n\n**Task 1.1.** Write `f(w)`."),
             cell("code", "def f(w):\n    return 2 * w", solution=True),
             cell("markdown", "**Task 1.2.** Write `g(w)`."),
             cell("code", "def g(w):\n    return 3 * w", solution=True),
             cell("markdown", "## 2. Other\n\nNothing about where.\n\n**Task 2.1.** Write `h(w)`."),
             cell("code", "def h(w):\n    return 4 * w", solution=True)]
    answers = read_answers(cells)
    found = [DEVICE_WORDS.search(answers.statement[n]) is not None for n in ("f", "g", "h")]
    assert found == [True, True, False]


def test_random_draws_on_the_device_are_found_and_cpu_draws_moved_afterwards_are_not():
    cell = ("a = torch.randn(3, device=DEVICE)\n"
            "b = torch.rand_like(a)\n"
            "layer = nn.Linear(2, 3, device=DEVICE)\n"
            "a.normal_()\n"
            "nn.init.xavier_uniform_(a)\n"
            "c = torch.randn(3, generator=generator(1)).to(DEVICE)\n"
            "d = nn.Linear(2, 3).to(DEVICE)\n"
            "e = nn.Linear(2, 3, device='meta')\n"
            "f = torch.randint(0, 5, (3,), device='cpu')\n"
            "def helper(x):\n"
            "    return torch.randn(2, device=x.device)\n")
    assert rules(cell) == [("random-on-device", n) for n in (1, 2, 3, 4, 5, 11)]


def test_a_float32_matmul_on_the_device_compared_outside_exact_math_is_found():
    cell = ("x = torch.randn(2, 3, generator=generator(0)).to(DEVICE)\n"
            "w = torch.randn(4, 3, generator=generator(1)).to(DEVICE)\n"
            "check_close('y', answer(x, w), (x @ w.T).cpu())\n"
            "with exact_math():\n"
            "    check_close('y', answer(x, w), (x @ w.T).cpu())\n"
            "x64, w64 = x.double(), w.double()\n"
            "check_close('y', answer(x64, w64), (x64 @ w64.T).cpu())\n"
            "fc = nn.Linear(3, 4).to(DEVICE)\n"
            "check_close('fc', fc(x), torch.zeros(2, 4))\n"
            "check_close('cpu', answer(x.cpu(), w.cpu()), torch.zeros(2, 4))\n")
    assert rules(cell, multiplying={"answer"}) == [("tf32", 3), ("tf32", 9)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.parent.name for p in NOTEBOOKS])
def test_no_test_cell_breaks_a_device_rule(path):
    found = findings_of(path)
    assert not found, "test cells that grade differently on a GPU:\n" + "\n".join(map(str, found))


def test_all_seven_assignments_are_read():
    assert len(NOTEBOOKS) == 7 and all(graded_cells(p)[0] for p in NOTEBOOKS)
