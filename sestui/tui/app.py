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
from sestui.tui.asked import glyph_column, glyph_key
from sestui.tui.session import (
    MatrixView,
    Session,
    StartAt,
    org_column,
    principal_row,
    region_matrix,
)

__all__ = ["SestuiApp", "StartAt"]
from sestui.tui.findings import (
    Stop,
    allowing_statements,
    explanation,
    finding_stops,
    is_problem,
    statement_key,
    status_style,
)
from sestui.tui.messages import PaneSelected
from sestui.tui.safe_output import install as install_safe_output
from sestui.tui.screens.main import MainScreen
from sestui.tui.widgets.bars import ContextBar, VerdictBar
from sestui.tui.widgets.panes import ListPane, Row
from sestui.tui.widgets.policy_view import PolicyShown, PolicyView
from sestui.tui.workers import DaemonExecutor

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from collections.abc import Callable, Mapping

    from textual.actions import ActionParseResult
    from textual.dom import DOMNode

    from sestui.account import Account, IamPrincipal
    from sestui.account.accountset import AccountSet
    from sestui.decide import Finding, Fix, Outcome, Selection, Verdict
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
        self.verdict: Verdict | None = None
        self._pasted: Selection | None = None  # the selection a pasted denial asked for
        self.shown_selection: Selection | None = None  # the selection the screen now shows
        self._glyph_key: Selection | None = None
        self._keys_state: tuple[bool, bool, str | None] | None = None
        self._want_check: str | None = None  # a jump's check, shown once its verdict lands
        self.stops: tuple[Stop, ...] = ()  # what n/N walk for the verdict on screen
        self.finding_cursor = -1
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
        self._glyph_key = None  # repaint the principal column with the marks
        if self.selection is not None:
            self.recheck()

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
        self._glyph_key = None
        self.main_screen.reset()  # rows, glyphs and marks are the new accounts' from here
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
        self._fill_principals()
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
        if opening.selection is None:
            self._fill_regions(opening.region)
            self.query_one(VerdictBar).show(None, "No IAM users or roles were loaded.")
            return
        self.start = StartAt()
        self.pane("principals").select(opening.selection.principal)
        self._fill_regions(opening.selection.region)
        self._sync_identities()
        self.pane("principals").focus_list()
        self.recheck()

    def _fill_principals(self) -> None:
        assert self.session is not None
        self.main_screen.show_principals(self.session)

    def _fill_regions(self, selected: str | None) -> None:
        assert self.session is not None
        self.main_screen.show_regions(self.session, selected)

    def _checked_identity(self) -> str | None:
        """The identity row that stands for what is checked (see Session.checked_identity)."""
        if self.session is None:
            return None
        return self.session.checked_identity(self.verdict, self.shown_selection)

    def _sync_identities(self) -> None:
        """The identities pane for the selection's region, the identity checked highlighted."""
        assert self.session is not None
        self.main_screen.show_identities(self.session, self._checked_identity())

    # -- selection ------------------------------------------------------------------------------

    @on(PaneSelected)
    def _pane_selected(self, event: PaneSelected) -> None:
        if self.selection is None:
            return
        if event.pane == "checks":
            self._show_check(event.value)
            return
        assert self.session is not None
        sel = self.session.picked(event.pane, event.value)
        if sel is not None:
            self._apply(sel)

    def jump(
        self,
        principal: str | None = None,
        region: str | None = None,
        identity: str | None = None,
        check: str | None = None,
        action: str | None = None,
        path: str | None = None,  # a SendPath value
        session: str | None = None,
    ) -> None:
        """Go to what a palette entry or a matrix cell names: exactly that is checked."""
        if self.session is None:
            return
        sel = self.session.jumped(principal, region, identity, action, path, session)
        if sel is not None:
            self._apply(sel, check)

    def _apply(self, sel: Selection, check: str | None = None, *, pasted: bool = False) -> None:
        """Make `sel` the selection: the lists show it (rows of their own for what the accounts
        lack), and its checks rerun; `check` is shown once the new verdict is in."""
        assert self.session is not None
        old, changed = self.session.apply(sel)
        if pasted:
            # Until the selection changes, its verdict answers a denial (as `sestui explain`).
            self._pasted = self.session.selection
        sel = self.session.selection or sel
        if old is None or sel.principal != old.principal:
            self.pane("principals").select(sel.principal)
        if old is None or sel.region != old.region:
            self._fill_regions(sel.region)
        self._sync_identities()
        if check and changed:
            self._want_check = check
        elif check:
            self.pane("checks").select(check)
            self._show_check(check)
        if check:
            self.pane("checks").focus_list()
        if changed or pasted:  # a paste of what is on screen still reads it as a denial
            self.recheck()

    # -- checks -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False)
    def recheck(self) -> None:
        """Rerun every check for the current selection (superseded runs are cancelled)."""
        accounts, selection = self.accounts, self.selection
        if accounts is None or selection is None:
            return
        from sestui.decide import SelectionError
        from sestui.tui.session import decide

        worker = get_current_worker()
        error = ""
        verdict = None
        try:
            verdict = decide(accounts, selection, pasted=selection is self._pasted)
        except SelectionError as exc:
            error = str(exc)
        if worker.is_cancelled:
            return
        self.call_from_thread(self._show_verdict, selection, verdict, error)

    @work(thread=True, exclusive=True, group="glyphs", exit_on_error=False)
    def glyphs(self, selection: Selection) -> None:
        """Each principal's outcome for the whole request, as if that principal sent it
        (started once the verdict is on screen, so it never competes with that paint)."""
        accounts = self.accounts
        if accounts is None:
            return
        # The caller the selection's identity is named for: from the selection itself, never
        # from what the app shows by the time this thread runs.
        session = self.session
        account = (session.caller_of(selection.principal) if session else None) or (
            accounts.primary
        )
        worker = get_current_worker()
        key = glyph_key(selection)
        total = len(self._principals)

        def progress(done: int, column: dict[str, Outcome]) -> None:
            self.call_from_thread(self._show_glyphs, key, column, f"{done}/{total}")

        column = glyph_column(accounts, account, selection, progress, lambda: worker.is_cancelled)
        if column is not None and not worker.is_cancelled:
            self.call_from_thread(self._show_glyphs, key, column, None)

    def _show_verdict(self, selection: Selection, verdict: Verdict | None, error: str) -> None:
        from sestui.decide import Status

        if selection is not self.selection:
            return  # superseded while it ran
        self.verdict = verdict
        self.shown_selection = selection
        self._sync_identities()  # a From address: highlight the identity it resolved to
        key = glyph_key(selection)
        if key != self._glyph_key:  # the column depends on these only, not on the principal
            self._glyph_key = key
            self.call_after_refresh(self.glyphs, selection)
        if verdict is not None and selection.principal in self._principals:
            # The row of the principal on screen says what its verdict says, at once.
            self._show_glyphs(key, {selection.principal: verdict.outcome}, "")
        self.query_one(ContextBar).show(selection)
        bar = self.query_one(VerdictBar)
        checks = self.pane("checks")
        want, self._want_check = self._want_check, None
        if verdict is None:
            self.stops = ()
            self.finding_cursor = -1
            self._refresh_keys()
            bar.show(None, error or "Choose a principal and an identity.")
            checks.set_rows([])
            self.query_one(PolicyView).show(None, empty=error)
            return
        self.stops = finding_stops(verdict)
        self._refresh_keys()
        bar.show(verdict)
        rows = []
        for c in verdict.checks:
            rows.append(
                Row(
                    c.check_id,
                    Content.assemble(
                        (c.status.glyph, status_style(c.status)),
                        " ",
                        (c.title, "bold" if c.status is Status.FAIL else ""),
                    ),
                    f"{c.check_id} {c.title} {c.summary}",
                )
            )
        ids = [c.check_id for c in verdict.checks]
        if want in ids:
            assert want is not None
            checks.set_rows(rows, want)
            self._show_check(want)
        elif self.stops:
            # A new selection: the pane shows what decides its verdict, never the check that
            # happened to be focused for the previous one.
            checks.set_rows(rows, self.stops[0].check_id)
            self._show_stop(0, only=False)
        else:
            checks.set_rows(rows, ids[0])
            self._show_check(ids[0])

    def _show_glyphs(
        self, key: Selection, column: dict[str, Outcome], progress: str | None
    ) -> None:
        """Each principal's outcome for the request, as a glyph in its row (only the rows whose
        glyph changed are touched: a big account has thousands). `progress` None: the column is
        complete, and a row it lacks has no outcome (its glyph is cleared)."""
        if key != self._glyph_key or self.account is None:
            return  # the request changed while it was computed
        sel = self.selection
        deltas = (
            self.baseline.changed(sel.region, sel.identity)
            if self.baseline is not None and sel is not None and sel.identity
            else {}
        )
        self.main_screen.show_glyphs(self._principals.values(), column, deltas, progress)

    def _show_stop(self, index: int, *, only: bool = True) -> None:
        """Show stop `index` of n/N: only its statement marked, or (`only=False`, landing on a
        new verdict) every statement its check marks in that document."""
        stop = self.stops[index]
        self.pane("checks").select(stop.check_id)
        self._show_check(stop.check_id, stop.finding, cursor=index, only=only)

    def _show_check(
        self,
        check_id: str,
        finding: Finding | None = None,
        *,
        cursor: int | None = None,
        only: bool = False,
    ) -> None:
        """Show a check in the policy pane: the document of its finding (`finding`, else its
        first blamed one) with the statements marked — blamed ▶, allowing ✓ — or, for a check
        without a policy document, its explanation, evidence and fix."""
        self._refresh_keys()
        view = self.query_one(PolicyView)
        if self.verdict is None:
            return
        result = next((c for c in self.verdict.checks if c.check_id == check_id), None)
        if result is None:
            return
        if cursor is None:
            # Landing on a check (list move, [ ]): n/N go on from its first stop.
            cursor = next((i for i, st in enumerate(self.stops) if st.check_id == check_id), -1)
        self.finding_cursor = cursor
        self._show_counter()
        allowing = allowing_statements(self.verdict)
        problem = is_problem(result.status)
        docs = [f for f in result.findings if f.document is not None]
        blamed = [f for f in docs if problem and statement_key(f) not in allowing]
        focus = finding or next(iter(blamed or docs), None)
        if focus is None or focus.document is None:
            view.show_text("no statement to mark: what the check found", explanation(result))
            return
        same = [focus] if only else [f for f in docs if f.document is focus.document]
        allows = tuple(
            dict.fromkeys(
                f.lines for f in same if f.lines is not None and statement_key(f) in allowing
            )
        )
        marks = tuple(
            dict.fromkeys(
                f.lines
                for f in same
                if f.lines is not None and problem and statement_key(f) not in allowing
            )
        )
        tone = "allow" if statement_key(focus) in allowing else "blame" if problem else "info"
        src = focus.document.source
        title = src.describe() + (f" — {src.arn}" if src.arn else "")
        try:
            text = focus.document.policy.text
        except ValueError as exc:
            view.show_text(title, Content(f"{exc}\n\n") + explanation(result))
            return
        note = f"{result.title}: {focus.reason}"
        if self.baseline is not None and self.selection is not None and self.account is not None:
            since = self.baseline.policy_note(
                focus.document,
                self.session.principal(self.selection.principal, self.selection.role)
                if self.session
                else None,
                self.selection.region,
            )
            note += f"\n{since}" if since else f"\nunchanged since {self.baseline.name}"
            if since:
                # Also on the border: below 100 columns the note keeps to two lines.
                view.border_subtitle = (
                    f"{view.border_subtitle or ''} · Δ since {self.baseline.name}"
                )
        view.show(PolicyShown(title, text, marks, note, allows, tone))

    def _show_counter(self) -> None:
        view = self.query_one(PolicyView)
        total = len(self.stops)
        if self.finding_cursor >= 0:
            view.border_subtitle = f"finding {self.finding_cursor + 1} of {total} · n/N"
        else:
            view.border_subtitle = (
                f"{total} finding{'s' if total != 1 else ''} · n" if total else ""
            )

    def _refresh_keys(self) -> None:
        """Re-dim the footer's keys when what they apply to changed (`f`/`c` need a fix, `n`/`N`
        findings). Only then: the footer rebuilds itself on every refresh."""
        state = (self._focused_fix() is not None, bool(self.stops), self._missing_field())
        if state != self._keys_state:
            self._keys_state = state
            self.refresh_bindings()

    def notify_text(self, message: str, **kwargs: Any) -> None:
        """A notification shown as literal text: it may quote names, ARNs or a pasted message."""
        self.notify(message, markup=False, **kwargs)

    def focused_check(self) -> str | None:
        return self.pane("checks").selected

    # -- actions ------------------------------------------------------------------------------

    def action_focus_pane(self, name: str) -> None:
        if name == "policy":
            view = self.query_one(PolicyView)
            # At once (not Widget.focus, after a refresh): the next key may already be queued.
            self.screen.set_focus(
                self.query_one("#policy-text" if view.has_class("-text") else "#policy-scroll")
            )
        else:
            self.pane(name).focus_list()

    def _focused_list(self) -> ListPane | None:
        focused = self.focused
        if focused is None:
            return None
        return next((w for w in focused.ancestors_with_self if isinstance(w, ListPane)), None)

    def action_filter(self) -> None:
        pane = self._focused_list()
        if pane is not None:
            pane.action_filter()

    def action_check(self, step: int) -> None:
        if self.verdict is None:
            return
        ids = [c.check_id for c in self.verdict.checks]
        current = self.focused_check()
        index = ids.index(current) if current in ids else -1
        target = ids[(index + step) % len(ids)]
        self.pane("checks").select(target)
        self._show_check(target)

    def action_finding(self, step: int) -> None:
        if not self.stops:
            self.bell()
            return
        start = self.finding_cursor if self.finding_cursor >= 0 else (-1 if step > 0 else 0)
        self._show_stop((start + step) % len(self.stops))

    def action_toggle_wrap(self) -> None:
        from sestui.tui.widgets.policy_view import PolicyBody

        body = self.query_one(PolicyView).query_one(PolicyBody)
        body.toggle_wrap()
        self.notify("Policy lines wrap" if body.wrap else "Policy lines do not wrap (scroll →)")

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

    def action_verdict_text(self) -> None:
        # Below 100 columns the verdict bar keeps to three lines unless expanded.
        self.query_one(VerdictBar).toggle_class("-expanded")

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
        from sestui.matrix.exact import Cancelled

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

        screen = MatrixScreen(
            view.matrix,
            about,
            title=view.title,
            labels=view.labels,
            by_identity=view.by_identity,
        )
        self.push_screen(screen, chosen)

    def _org_column(self, s: Selection) -> None:
        """Several accounts: who in all of them can send as the identity checked."""
        assert self.accounts is not None
        wanted = self._checked_identity()
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
            self.notify_text(
                f"{parsed.cause}\n{parsed.advice}", title=parsed.kind.title, timeout=15
            )
            return
        session = self.session
        assert session is not None
        try:
            pasted = session.pasted(parsed, text)
        except (SelectionError, ValueError) as exc:
            self.notify_text(f"{str(exc)[:1].upper()}{str(exc)[1:]}.", severity="error")
            return
        self._apply(pasted.selection, pasted=True)
        if pasted.choose_identity:
            self.notify_text(pasted.note, severity="warning", timeout=15)
        else:
            self.notify_text(pasted.note)

    def action_edit_context(self, focus: str = "ctx-from", why: str = "") -> None:
        if self.selection is None:
            return
        from sestui.tui.screens.context import ContextScreen

        def applied(sel: Selection | None) -> None:
            if sel is not None:
                self._apply(sel)

        self.push_screen(ContextScreen(self.selection, focus, why), applied)

    def _missing_field(self) -> str | None:
        """The context editor's field for the unset value an UNDECIDED verdict hangs on."""
        from sestui.decide import Outcome
        from sestui.tui.screens.context import field_for

        if self.verdict is None or self.verdict.outcome is not Outcome.UNDECIDED:
            return None

        return field_for(self.verdict.missing_keys)

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

    def _focused_fix(self) -> Any:
        if self.verdict is None:
            return None
        check_id = self.focused_check()
        result = next((c for c in self.verdict.checks if c.check_id == check_id), None)
        return result.fix if result else None

    def action_fix(self) -> None:
        fix = self._focused_fix()
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
        fix = self._focused_fix()
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
            and self._focused_fix() is None
            and self._missing_field() is None
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
            return action == "focus_pane" or self._focused_list() is not None
        if action == "cancel_work":  # otherwise esc goes on to the dialog or widget
            return len(self.screen_stack) == 1 and bool(self._long_work())
        if action == "set_missing":
            return self._missing_field() == parameters[0]  # False hides it: f is the fix then
        if action == "fix" and self._missing_field() is not None:
            return False  # f sets the unset value first; the fix stays on c
        if action in ("fix", "copy_fix"):
            # Dimmed without a fix, yet still run: the key then says there is none.
            return True if self._focused_fix() is not None else None
        if action == "finding":
            return True if self.stops else None
        if action == "reload":
            return True if not (self.spec.demo and self.account is not None) else None
        return True
