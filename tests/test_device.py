"""Device choice and device-independent random inputs."""
import torch

from dlcourse import device


def test_environment_variable_overrides_the_device(monkeypatch):
    monkeypatch.setenv(device.ENV_VAR, "cpu")
    assert device.get_device() == torch.device("cpu")
    monkeypatch.setenv(device.ENV_VAR, "meta")
    assert device.get_device() == torch.device("meta")


def test_default_is_cuda_only_when_available(monkeypatch):
    monkeypatch.delenv(device.ENV_VAR, raising=False)
    assert device.get_device().type == ("cuda" if torch.cuda.is_available() else "cpu")


def test_random_inputs_come_from_a_seeded_cpu_generator():
    a = device.randn(3, 4, seed=7, device="cpu")
    b = torch.randn(3, 4, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    assert a.dtype == torch.float64 and torch.equal(a, b)
    torch.rand(10)  # the global generator does not matter
    assert torch.equal(device.randn(3, 4, seed=7, device="cpu"), a)


def test_exact_math_turns_tf32_off_and_restores_it():
    torch.backends.cuda.matmul.allow_tf32 = True
    with device.exact_math():
        assert not torch.backends.cuda.matmul.allow_tf32 and not torch.backends.cudnn.allow_tf32
    assert torch.backends.cuda.matmul.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
