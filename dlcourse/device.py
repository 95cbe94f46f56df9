"""Which device to compute on, and random inputs that are the same on every device."""
import contextlib
import os

import torch

ENV_VAR = "DLCOURSE_DEVICE"


def get_device() -> torch.device:
    """CUDA when available, else CPU; the environment variable DLCOURSE_DEVICE overrides."""
    name = os.environ.get(ENV_VAR, "").strip()
    if name:
        return torch.device(name)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def generator(seed: int) -> torch.Generator:
    """A CPU generator seeded with `seed`: draw from it, then move the tensor to the device."""
    return torch.Generator(device="cpu").manual_seed(seed)


def randn(*shape, seed: int, dtype=torch.float64, device=None) -> torch.Tensor:
    """Standard-normal tensor drawn on the CPU from `seed`, then moved to `device`."""
    x = torch.randn(*shape, generator=generator(seed), dtype=dtype)
    return x.to(device if device is not None else get_device())


@contextlib.contextmanager
def exact_math():
    """Turn TF32 off (matmul and cuDNN) for the duration of a check."""
    old = (torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old
