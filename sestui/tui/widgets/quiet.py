"""Updating a Static only when what it shows changes."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static


def set_content(static: Static, content: Content) -> None:
    """`static.update(content)` unless it already shows exactly that (text and styles).

    Every update of an auto-sized Static asks for a new layout of the screen: on a selection
    change the context bar and the policy header mostly show what they showed, and those
    layouts were a good part of the time to the next frame. (Content's own == compares the
    text only, not its styles.)"""
    shown = static.content
    if isinstance(shown, Content) and shown.plain == content.plain and shown.spans == content.spans:
        return
    static.update(content)
