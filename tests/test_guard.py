"""The kernel guard as a module (dlcourse/grading/guard.py), in an IPython shell of this process:
it seals, reports what student code replaced, puts it back, and lets a locked cell bind names.
(test_sandbox.py and test_adversarial.py run it where it works: in graded kernels, against attacks.)"""
import json
import subprocess
import sys
import textwrap

from dlcourse.grading import guard

SHELL = textwrap.dedent('''
    import json, sys
    from IPython.core.interactiveshell import InteractiveShell
    ip = InteractiveShell.instance()
    def run(code):
        result = ip.run_cell(code, silent=True)
        assert result.success, result.error_in_exec or result.error_before_exec
    def ask(code):
        run(code)
        return json.loads(ip.user_ns["_g"].result)
    run("import math, torch\\nfrom dlcourse.checks import check_close")
    report = {"seal": ask(SEAL)}
    real = ip.user_ns["torch"].allclose
    run("torch.allclose = lambda *a, **k: True\\nmath.isclose = lambda *a, **k: True\\ncheck_close = print")
    report["before"] = ask(BEFORE)
    report["put_back"] = ip.user_ns["torch"].allclose is real and ip.user_ns["check_close"] is not print
    run("weights = [1, 2]")  # a locked cell binds a name: allowed
    report["locked"] = ask(AFTER_WEIGHTS)
    run("torch.allclose = lambda *a, **k: True")  # replaced while a test ran
    report["during_test"] = ask(AFTER_NOTHING)
    print(json.dumps(report))
''')


def run_in_shell():
    code = (f"SEAL = {guard.guard_source('_g')!r}\nBEFORE = {guard.guard_request('_g', 'before')!r}\n"
            f"AFTER_WEIGHTS = {guard.guard_request('_g', 'after', ['weights'])!r}\n"
            f"AFTER_NOTHING = {guard.guard_request('_g', 'after')!r}\n" + SHELL)
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def test_the_guard_reports_puts_back_and_lets_locked_cells_bind_names():
    report = run_in_shell()
    assert report["seal"]["ok"]
    changed = report["before"]["changed"]
    assert any("allclose" in label for label in changed) and any("isclose" in label for label in changed)
    assert any("check_close" in label for label in changed)
    assert report["put_back"]
    assert report["locked"] == {"changed": [], "ok": True}
    assert any("allclose" in label for label in report["during_test"]["changed"])
