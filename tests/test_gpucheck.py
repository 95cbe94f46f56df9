"""gpu-check: a CPU-vs-CPU dry run through the grading executor, a planted device difference, the check log,
and what a bare machine is told to install."""
import json
import os
import shutil
import subprocess
import sys
import textwrap

import nbformat
import pytest
import torch
from conftest import REPO, SUBMISSIONS
from test_adversarial import needs_sandbox
from test_sandbox import run_warm
from traitlets.config import Config

from dlcourse import checklog
from dlcourse.grading import parallel, pipeline
from dlcourse.isolation import forkserver, kernels
from dlcourse.notebook import variants as made_up
from dlcourse.tools import gpucheck

# A machine with Python, numpy, matplotlib and torch but not the course's Jupyter stack.
BARE = textwrap.dedent('''
    import sys
    BLOCKED = {"nbformat", "nbclient", "ipykernel", "nbgrader", "jupyter_client", "jupyter_core", "IPython"}
    class _NotInstalled:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None
    sys.meta_path.insert(0, _NotInstalled())
''')


def _test_cells(aid):
    """The number of test cells (graded code cells) of an assignment's source notebook."""
    return len(made_up.test_points(nbformat.read(REPO / "source" / aid / f"{aid}.ipynb", 4)))


def gpu_check(tmp_path, *args, bare=False):
    """Run `python -m dlcourse gpu-check ARGS` in the course folder; (exit status, stdout + stderr)."""
    env = dict(os.environ)
    if bare:
        (tmp_path / "bare").mkdir(exist_ok=True)
        (tmp_path / "bare" / "sitecustomize.py").write_text(BARE)
        env["PYTHONPATH"] = str(tmp_path / "bare")
    proc = subprocess.run([sys.executable, "-m", "dlcourse", "gpu-check", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1800)
    return proc.returncode, proc.stdout + proc.stderr


def test_dry_run_finds_cpu_and_cpu_alike_through_the_grading_executor(tmp_path):
    rc, out = gpu_check(tmp_path, "01_tensors", "--devices", "cpu", "cpu", "--variant", "reference",
                        "--variant", "mistake_no_transpose", "--jobs", "2")
    assert rc == 0, out
    row = next(line for line in out.splitlines() if line.startswith("| 01_tensors |"))
    cells, checks, same, different = (int(v) for v in row.split("|")[2:6])
    n = _test_cells("01_tensors")
    assert (cells, same, different) == (2 * n, 2 * n, 0) and checks > 200, out  # the values of every check compared
    assert "0 difference(s) between cpu and cpu" in out


def test_a_planted_device_difference_is_reported(tmp_path):
    # add_on is right on "cpu" and off by one on "cpu:0": the same answer grades differently by device.
    (tmp_path / "subs").mkdir()
    (tmp_path / "subs" / "01_tensors.py").write_text(textwrap.dedent('''
        VARIANTS = {"planted": {"cells": {"add_on": """
        import os
        def add_on(a, b, device):
            shift = 1.0 if os.environ["DLCOURSE_DEVICE"] == "cpu:0" else 0.0
            return a.to(device) + b.to(device) + shift
        """}, "loses": []}}
    '''))
    rc, out = gpu_check(tmp_path, "01_tensors", "--devices", "cpu", "cpu:0", "--variant", "planted",
                        "--submissions", str(tmp_path / "subs"))
    assert rc == 1, out
    row = next(line for line in out.splitlines() if line.startswith("| 01_tensors |"))
    cells, _, same, different = (int(v) for v in row.split("|")[2:6])
    n = _test_cells("01_tensors")
    assert (cells, same, different) == (n, n - 1, 1), out
    assert "DIFFERENT 01_tensors planted: test_add_on: passes on the first device, fails on the second" in out


def test_cuda_is_refused_with_a_message_where_there_is_none(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    rc, out = gpu_check(tmp_path, "01_tensors")
    assert rc == 2 and "CUDA is not available here" in out and "--devices cpu cpu" in out


def test_a_bare_machine_is_told_what_to_install_and_how_without_a_network(tmp_path):
    rc, out = gpu_check(tmp_path, "--list-needs", bare=True)
    assert rc == 2, out
    assert "missing: nbformat, nbclient, ipykernel, nbgrader" in out
    assert "pip install --no-index --find-links wheels/ nbformat==" in out
    rc, out = gpu_check(tmp_path, "01_tensors", "--devices", "cpu", "cpu", bare=True)
    assert rc == 2 and "gpu-check cannot run: missing nbformat, nbclient, ipykernel, nbgrader" in out, out
    assert "Traceback" not in out
    rc, out = gpu_check(tmp_path, "--list-needs")
    assert rc == 0 and "missing: nothing" in out, out


def test_the_check_log_records_what_each_check_compared(tmp_path):
    log = tmp_path / "checks.jsonl"
    code = textwrap.dedent('''
        import torch
        from dlcourse.checks import CheckError, check_close, check_float, check_int
        check_close("y", torch.tensor([1.0, 2.0]), [1.0, 2.0 + 1e-6], atol=1e-3)
        check_float("f", 0.5, 0.5)
        try:
            check_int("n", 3, 4)
        except CheckError:
            pass
    ''')
    subprocess.run([sys.executable, "-c", code], env={**os.environ, checklog.LOG_VAR: str(log)}, check=True,
                   cwd=REPO, timeout=300)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(e["check"], e["name"], e["ok"]) for e in entries] == [
        ("check_close", "y", True), ("check_float", "f", True), ("check_int", "n", False)]
    close = entries[0]
    assert close["found"] == {"shape": [2], "dtype": "float32", "values": [1.0, 2.0]}
    assert close["expected"]["values"] == [1.0, 2.000001] and close["tol"] == [1e-3, 1e-4]
    assert entries[2]["found"] == 3 and "expected 4, found 3" in entries[2]["error"]


def entry(found, expected, tol=(1e-5, 1e-4), check="check_close"):
    as_log = {"shape": [len(found)], "dtype": "float32", "values": found}
    ref = {"shape": [len(expected)], "dtype": "float32", "values": expected}
    return {"check": check, "name": "y", "ok": True, "found": as_log, "expected": ref, "tol": list(tol)}


def cell(*checks, ok=True):
    return {"cell": "test_y", "ok": ok, "error": "" if ok else "CheckError: y: wrong", "checks": list(checks)}


def test_values_are_compared_within_the_checks_own_tolerance():
    within = gpucheck.compare_cell(cell(entry([1.0, 2.0], [1.0, 2.0])), cell(entry([1.0, 2.0001], [1.0, 2.0])))
    assert within == ([], [])
    drift = gpucheck.compare_cell(cell(entry([1.0, 2.0], [1.0, 2.0])), cell(entry([1.0, 2.01], [1.0, 2.0])))
    assert len(drift[0]) == 1 and "the answers differ beyond the check's tolerance" in drift[0][0]
    drawn = gpucheck.compare_cell(cell(entry([1.0, 2.0], [1.0, 2.0])), cell(entry([3.0, 4.0], [3.0, 4.0])))
    assert drawn[0] == [] and "both differ between the devices" in drawn[1][0]
    wrong_both = [{**entry(v, [0.0]), "ok": False} for v in ([1.0], [2.0])]  # a random wrong answer
    assert gpucheck.compare_cell(cell(wrong_both[0], ok=False), cell(wrong_both[1], ok=False)) == ([], [])
    flipped = gpucheck.compare_cell(cell(entry([1.0], [1.0])), cell(ok=False))
    assert "passes on the first device, fails on the second" in flipped[0][0]
    # failing on both devices is the same grade, even when the checks got to different points
    stopped_early = gpucheck.compare_cell(cell(ok=False), cell(wrong_both[0], ok=False))
    assert stopped_early[0] == [] and "fails on both devices, differently: 0 checks ran" in stopped_early[1][0]


def test_large_tensors_are_summarised_and_compared_by_their_statistics():
    big = torch.arange(1000, dtype=torch.float64)
    a, b = checklog._summary(big), checklog._summary(big + 1e-3)
    assert a["n"] == 1000 and len(a["head"]) == 32 and "values" not in a
    assert gpucheck.values_agree(a, checklog._summary(big.clone()), (1e-8, 1e-6))
    assert not gpucheck.values_agree(a, b, (1e-8, 1e-6))


def covering(named):
    """Variants of the corpus that exercise each test cell: every partial credit, the first to lose each
    cell, and every third variant (correct forms and evasions among them), in the corpus's order."""
    first_losers = {}
    for name, spec in named.items():
        for cell in spec["loses"]:
            first_losers.setdefault(cell, name)
    partial = {name for name, spec in named.items() if isinstance(spec["loses"], dict)}
    chosen = partial | set(first_losers.values()) | set(list(named)[::3])
    return [name for name in named if name in chosen]


def test_gpu_check_takes_from_each_kind_of_variant_the_points_autograde_takes():
    """gpu-check runs each variant through the grading executor outside autograde (no gradebook, the
    locked cells put back by notebook/variants.py): on the CPU it must score the variants of the corpus
    as real autograde does (test_autograde holds autograde to the same `loses` on every variant): the
    reference, untouched and hostile ones, every partial credit, the first variant to lose each test
    cell and a third of the rest, hidden tests run."""
    aid = "01_tensors"
    named = made_up.load_variants(SUBMISSIONS, aid)
    chosen = covering(named)
    jobs = gpucheck.jobs_for(REPO, [aid], SUBMISSIONS, variants=["reference", "untouched", "hostile", *chosen])
    assert [job[2] for job in jobs] == ["reference", "untouched", "hostile", *chosen]
    assert all("### BEGIN HIDDEN TESTS" in json.dumps(job[3]) for job in jobs)
    results = gpucheck.run_all(jobs, ["cpu"], 2)
    points = made_up.test_points(nbformat.read(REPO / "source" / aid / f"{aid}.ipynb", 4))
    wrong = []
    for (_, _, variant, _, _), (result,) in zip(jobs, results):
        scores = {c["cell"]: c["score"] for c in result["cells"]}
        if variant == "reference":
            expected = points
        elif variant in ("untouched", "hostile"):
            expected = dict.fromkeys(points, 0.0)
        else:
            loses = named[variant]["loses"]
            lost = loses if isinstance(loses, dict) else {k: points[k] for k in loses}
            expected = {k: round(p - lost.get(k, 0), 2) for k, p in points.items()}
        if {k: round(v, 2) for k, v in scores.items()} != expected:
            wrong.append((variant, result.get("failure"),
                          {k: (scores.get(k), v) for k, v in expected.items() if scores.get(k) != v}))
    assert not wrong, wrong


# ---------------------------------------------------------------- grading on a GPU machine

# Records every call into torch.cuda's Python code and every call of a CUDA or NVML function of
# torch._C while CODE runs; prints them and whether CUDA ended up initialised.
TRACE = textwrap.dedent('''
    import json, os, sys
    calls = []
    def hook(frame, event, arg):
        if event == "call" and f"{os.sep}torch{os.sep}cuda{os.sep}" in frame.f_code.co_filename:
            calls.append("torch.cuda." + frame.f_code.co_name)
        elif event == "c_call" and getattr(arg, "__name__", "").startswith(("_cuda", "_nvml")):
            calls.append("torch._C." + arg.__name__)
    sys.setprofile(hook)
    CODE
    sys.setprofile(None)
    import torch
    print(json.dumps({"calls": sorted(set(calls)), "initialized": torch.cuda.is_initialized()}))
''')
# torch.cuda's functions that initialise CUDA or its driver in the calling process. is_available()
# is among them: unless PYTORCH_NVML_BASED_CUDA_CHECK=1 it asks the CUDA runtime for the device
# count (cuInit), after which a forked child cannot use the GPU, although torch's own
# is_initialized() still says False. Only NVML queries would be fork-safe; none is needed.
INITIALISES_CUDA = {"_lazy_init", "init", "is_available", "device_count", "current_device", "set_device",
                    "get_device_properties", "get_device_name", "get_device_capability", "synchronize",
                    "mem_get_info", "memory_allocated", "set_per_process_memory_fraction", "manual_seed_all"}


def traced(code, env=None):
    """Run `code` under the CUDA call recorder in a fresh Python; (calls, CUDA initialised)."""
    proc = subprocess.run([sys.executable, "-c", TRACE.replace("CODE", code)], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, **(env or {})}, timeout=300, check=True)
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer["calls"], answer["initialized"]


