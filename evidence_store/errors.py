"""Sanad's one error hierarchy: whatever a user should read as one clear line derives from ``SanadError``.

It lives in the lowest package so that ``evidence_store``, ``verify`` and ``flows`` share it. The command
line turns a ``SanadError`` into one error line; any other exception is a bug and keeps its traceback.
"""


class SanadError(Exception):
    """An expected failure: its message names what was wrong, for the person who gave the input."""


class InvalidInput(SanadError, ValueError):
    """An input, a file or a setting that Sanad cannot use."""
