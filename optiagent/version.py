"""The version of optiagent, written only here (the wheel's metadata reads it: pyproject.toml)."""

__version__ = "0.1.0"
