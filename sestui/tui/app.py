"""The sestui application: panes for principals, identities, regions, checks and the policy.

Every change of selection or context reruns all checks in a thread worker (superseded runs are
cancelled and never painted); the widgets only render the Verdict the checks compute.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from sestui.sources import AccountSource, SourceSpec, SpecSource
from sestui.tui.session import (
    MatrixView,
    Session,
    StartAt,
    org_column,
    principal_row,
    region_matrix,
)

__all__ = ["SestuiApp", "StartAt"]
from sestui.tui.safe_output import install as install_safe_output
from sestui.tui.screens.main import MainScreen
from sestui.tui.widgets.bars import VerdictBar
from sestui.tui.widgets.panes import ListPane
from sestui.tui.widgets.policy_view import PolicyShown
from sestui.tui.workers import DaemonExecutor

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from collections.abc import Callable, Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from sestui.account import Account, IamPrincipal
    from sestui.account.accountset import AccountSet
    from sestui.decide import Fix, Outcome, Selection, Verdict
    from sestui.explain.parse import ParsedError
    from sestui.matrix.diff import Baseline
    from sestui.progress import Progress

# Worker groups of long work that esc cancels: loads and reloads, and one-off computations.
LONG_WORK = ("load", "work")


def jump_provider() -> Any:
    """The palette's "jump to" provider, imported when the palette first opens."""
    from sestui.tui.commands import JumpProvider

    return JumpProvider


