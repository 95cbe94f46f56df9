"""nbgrader configured for safe grading: which preprocessors autograde runs, how kernels start; its HTML pages offline."""
from pathlib import Path

from ..isolation.bwrap import require
from .execute import GuardedExecute
from .feedback import offline_templates
from .metadata import CheckCellMetadata
from .restore import RestoreLockedCells


def configure(config, sandbox=True, hidden=(), check=True):
    """Set up a traitlets Config for guarded grading, in the sandbox unless `sandbox` is False.

    With `check`, raises SandboxUnavailable at once when the sandbox is asked for and bubblewrap
    cannot provide it (without, the kernel refuses to start later, when grading begins).
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )
    if sandbox and check:
        require()
    config.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells,
                                               RestoreLockedCells, CheckCellMetadata]
    config.Autograde.autograde_preprocessors = [GuardedExecute, IgnorePattern, ClearMetadataPreprocessor,
                                                LimitOutput, SaveAutoGrades, AssignLatePenalties,
                                                CheckCellMetadata]
    config.GuardedExecute.sandbox = bool(sandbox)
    config.SandboxKernelManager.hidden_paths = sorted({str(Path(p).resolve()) for p in hidden})
    return offline_templates(config)  # the formgrader's pages load nothing from a CDN
