"""optiagent: makes Python code faster and proves the faster code is still correct."""

__version__ = "0.1.0"