def cuda_calls(calls):
    """The calls among `calls` that initialise CUDA (or reach the CUDA runtime at all)."""
    return [c for c in calls if c.startswith("torch._C._cuda") or c.split(".")[-1] in INITIALISES_CUDA]


def test_the_recorder_sees_a_call_that_initialises_cuda():
    calls, _ = traced("import torch; torch.cuda.device_count(); torch.cuda.is_available()")
    assert {"torch.cuda.device_count", "torch.cuda.is_available"} <= set(cuda_calls(calls))


def test_the_warm_servers_start_up_never_calls_into_cuda():
    calls, initialized = traced("from dlcourse.isolation import forkserver; forkserver.preload()")
    assert "torch.cuda.<module>" in calls  # torch.cuda was imported, under the recorder
    assert cuda_calls(calls) == [] and initialized is False


def test_finding_the_gpus_for_the_workers_never_calls_into_cuda():
    code = "import torch; from dlcourse.grading import parallel; print(parallel.visible_gpus())"
    for env in ({"CUDA_VISIBLE_DEVICES": "1,3"}, {}):
        calls, initialized = traced(code, env)
        assert cuda_calls(calls) == [] and initialized is False


def test_gpus_are_spread_round_robin_over_the_workers():
    assert parallel.spread_gpus(5, ["0", "1"]) == ["0", "1", "0", "1", "0"]
    assert parallel.spread_gpus(2, ["GPU-7f3a"]) == ["GPU-7f3a", "GPU-7f3a"]
    assert parallel.spread_gpus(3, []) == [None, None, None]
    assert parallel.parse_visible_devices("0, 2,5") == ["0", "2", "5"]
    assert parallel.parse_visible_devices("") == [] and parallel.parse_visible_devices("-1") == []
    assert parallel.parse_visible_devices("1,-1,3") == ["1"]  # CUDA ignores what follows an invalid entry
    smi = ("GPU 0: NVIDIA H200 (UUID: GPU-11111111-2222)\n"
           "  MIG 1g.18gb     Device  0: (UUID: MIG-3333)\n"
           "GPU 1: NVIDIA H200 (UUID: GPU-44444444-5555)\n")
    assert parallel.parse_nvidia_smi(smi) == ["0", "1"]