class SestuiApp(App[int]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses find it too
    TITLE = "sestui"
    COMMANDS: ClassVar = App.COMMANDS | {jump_provider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (120, "-full")]
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: q quits from every screen and while work runs (not while typing text).
        Binding("q", "quit_key", "Quit", id="quit", priority=True),
        Binding("escape", "cancel_work", "Cancel work", id="cancel-work", priority=True),
        # Priority: from every screen and dialog too (not in text fields, not on help itself).
        Binding("question_mark", "help", "Help", id="help", priority=True),
        # Priority (handled as the key is read, before the next one is forwarded to the focus):
        # keys that arrive together with a pane key or `/` go where that key sends them.
        # Off in text fields and dialogs (check_action).
        Binding(
            "1", "focus_pane('principals')", "Principals", show=False, id="pane-1", priority=True
        ),
        Binding(
            "2", "focus_pane('identities')", "Identities", show=False, id="pane-2", priority=True
        ),
        Binding("3", "focus_pane('regions')", "Regions", show=False, id="pane-3", priority=True),
        Binding("4", "focus_pane('checks')", "Checks", show=False, id="pane-4", priority=True),
        Binding("5", "focus_pane('policy')", "Policy", show=False, id="pane-5", priority=True),
        Binding("slash", "filter", "Filter", id="filter", priority=True),
        Binding("left_square_bracket", "check(-1)", "Prev check", show=False, id="prev-check"),
        Binding("right_square_bracket", "check(1)", "Next check", show=False, id="next-check"),
        Binding("n", "finding(1)", "Next finding", id="next-finding"),
        Binding("N", "finding(-1)", "Prev finding", show=False, id="prev-finding"),
        Binding("e", "paste_error", "Paste error", id="paste-error"),
        Binding("x", "edit_context", "Context", id="edit-context"),
        Binding("m", "matrix", "Matrix", id="matrix"),
        Binding(
            "M", "sends_as", "Which identities can the principal send as", show=False, id="sends-as"
        ),
        # On an UNDECIDED verdict, f first offers to set the unset value (one binding per field,
        # so the footer names it); otherwise it shows the fix.
        Binding("f", "set_missing('ctx-from')", "Set From", id="set-from"),
        Binding("f", "set_missing('ctx-recipients')", "Set recipients", id="set-recipients"),
        Binding("f", "set_missing('ctx-ip')", "Set source IP", id="set-source-ip"),
        Binding("f", "fix", "Fix", id="fix"),
        Binding("c", "copy_fix", "Copy fix", show=False, id="copy-fix"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("v", "verify", "Verify with AWS", show=False, id="verify"),
        Binding("w", "toggle_wrap", "Wrap lines", show=False, id="toggle-wrap"),
        Binding("t", "verdict_text", "Whole verdict text (narrow)", show=False, id="verdict-text"),
        Binding("z", "zoom", "Zoom the focused pane (z again restores)", show=False, id="zoom"),
        Binding("ctrl+t", "toggle_theme", "Light/dark theme", show=False, id="toggle-theme"),
    ]

    def __init__(
        self,
        spec: SourceSpec,
        start: StartAt | None = None,
        account: Account | AccountSet | None = None,
        baseline: str | None = None,
        source: AccountSource | None = None,
        theme: str | None = None,
    ) -> None:
        install_safe_output()  # before any Content exists: no account text reaches the terminal raw
        super().__init__()
        from sestui.tui.themes import DARK, LIGHT, NO_COLOR, THEMES

        for t in THEMES:
            self.register_theme(t)
        self.dark_theme = (NO_COLOR if self.no_color else DARK).name  # what ctrl+t returns to
        if theme is not None and theme != LIGHT.name:
            self.dark_theme = theme  # --theme: the dark side ctrl+t returns to is the one asked
        self.theme = theme or self.dark_theme
        self.baseline_path = baseline  # an older snapshot to mark differences against
        self._reloading = False  # `r` was pressed: the next load says it reloaded
        self.baseline: Baseline | None = None
        self.source = source or SpecSource(spec)  # what load() and r read; `spec` is its spec
        self.start = start or StartAt()
        # What is loaded and checked (Textual-free; None until a load is in).
        self.session: Session | None = None
        if account is not None:
            from sestui.account.accountset import AccountSet

            self.session = Session(
                account if isinstance(account, AccountSet) else AccountSet((account,))
            )
        self.simulator: Any = None  # stands in for AWS's policy simulator (tests)
        self._main = MainScreen()  # replaced by the one get_default_screen() installs

    @property
    def accounts(self) -> AccountSet | None:
        """Everything loaded (one account or several)."""
        return self.session.accounts if self.session else None

    @property
    def account(self) -> Account | None:
        """The account of the principal checked (the caller)."""
        return self.session.account if self.session else None

    @property
    def selection(self) -> Selection | None:
        return self.session.selection if self.session else None

    @property
    def _principals(self) -> dict[str, IamPrincipal]:
        return self.session.principals if self.session else {}

    @property
    def spec(self) -> SourceSpec:
        """What the app opens, as the source it reads says (one place: a test's source too)."""
        return self.source.spec

    # -- layout ---------------------------------------------------------------------------

    def get_default_screen(self) -> MainScreen:
        """The main screen owns the layout (the panes, the bars, the footer)."""
        self._main = MainScreen(ready=self._main_ready)
        return self._main

    @property
    def default_screen(self) -> Screen[Any]:
        # Textual's default_screen is the screen on top unless the app composes its own
        # widgets: the app's queries must reach the main screen under any dialog.
        return self._main

    def pane(self, name: str) -> ListPane:
        return self.main_screen.pane(name)

    @property
    def main_screen(self) -> MainScreen:
        return self._main

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())

    def _main_ready(self) -> None:
        """The main screen is composed: say what opens, and open it."""
        self.query_one(VerdictBar).show(None, f"Opening {self.spec.describe()}…")
        if self.session is not None:
            self._loaded(self.session.accounts, "")
        else:
            # Paint first, then load: boto3 is imported by the loader, never before the UI shows.
            self.call_after_refresh(self.load)

    # -- loading ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Open the account off the UI thread; boto3 is imported here, after the first paint."""
        source: AccountSource = self.source
        spec = source.spec
        notice = ""
        if spec.live and not source.has_credentials():
            source = SpecSource(SourceSpec(demo=True))
            spec = source.spec
            notice = "No AWS credentials found: showing the bundled demo account."

        def progress(p: Progress) -> None:
            text = (
                f"Reading {spec.describe()}: {p.service}"
                f"{' ' + p.region if p.region else ''} — {p.message}  "
                f"[{p.regions_done}/{p.regions_total} regions, {p.calls} calls]"
            )
            self.call_from_thread(self._status, text)

        accounts = source.open(progress)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._loaded, accounts, notice)

    @work(thread=True, exclusive=True, group="baseline", exit_on_error=False)
    def load_baseline(self, account: Account) -> None:
        """Diff the baseline snapshot against the account (rows and policies get marked)."""
        from sestui.account import SnapshotError, load_snapshot
        from sestui.matrix.diff import Baseline, diff_accounts, other_account

        assert self.baseline_path is not None
        try:
            old = load_snapshot(Path(self.baseline_path))[0]
        except SnapshotError as exc:
            self.call_from_thread(
                self.notify_text, f"Baseline not used: {exc}", severity="error", timeout=10
            )
            return
        refused = other_account(self.baseline_path, old, account)
        if refused:
            # As `sestui diff` refuses it: rows of another account would be compared by name.
            self.call_from_thread(
                self.notify_text, f"Baseline not used: {refused}", severity="error", timeout=10
            )
            return
        found = Baseline(diff_accounts(old, account), Path(self.baseline_path).name)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._baseline_ready, found)

    def _baseline_ready(self, baseline: Baseline) -> None:
        self.baseline = baseline
        n = len(baseline.diff.verdicts)
        self.notify_text(f"Baseline {baseline.name}: {n} verdicts differ (marked Δ)")
        self._main.recheck()  # the principal column gets its Δ marks, the policy its notes

    def _status(self, text: str) -> None:
        status = self.query_one("#status", Static)
        status.update(Content(text))
        status.set_class(bool(text), "-visible")

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.worker.group in LONG_WORK:
            self._long_work_changed(event)
        if event.state is WorkerState.ERROR and event.worker.group == "load":
            self._status("")
            error = event.worker.error
            self.query_one(VerdictBar).show(None, f"Cannot open {self.spec.describe()}: {error}")
            self.notify_text(str(error), title="Load failed", severity="error", timeout=10)
        elif event.state is WorkerState.ERROR and event.worker.group == "baseline":
            error = event.worker.error
            self.notify_text(f"Baseline not used: {error}", severity="error", timeout=10)

    @property
    def multi(self) -> bool:
        """Several accounts loaded: rows are grouped by account, identities keyed by ARN."""
        return self.session is not None and self.session.multi

    def _loaded(self, accounts: AccountSet, notice: str) -> None:
        old = self.session
        self.session = session = Session(accounts)
        if old is not None:
            session.selection = old.selection  # a reload keeps the request's context
        account = accounts.primary
        if self.baseline_path:
            if self.multi:
                self.notify_text(
                    "--baseline compares one account: not used with several accounts loaded.",
                    severity="warning",
                    timeout=10,
                )
            else:
                self.load_baseline(account)
        self._status("")
        if self._reloading:
            self._reloading = False
            # `r`: say it was done (a snapshot or the demo reloads too fast to see it happen).
            principals = sum(len(a.principals) for a in accounts)
            identities = sum(len(r.identities) for a in accounts for r in a.regions.values())
            self.notify_text(
                f"Reloaded {accounts.source or account.source or self.spec.describe()}: "
                f"{principals} principals, {identities} identities.",
                timeout=5,
            )
        if self.multi:
            gaps = sum(len(a.gaps) for a in accounts) + len(accounts.unreadable)
            where = f"{len(accounts)} accounts"
            if accounts.unreadable:
                where += f" ({len(accounts.unreadable)} not readable)"
        else:
            gaps = len(account.gaps)
            where = f"account {account.account_id}"
        self.query_one("#title", Static).update(
            Content(
                f"sestui — {accounts.source or account.source or self.spec.describe()} · "
                f"{where}{f' · {gaps} read gaps' if gaps else ''}"
            )
        )
        if notice:
            self.notify_text(notice, timeout=8)
        # What the start flags (or a reload) name is what is checked, found or not: a name the
        # accounts lack is said out loud (the verdict bar and a notification), never replaced.
        opening = session.opening(self.start)
        if opening.problems:
            self.notify_text(
                "\n".join(opening.problems),
                title="Not in the accounts loaded" if self.multi else "Not in this account",
                severity="error",
                timeout=20,
            )
        if opening.selection is not None:
            self.start = StartAt()
        # Rows, glyphs and marks are the new accounts' from here; the opening is checked.
        self.main_screen.opened(session, opening)

    def notify_text(self, message: str, **kwargs: Any) -> None:
        """A notification shown as literal text: it may quote names, ARNs or a pasted message."""
        self.notify(message, markup=False, **kwargs)

    # -- the main screen's state, as the app's (dialogs and tests read it here) ---------------

    @property
    def verdict(self) -> Verdict | None:
        """The verdict on screen."""
        return self._main.verdict

    @property
    def shown_selection(self) -> Selection | None:
        return self._main.shown_selection

    def focused_check(self) -> str | None:
        return self._main.focused_check()

    def jump(self, **target: str | None) -> None:
        """Go to what a palette entry or a matrix cell names (MainScreen.jump)."""
        self._main.jump(**target)

    # The main screen's keys are bound here (the help lists the app's bindings); they act there.

    def action_focus_pane(self, name: str) -> None:
        self._main.action_focus_pane(name)

    def action_filter(self) -> None:
        self._main.action_filter()

    def action_check(self, step: int) -> None:
        self._main.action_check(step)

    def action_finding(self, step: int) -> None:
        self._main.action_finding(step)

    def action_toggle_wrap(self) -> None:
        self._main.action_toggle_wrap()

    def action_verdict_text(self) -> None:
        self._main.action_verdict_text()

    def action_zoom(self) -> None:
        """The focused pane fills the screen; z (or esc) again restores the layout."""
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        elif screen.focused is None or not screen.maximize(screen.focused):
            self.bell()

    def action_toggle_theme(self) -> None:
        from sestui.tui.themes import LIGHT

        self.theme = LIGHT.name if self.current_theme.dark else self.dark_theme
        self.notify_text(f"Theme: {self.theme} (the palette, ctrl+p, offers every theme)")

    def action_help(self) -> None:
        from sestui.tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def action_matrix(self) -> None:
        if self.account is None or self.selection is None:
            return
        s = self.selection
        if self.multi:
            self._org_column(s)
            return
        self._status(f"Working out who can send in {s.region}… (esc cancels)")
        account = self.account
        self.matrix_work(lambda cancelled: region_matrix(account, s, cancelled), s)

    @work(thread=True, exclusive=True, group="work", name="the matrix", exit_on_error=False)
    def matrix_work(
        self, compute: Callable[[Callable[[], bool]], MatrixView], s: Selection
    ) -> None:
        """One matrix view, computed off the UI thread (esc cancels it: `compute` polls)."""
        from sestui.decide import SelectionError
        from sestui.matrix.exact import Cancelled, unapplied

        worker = get_current_worker()
        try:
            view = compute(lambda: worker.is_cancelled)
        except Cancelled:
            return
        except SelectionError as exc:
            if not worker.is_cancelled:
                self.call_from_thread(self._work_notice, worker, str(exc))
            return
        about = f"via {s.path.value} · {', '.join(s.effective_actions)}"
        # Each cell is an identity's own default send: say what of the request it leaves out
        # (an opened cell is checked with it).
        left_out = [f.removeprefix("--") for f in unapplied(s)]
        if left_out or s.from_address:
            named = ", ".join([*(["from"] if s.from_address else []), *left_out])
            about += f" · each identity's own default send (not applied: {named})"
        if not worker.is_cancelled:
            self.call_from_thread(self._show_matrix, worker, view, about)

    def _show_matrix(self, worker: Worker[None], view: MatrixView, about: str) -> None:
        if worker.is_cancelled:
            return  # esc came after the last poll: never show cancelled work
        from sestui.tui.screens.matrix import MatrixScreen

        def chosen(cell: tuple[str, str] | None) -> None:
            if cell and self.account is not None:
                # As the current caller names it: jump re-expresses it for the new principal.
                self.jump(principal=cell[0], identity=cell[1])  # jump names it as the caller

        sel, session = self.selection, self.session
        found = session.principal(sel.principal, sel.role) if sel and session else None
        screen = MatrixScreen(
            view.matrix,
            about,
            title=view.title,
            labels=view.labels,
            by_identity=view.by_identity,
            start=(found.arn if found else None, self._main.checked_identity()),
        )
        self.push_screen(screen, chosen)

    def _org_column(self, s: Selection) -> None:
        """Several accounts: who in all of them can send as the identity checked."""
        assert self.accounts is not None
        wanted = self._main.checked_identity()
        found = self.accounts.identity_owner(wanted) if wanted else None
        if found is None or found[1] is None:
            self.notify_text(
                f"{wanted} is not an identity in {s.region}: no one can send as it."
                if wanted
                else "Choose an identity first (the matrix answers who can send as it).",
                severity="warning",
            )
            return
        owner, identity = found[0], found[1]
        self._status(f"Working out who can send as {identity.name}… (esc cancels)")
        accounts, name = self.accounts, identity.name
        self.matrix_work(lambda cancelled: org_column(accounts, s, owner, name, cancelled), s)

    def action_sends_as(self) -> None:
        """As which identities (of every loaded account) the principal checked can send."""
        if self.accounts is None or self.account is None or self.selection is None:
            return
        s = self.selection
        p = self._principals.get(s.principal)
        if p is None:
            self.notify_text(f"{s.principal} is not a loaded principal.", severity="warning")
            return
        self._status(f"Working out as which identities {p.name} can send… (esc cancels)")
        accounts, caller = self.accounts, self.account
        self.matrix_work(lambda cancelled: principal_row(accounts, s, caller, p), s)

    def action_paste_error(self) -> None:
        from sestui.tui.screens.paste_error import PasteErrorScreen

        self.push_screen(PasteErrorScreen(), self._explain)

    def _explain(self, text: str | None) -> None:
        """Check the send a pasted error describes, mapped to a selection as `sestui explain`
        maps it: its principal, region, action, and its identity (a configuration set: the
        identity whose default set it is). What the account lacks is checked and shown as
        such, never swapped for a row that happens to exist."""
        if not text or self.account is None or self.selection is None:
            return
        self._status("Reading the pasted error… (esc cancels)")
        self.explain_work(text)

    @work(thread=True, exclusive=True, group="work", name="reading the error", exit_on_error=False)
    def explain_work(self, text: str) -> None:
        from sestui.explain.parse import parse_error

        worker = get_current_worker()
        parsed = parse_error(text)
        if not worker.is_cancelled:
            self.call_from_thread(self._explained, worker, parsed, text)

    def _explained(self, worker: Worker[None], parsed: ParsedError, text: str) -> None:
        if worker.is_cancelled or self.account is None or self.selection is None:
            return
        from sestui.decide import SelectionError
        from sestui.explain.parse import ErrorKind

        if parsed.kind is not ErrorKind.ACCESS_DENIED:
            self._paste_again(text, self._not_a_denial(parsed), error=False)
            return
        session = self.session
        assert session is not None
        try:
            pasted = session.pasted(parsed, text)
        except (SelectionError, ValueError) as exc:
            self._paste_again(text, f"✗ {str(exc)[:1].upper()}{str(exc)[1:]}.")
            return
        self._main.apply(pasted.selection, pasted=True)
        if pasted.choose_identity:
            self.notify_text(pasted.note, severity="warning", timeout=15)
        else:
            self.notify_text(pasted.note)

    def _paste_again(self, text: str, message: str, *, error: bool = True) -> None:
        """The paste dialog again, with what was pasted and why it was not checked (or what the
        error means): on screen until esc, the text there to correct."""
        from sestui.tui.screens.paste_error import PasteErrorScreen

        self.push_screen(PasteErrorScreen(text, message, error=error), self._explain)

    def _not_a_denial(self, parsed: ParsedError) -> str:
        """What an error that is no access denial means, as `sestui explain` says it: the
        identities and region it names, and where the loaded accounts verify them."""
        from sestui.explain.resolve import where_verified

        lines = [f"{parsed.kind.title}: {parsed.cause}"]
        if parsed.named_identities:
            lines.append(parsed.named_identities)
        if parsed.region and self.accounts is not None:
            lines += where_verified(self.accounts, parsed.region, parsed.identities)
        lines.append(f"what to do: {parsed.advice}")
        return "\n".join(lines)

    def action_edit_context(self, focus: str = "ctx-from", why: str = "") -> None:
        if self.selection is None:
            return
        from sestui.tui.screens.context import ContextScreen

        def applied(sel: Selection | None) -> None:
            if sel is not None:
                self._main.apply(sel)

        self.push_screen(ContextScreen(self.selection, focus, why), applied)

    def action_set_missing(self, field: str) -> None:
        keys = ", ".join(self.verdict.missing_keys) if self.verdict else ""
        why = (
            f"The verdict is undecided: it hangs on {keys}, left unset. Set it below "
            "(then ctrl+s) and the checks run again."
            if keys
            else ""
        )
        self.action_edit_context(field, why)

    def _owner(self, selection: Selection) -> Account | None:
        return self.session.owner(selection) if self.session else None

    def action_fix(self) -> None:
        fix = self._main.focused_fix()
        if fix is None or self.account is None or self.selection is None:
            self.notify_text("The focused check has no suggested fix.", severity="warning")
            return
        original = None
        if fix.replaces is not None:
            src = fix.replaces.source
            original = PolicyShown(src.describe(), fix.replaces.policy.text)
        self._status("Checking the send with the fix… (esc cancels)")
        self.fix_work(self.account, self.selection, fix, original)

    @work(thread=True, exclusive=True, group="work", name="the fix check", exit_on_error=False)
    def fix_work(
        self, account: Account, selection: Selection, fix: Fix, original: PolicyShown | None
    ) -> None:
        from sestui.decide import Overrides
        from sestui.decide.decision import outcome_of

        worker = get_current_worker()
        after = outcome_of(account, selection, Overrides().with_fix(fix), self._owner(selection))
        from sestui.report.commands import CommandUnavailable, fix_command
        from sestui.verdict.analysis import find_principal

        command, why = None, ""
        try:
            who = find_principal(account, selection)
            command = fix_command(fix, account, who, selection.region)
        except CommandUnavailable as exc:
            why = str(exc)
        if not worker.is_cancelled:
            self.call_from_thread(self._show_fix, worker, fix, original, after, command, why)

    def _show_fix(
        self,
        worker: Worker[None],
        fix: Fix,
        original: PolicyShown | None,
        after: Outcome,
        command: str | None,
        why: str,
    ) -> None:
        if worker.is_cancelled:
            return
        from sestui.tui.screens.fix import FixScreen

        self.push_screen(FixScreen(fix, original, after, command, why))

    def action_copy_fix(self) -> None:
        fix = self._main.focused_fix()
        if fix is None:
            self.notify_text("The focused check has no suggested fix.", severity="warning")
            return
        self.copy_to_clipboard(fix.text())
        self.notify_text("Fix copied to the clipboard (OSC 52)")

    def action_reload(self) -> None:
        if self.selection is not None:
            self.start = StartAt(
                self.selection.principal,
                self.selection.region,
                self.selection.from_address,
                self.selection.identity,
            )
        self.query_one(VerdictBar).show(None, f"Reloading {self.spec.describe()}… (esc cancels)")
        self._reloading = True
        self.load()

    def action_verify(self) -> None:
        """Ask AWS's policy simulator about the send on screen (in a worker; shown in a modal)."""
        if self.account is None or self.verdict is None or self.shown_selection is None:
            self.notify_text("Nothing to verify yet.", severity="warning")
            return
        from sestui.report.verdict import describe_selection
        from sestui.tui.screens.verify import VerifyScreen

        sel = self.shown_selection
        who = sel.principal.rsplit("/", 1)[-1]
        screen = VerifyScreen(self.verdict.outcome, describe_selection(sel, who))
        self.push_screen(screen)
        self.verify(screen, self.account, sel)

    @work(thread=True, exclusive=True, group="verify", exit_on_error=False)
    def verify(self, screen: Any, account: Account, selection: Selection) -> None:
        from sestui.tui.screens.verify import run_verify

        result = run_verify(self.spec, account, selection, self.simulator, self._owner(selection))
        if not get_current_worker().is_cancelled:
            self.call_from_thread(screen.show, result)

    # -- long work: esc cancels it, its result is never shown -------------------------------

    def _long_work(self) -> list[Worker[Any]]:
        """Long work still running and not cancelled."""
        return [
            w
            for w in self.workers
            if w.group in LONG_WORK
            and w.state in (WorkerState.PENDING, WorkerState.RUNNING)
            and not w.is_cancelled
        ]

    def _long_work_changed(self, event: Worker.StateChanged) -> None:
        self.refresh_bindings()  # esc shows in the footer only while there is work to cancel
        if event.worker.group == "work" and not self._long_work():
            self._status("")
        if event.state is WorkerState.ERROR and event.worker.group == "work":
            self.notify_text(
                f"{event.worker.name} failed: {event.worker.error}", severity="error", timeout=10
            )

    def _work_notice(self, worker: Worker[None], text: str) -> None:
        if not worker.is_cancelled:
            self.notify_text(text, severity="warning")

    def action_cancel_work(self) -> None:
        for w in self._long_work():
            w.cancel()  # threads poll this; whatever they still return is dropped
            what = "loading" if w.group == "load" else w.name
            self.notify_text(f"Cancelled {what}.", timeout=4)
            if w.group == "load":
                self.query_one(VerdictBar).show(
                    self.verdict,
                    "Loading cancelled: r loads again."
                    if self.account is None
                    else "Reload cancelled: still showing what was read before.",
                )
        self._status("")
        self.refresh_bindings()

    async def action_quit_key(self) -> None:
        await self.action_quit()

    async def run_action(
        self,
        action: str | ActionParseResult,
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        # f / c are dimmed in the footer without a fix, and Textual then skips them silently:
        # the key still says why nothing happens.
        if (
            action in ("fix", "copy_fix")
            and self.verdict is not None
            and self._main.focused_fix() is None
            and self._main.missing_field() is None
        ):
            self.notify_text("The focused check has no suggested fix.", severity="warning")
            return True
        return await super().run_action(action, default_namespace, namespaces)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit_key":  # in a text field q is a letter (ctrl+q still quits)
            return not isinstance(self.focused, Input | TextArea)
        if action == "help":
            from sestui.tui.screens.help import HelpScreen

            on_help = isinstance(self.screen, HelpScreen)  # there ? closes it
            return not on_help and not isinstance(self.focused, Input | TextArea)
        if action in ("focus_pane", "filter"):  # priority keys of the main screen's panes
            if isinstance(self.focused, Input | TextArea) or self.screen is not self._main:
                return False
            return action == "focus_pane" or self._main.focused_list() is not None
        if action == "cancel_work":  # otherwise esc goes on to the dialog or widget
            return len(self.screen_stack) == 1 and bool(self._long_work())
        if action == "set_missing":
            return self._main.missing_field() == parameters[0]  # False hides it: f is the fix then
        if action == "fix" and self._main.missing_field() is not None:
            return False  # f sets the unset value first; the fix stays on c
        if action in ("fix", "copy_fix"):
            # Dimmed without a fix, yet still run: the key then says there is none.
            return True if self._main.focused_fix() is not None else None
        if action == "finding":
            return True if self._main.stops else None
        if action == "reload":
            return True if not (self.spec.demo and self.account is not None) else None
        return True
