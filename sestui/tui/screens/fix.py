"""`f`: the suggested fix beside the policy it changes, and what the verdict becomes with it."""

from __future__ import annotations

import json

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sestui.checks import Fix, FixKind, Outcome
from sestui.tui.widgets.policy_view import PolicyShown, PolicyView


class FixScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    FixScreen { align: center middle; }
    FixScreen > Vertical { width: 98%; height: 95%; border: round $accent; background: $surface; }
    FixScreen #fix-title { height: auto; padding: 0 1; }
    FixScreen Horizontal { height: 1fr; }
    FixScreen PolicyView { width: 1fr; }
    """
    BINDINGS = [
        Binding("escape,f", "close", "Close", id="close-fix"),
        Binding("c", "copy", "Copy policy", id="copy-fix-modal"),
        Binding("x", "copy_command", "Copy as command", id="copy-fix-command"),
    ]

    def __init__(
        self,
        fix: Fix,
        original: PolicyShown | None,
        after: Outcome | None,
        command: str | None = None,
        no_command: str = "",
    ) -> None:
        super().__init__()
        self.fix = fix
        self.original = original
        self.after = after
        self.command = command  # the AWS CLI command that applies the fix (never run here)
        self.no_command = no_command  # why there is none

    def compose(self) -> ComposeResult:
        verdict = (
            f" — with this fix the send would be {self.after.value.upper()}" if self.after else ""
        )
        with Vertical():
            yield Static(
                Content.assemble(
                    (self.fix.title, "bold"),
                    verdict,
                    "\n",
                    (
                        self.fix.note
                        or "Never applied by sestui: copy it with c (or as an AWS CLI command "
                        "with x) and apply it yourself.",
                        "$text-muted",
                    ),
                ),
                id="fix-title",
            )
            with Horizontal():
                yield PolicyView(id="fix-before", title="Now")
                yield PolicyView(id="fix-after", title="Suggested")

    def on_mount(self) -> None:
        before = self.query_one("#fix-before", PolicyView)
        if self.fix.kind is FixKind.ADD_IDENTITY_POLICY:
            before.show(None, empty="(a new policy: nothing to replace)")
        else:
            before.show(self.original)
        title = (
            "new inline policy"
            if self.fix.kind is FixKind.ADD_IDENTITY_POLICY
            else f"replaces {self.fix.replaces.source.describe()}"
            if self.fix.replaces
            else ""
        )
        self.query_one("#fix-after", PolicyView).show(
            PolicyShown(title, json.dumps(self.fix.document, indent=2))
        )

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.fix.text())
        self.notify("Fix copied to the clipboard (OSC 52)", markup=False)

    def action_copy_command(self) -> None:
        if self.command is None:
            self.notify(
                f"No command for this fix: {self.no_command}", severity="warning", markup=False
            )
            return
        self.app.copy_to_clipboard(self.command)
        self.notify("AWS CLI command copied to the clipboard (OSC 52)", markup=False)

    def action_close(self) -> None:
        self.dismiss(None)
