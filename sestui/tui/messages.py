"""Messages the panes post up to the screen ("attributes down, messages up")."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PaneSelected(Message):
    """A list pane's highlighted row changed."""

    pane: str  # principals | identities | regions | checks
    value: str