def test_a_worker_takes_its_gpu_and_its_kernels_see_only_that_one():
    code = textwrap.dedent(f'''
        import multiprocessing, os
        from dlcourse.grading import parallel
        from dlcourse.isolation import forkserver, kernels
        taken = multiprocessing.Value("i", 1)
        parallel._init_worker({str(REPO)!r}, ["sqlite:///unused0.db", "sqlite:///unused1.db"], taken, "/tmp/rt", 1,
                              {{}}, parallel.spread_gpus(2, ["4", "6"]))
        print(os.environ["CUDA_VISIBLE_DEVICES"], kernels.SandboxKernelManager().sandbox_env()["CUDA_VISIBLE_DEVICES"])
    ''')
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, timeout=300,
                         env={k: v for k, v in os.environ.items() if k != "CUDA_VISIBLE_DEVICES"})
    assert out.stdout.split() == ["6", "6"], out.stderr[-2000:]


def test_the_kernel_command_arms_the_gpu_memory_cap_from_the_config():
    config = Config()
    config.SandboxKernelManager.gpu_memory_fraction = 0.25
    km = kernels.SandboxKernelManager(config=config, connection_file="/tmp/k.json")
    assert km.format_kernel_cmd()[4:] == ["/tmp/k.json", '--IPKernelApp.exec_lines=[\'__import__('
                                          '"dlcourse.isolation.forkserver", fromlist=["x"]).limit_gpu_memory(0.25, 0)\']']
    assert len(kernels.SandboxKernelManager(connection_file="/tmp/k.json").format_kernel_cmd()) == 5
    assert forkserver.gpu_share(80 << 30, 0.5) == 0.5
    assert forkserver.gpu_share(80 << 30, 0.5, mb=20 << 10) == 0.25  # MiB win over the share
    assert forkserver.gpu_share(8 << 30, mb=20 << 10) == 1.0


