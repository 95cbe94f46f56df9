"""The course's JupyterHub for a class on one machine: Unix accounts from the roster, the hub and its folders."""
