"""The deep-learning course's package. Its map, one line per file, opens docs/developers.md.

- the student-side runtime that kernels import: ``device``, ``checks``, ``properties``, ``rules``,
  ``plots``, ``checklog``, ``i18n`` (they import nothing else of dlcourse);
- ``lectures``: the ipywidgets demos; ``notebook``: notebooks read, never run;
- ``isolation``: bubblewrap, sandboxed kernels and the warm fork server;
- ``grading``: autograding with nbgrader, from one submission to a class;
- ``tools``: the mutation audit and the GPU parity check; ``hub``: the course's JupyterHub for a
  class; ``__main__``: the command line.
"""

__version__ = "0.1.0"
