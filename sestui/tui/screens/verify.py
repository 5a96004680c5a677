"""`v`: AWS's policy simulator on the shown send, beside sestui's verdict (agreement in one line,
a disagreement as the headline with both reasons, or why it could not verify)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from sestui.tui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from sestui.account import Account
    from sestui.aws.simulate import Simulator
    from sestui.decide import Outcome, Selection
    from sestui.decide.verify import VerifyResult
    from sestui.sources import SourceSpec

HEADLINE_STYLE = {  # by VerifyStatus value
    "agrees": "bold $success",
    "disagrees": "bold $error",
    "unverified": "bold $warning",
}


def run_verify(
    spec: SourceSpec,
    account: Account,
    selection: Selection,
    simulator: Simulator | None = None,
    owner: Account | None = None,
) -> VerifyResult:
    """Ask the simulator (blocking: call it from a thread worker); never raises."""
    from sestui.decide.verify import unverified
    from sestui.verdict.analysis import analyze

    if spec.demo:
        return unverified("the demo account is not a real AWS account")
    try:
        from sestui.aws.simulate import verify

        return verify(
            analyze(account, selection, owner=owner),
            spec.profile,
            simulator=simulator,
            source=account.source,
        )
    except Exception as exc:  # the screen must say why, not hang on "asking…"
        return unverified(f"{type(exc).__name__}: {exc}")


class VerifyScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    VerifyScreen { align: center middle; }
    VerifyScreen > VerticalScroll { width: 96%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1; }
    """
    BINDINGS = [Binding("escape,v", "close", "Close", id="close-verify")]  # q quits, as everywhere

    def __init__(self, outcome: Outcome, what: str) -> None:
        super().__init__()
        self.outcome = outcome
        self.what = what
        self.result: VerifyResult | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(self._body(), id="verify-body", markup=False)
        yield KeysFooter()  # its own keys (esc, v), not the main screen's

    def _body(self) -> Content:
        title = Content.assemble(
            ("AWS's policy simulator", "bold"),
            (f" — sestui says {self.outcome.value.upper()} · {self.what}", "$text-muted"),
        )
        if self.result is None:
            return Content.assemble(title, "\n\nAsking iam:SimulatePrincipalPolicy (read-only)…")
        from sestui.decide.verify import VerifyStatus
        from sestui.report.verdict import plain, verify_lines

        r = self.result
        lines = [title, Content(""), Content.styled(r.headline, HEADLINE_STYLE[r.status.value])]
        # The same lines as `sestui check --verify -v`, minus the headline shown above.
        body = verify_lines(r, verbose=True)
        lines += [Content(text) for text in map(plain, body[1:]) if text.strip()]
        if r.status is VerifyStatus.DISAGREES:
            lines.append(
                Content.styled(
                    "With this disagreement the send is undecided (check --verify exits 3)",
                    "$warning",
                )
            )
        return Content("\n").join(lines)

    def show(self, result: VerifyResult) -> None:
        self.result = result
        self.query_one("#verify-body", Static).update(self._body())

    def action_close(self, *_: Any) -> None:
        self.dismiss(None)