def test_a_warm_kernel_arms_the_cap_without_initialising_cuda_and_the_server_never_did(tmp_path):
    needs_sandbox()
    config = Config()
    config.SandboxKernelManager.gpu_memory_fraction = 0.5
    (tmp_path / "work").mkdir()
    servers = []
    facts = run_warm("import json, torch\n"
                     "queued = [getattr(c[0], '__qualname__', '') for c in torch.cuda._queued_calls]\n"
                     "print(json.dumps({'armed': 'limit_gpu_memory.<locals>.cap' in queued,\n"
                     "                  'initialized': torch.cuda.is_initialized()}))", tmp_path / "work", config,
                     servers=servers)
    assert facts == {"armed": True, "initialized": False}
    assert servers[0].request(op="ping")["cuda_initialized"] is False


def test_the_grade_table_says_which_device_graded_each_submission(tmp_path, monkeypatch):
    (tmp_path / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    api = pipeline.course_api(tmp_path)
    folder = tmp_path / "autograded" / "ada" / "01_tensors"
    folder.mkdir(parents=True)
    def printed(text, **meta):
        return nbformat.v4.new_code_cell(f"print({text!r})", metadata={"nbgrader": meta},
                                         outputs=[nbformat.v4.new_output("stream", name="stdout", text=text + "\n")])
    nb = nbformat.v4.new_notebook(cells=[printed("computing on cuda", locked=True),
                                         printed("computing on cpu", solution=True)])
    nbformat.write(nb, folder / "01_tensors.ipynb")
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "3")  # what a worker given GPU 3 has
    assert pipeline.graded_device(api, "01_tensors", "ada") == "cuda:3"  # the student's print is not believed
    assert pipeline.device_label("cuda", "1", "2,5") == "cuda:5" and pipeline.device_label("cpu") == "cpu"
    table = pipeline.grade_table([pipeline.Outcome("ada", "01_tensors", True, 1.0, points=12, max_points=15,
                                                   device="cuda:3"),
                                  pipeline.Outcome("ben", "01_tensors", True, 1.0, max_points=15, device="cpu")])
    lines = table.splitlines()
    assert lines[0].split() == ["student", "01_tensors", "device"]
    assert lines[2].split() == ["ada", "12/15", "cuda:3"] and lines[3].split() == ["ben", "0/15", "cpu"]


def test_real_grading_records_the_device_in_the_outcome(tmp_path):
    needs_sandbox()
    (tmp_path / "source").mkdir()
    (tmp_path / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    shutil.copytree(REPO / "source" / "01_tensors", tmp_path / "source" / "01_tensors")
    pipeline.generate(pipeline.course_api(tmp_path), ["01_tensors"])
    pipeline.submit_variant(tmp_path, "01_tensors", "ada", "reference")
    (outcome,) = pipeline.grade(tmp_path, ["01_tensors"], workers=1)
    assert outcome.ok and outcome.device == ("cpu" if not torch.cuda.is_available() else "cuda:0")
