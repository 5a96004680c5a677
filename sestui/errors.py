"""The root of sestui's own errors: the CLI catches this one type at its boundary."""

from __future__ import annotations


class SestuiError(Exception):
    """A failure of ours or of the input, with a message fit for the user (exit 2)."""
