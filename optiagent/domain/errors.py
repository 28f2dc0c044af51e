"""Exceptions for outages and bad input; expected outcomes are values, not exceptions."""


class InputError(Exception):
    """Bad user input, with a message a person can act on."""


class ConfigError(Exception):
    """Invalid configuration."""
