"""The main screen: the title and status lines, the verdict and context bars, the five panes and
the footer. The app makes it its default screen and renders into it what the session decides;
dialogs are pushed over it."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from sestui.tui.widgets.bars import ContextBar, VerdictBar
from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.panes import ListPane
from sestui.tui.widgets.policy_view import PolicyView

# The panes, in the order the 1–5 keys focus them.
PANES = ("principals", "identities", "regions", "checks", "policy")


class MainScreen(Screen[None]):
    def __init__(self, ready: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._ready = ready  # called once the panes exist (the app opens the account then)

    def on_mount(self) -> None:
        if self._ready is not None:
            self._ready()

    def compose(self) -> ComposeResult:
        yield Static(Content("sestui — loading…"), id="title", markup=False)
        yield Static(id="status", markup=False)
        yield VerdictBar(id="verdict")
        yield ContextBar(id="context")
        with Horizontal(id="main"):
            with Vertical(id="lists"):
                yield ListPane("principals", "1 Principals", id="principals")
                yield ListPane("identities", "2 Identities", id="identities")
                yield ListPane("regions", "3 Regions", id="regions")
            with Horizontal(id="right"):
                yield ListPane("checks", "4 Checks", id="checks")
                yield PolicyView(id="policy", title="5 Policy")
        yield KeysFooter()

    def pane(self, name: str) -> ListPane:
        """One of the four list panes, by name."""
        return self.query_one(f"#{name}", ListPane)
