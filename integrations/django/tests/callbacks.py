"""A sweep callback that records what it was called with (PyPI would un-verify)."""

CALLED = []


def record(email, decision):
    CALLED.append((email, decision))
