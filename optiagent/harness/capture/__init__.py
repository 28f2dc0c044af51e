"""Workload capture, inside the sandbox: profile every Python process of a workload and record
real calls of the project's functions (pickled arguments and results, value shapes).

`start(anchor_file)` is called by the `sitecustomize.py` that the host writes next to the
project copy; see `process.py` for the environment it reads and the files it writes.
"""

from .process import start

__all__ = ["start"]
