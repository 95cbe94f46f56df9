"""OS isolation for student code: bubblewrap, kernels inside it, the warm fork server (no nbgrader here)."""
