"""Messages the panes post up to the screen ("attributes down, messages up")."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PaneSelected(Message):
    """A list pane's highlighted row changed."""

    pane: str  # principals | identities | regions | checks
    value: str


@dataclass
class JumpTo(Message):
    """Select this principal / identity / region (from the matrix, the palette, a pasted error)."""

    principal: str | None = None
    region: str | None = None
    identity: str | None = None
    check: str | None = None
