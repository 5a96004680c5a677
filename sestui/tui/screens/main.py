"""The main screen: the panes, the verdict and context bars and the footer, and everything about
showing a selection's verdict. The app makes it its default screen and keeps the loading, the
dialogs and the long work; dialogs are pushed over this screen.

Two reactives drive it: `selection` (what is asked; its watcher makes the lists follow and runs
the checks in a worker) and `checked` (a selection with its verdict or the reason there is none;
its watcher draws the bars, the checks and the policy). Nothing else reruns the checks, and a
verdict is only drawn for the selection it was computed for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static
from textual.worker import get_current_worker

from sestui.tui.asked import glyph_column, glyph_key
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
from sestui.tui.widgets.bars import ContextBar, VerdictBar
from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.panes import ListPane, Row
from sestui.tui.widgets.policy_view import PolicyShown, PolicyView
from sestui.tui.widgets.rows import (
    NOT_VERIFIED,
    account_header,
    identity_rows,
    principal_prompt,
)

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import IamPrincipal
    from sestui.decide import CheckResult, Finding, Fix, Outcome, Selection, Verdict
    from sestui.tui.app import SestuiApp
    from sestui.tui.session import Opening, Session

# The panes, in the order the 1–5 keys focus them.
PANES = ("principals", "identities", "regions", "checks", "policy")

# How long a new selection holds the screen's paint for its verdict, at most (seconds).
HOLD_PAINT = 0.08


@dataclass(frozen=True)
class Checked:
    """A selection and what its checks gave: the verdict, or (None) the reason there is none."""

    selection: Selection
    verdict: Verdict | None
    error: str = ""


class MainScreen(Screen[None]):
    # The principals list (the first list), never a pane's hidden filter field.
    AUTO_FOCUS = "OptionList"

    # What is asked. Set it (apply, jump, a pane's row) and the lists follow and the checks rerun
    # (always: a paste of the selection on screen reads it again as a denial).
    selection: var[Selection | None] = var(None, always_update=True, init=False)
    # What the screen shows: set only by the checks' worker, for the selection it ran for.
    checked: var[Checked | None] = var(None, always_update=True, init=False)

    def __init__(self, ready: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._ready = ready  # called once the panes exist (the app opens the account then)
        self.reset()

    def reset(self) -> None:
        """Forget what the lists and the bars show (a load or reload brings new accounts)."""
        self._glyphs: dict[str, Outcome | None] = {}  # principal ARN -> its row's glyph
        self._deltas: dict[str, bool] = {}  # principal ARN -> Δ shown in its row
        self._identity_rows: tuple[object, ...] | None = None  # what the identities pane shows
        self._extra_identity: tuple[str, str | None] = ("", None)  # (region, name not in it)
        self._region_rows: str | None = None  # the region the regions pane highlights
        self._glyph_key: Selection | None = None  # the request the principal glyphs are for
        self._keys_state: tuple[bool, bool, str | None] | None = None
        self._want_check: str | None = None  # a jump's check, shown once its verdict lands
        self._pasted: Selection | None = None  # the selection a pasted denial asked for
        self.stops: tuple[Stop, ...] = ()  # what n/N walk for the verdict on screen
        self.finding_cursor = -1
        self._holding: Timer | None = None  # the paint held for a verdict (see _hold_paint)

    def on_mount(self) -> None:
        for name in ("principals", "identities", "regions"):
            self.pane(name).moving = self._hold_paint
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

    @property
    def sestui(self) -> SestuiApp:
        return cast("SestuiApp", self.app)

    @property
    def session(self) -> Session | None:
        return self.sestui.session

    @property
    def verdict(self) -> Verdict | None:
        """The verdict on screen (None while there is none, or the checks failed)."""
        return self.checked.verdict if self.checked is not None else None

    @property
    def shown_selection(self) -> Selection | None:
        """The selection the verdict on screen is for."""
        return self.checked.selection if self.checked is not None else None

    def pane(self, name: str) -> ListPane:
        """One of the four list panes, by name."""
        return self.query_one(f"#{name}", ListPane)

    # -- opening, and changes of selection -------------------------------------------------

    def opened(self, session: Session, opening: Opening) -> None:
        """A load is in: the lists show the new accounts, and what it opens on is checked."""
        self.reset()
        self._show_principals(session)
        if opening.selection is None:
            self._show_regions(session, opening.region)
            self.query_one(VerdictBar).show(None, "No IAM users or roles were loaded.")
            return
        self.pane("principals").select(opening.selection.principal)
        self.pane("principals").focus_list()
        self.selection = opening.selection

    def apply(self, sel: Selection, check: str | None = None, *, pasted: bool = False) -> None:
        """Make `sel` the selection (rows of their own for what the accounts lack); `check` is
        shown once the new verdict is in. A pasted denial is read as one until it changes."""
        session = self.session
        assert session is not None
        _, changed = session.apply(sel)
        if pasted:
            self._pasted = session.selection
        if check and changed:
            self._want_check = check
        elif check:
            self.pane("checks").select(check)
            self._show_check(check)
        if check:
            self.pane("checks").focus_list()
        if changed or pasted:
            self.selection = session.selection
        else:
            self._sync_identities()

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
            self.apply(sel, check)

    def recheck(self) -> None:
        """Check the selection again (a baseline arrived): the same as choosing it anew."""
        self._glyph_key = None  # the principal column too (with its Δ marks)
        if self.selection is not None:
            self.selection = self.selection

    @on(PaneSelected)
    def _pane_selected(self, event: PaneSelected) -> None:
        event.stop()
        if self.session is None or self.selection is None:
            self._release_paint()
            return
        if event.pane == "checks":
            self._show_check(event.value)
            self._release_paint()
            return
        sel = self.session.picked(event.pane, event.value)
        if sel is not None:
            self.apply(sel)
        if self.checked is not None and self.checked.selection is self.selection:
            self._release_paint()  # the same selection: no verdict to wait for

    def watch_selection(self, selection: Selection | None) -> None:
        session = self.session
        if selection is None or session is None:
            return
        principals = self.pane("principals")
        if principals.selected != selection.principal:
            principals.select(selection.principal)
        if selection.region != self._region_rows:
            self._show_regions(session, selection.region)
        self._sync_identities()
        self.query_one(ContextBar).show(selection)
        self._hold_paint()
        self._run_checks(selection)

    def _hold_paint(self) -> None:
        """Paint the new selection together with its verdict, in one frame: the lists' move
        alone was a frame of its own (most of the screen re-rendered) that showed the old
        verdict beside the new row. Held until the verdict is drawn, HOLD_PAINT at most (a
        slow check shows the move first)."""
        if self._holding is None:
            self.app._begin_batch()  # Textual's batch_update, across the checks' worker
            self._holding = self.set_timer(HOLD_PAINT, self._release_paint, name="hold paint")

    def _release_paint(self) -> None:
        timer, self._holding = self._holding, None
        if timer is not None:
            timer.stop()
            self.app._end_batch()
            self.check_idle()  # the screen's next update paints what is now dirty

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False)
    def _run_checks(self, selection: Selection) -> None:
        """Every check for `selection`, off the UI thread (superseded runs are cancelled)."""
        session = self.session
        if session is None:
            return
        from sestui.decide import SelectionError
        from sestui.tui.session import decide

        worker = get_current_worker()
        verdict, error = None, ""
        try:
            verdict = decide(session.accounts, selection, pasted=selection is self._pasted)
        except SelectionError as exc:
            error = str(exc)
        except Exception as exc:  # a fault of ours: said in the bar, never the old verdict kept
            error = f"The checks failed for this selection: {type(exc).__name__}: {exc}"
        if not worker.is_cancelled:
            self.app.call_from_thread(self._checks_done, Checked(selection, verdict, error))

    def _checks_done(self, checked: Checked) -> None:
        if checked.selection is self.selection:  # else superseded while it ran
            self.checked = checked

    # -- the verdict ------------------------------------------------------------------------

    def watch_checked(self, checked: Checked | None) -> None:
        if checked is None:
            return
        try:
            self._show_checked(checked)
        finally:
            self._release_paint()

    def _show_checked(self, checked: Checked) -> None:
        selection, verdict = checked.selection, checked.verdict
        self._sync_identities()  # a From address: highlight the identity it resolved to
        key = glyph_key(selection)
        if key != self._glyph_key:  # the column depends on these only, not on the principal
            self._glyph_key = key
            self.call_after_refresh(self._glyphs_work, selection)
        principals = self.session.principals if self.session else {}
        if verdict is not None and selection.principal in principals:
            # The row of the principal on screen says what its verdict says, at once.
            self._show_glyphs(key, {selection.principal: verdict.outcome}, "")
        bar = self.query_one(VerdictBar)
        checks = self.pane("checks")
        want, self._want_check = self._want_check, None
        self.stops = finding_stops(verdict) if verdict is not None else ()
        self.finding_cursor = -1
        self._refresh_keys()
        if verdict is None:
            bar.show(None, checked.error or "Choose a principal and an identity.")
            checks.set_rows([])
            self.query_one(PolicyView).show(None, empty=checked.error)
            self._show_counter()
            return
        bar.show(verdict)
        checks.set_rows([check_row(c) for c in verdict.checks], self._landing(verdict, want))
        if want is not None and want == checks.selected:
            self._show_check(want)
        elif self.stops:
            # A new selection: the pane shows what decides its verdict, never the check that
            # happened to be focused for the previous one.
            self._show_stop(0, only=False)
        else:
            self._show_check(verdict.checks[0].check_id)

    def _landing(self, verdict: Verdict, want: str | None) -> str:
        """The check a new verdict opens on: the one asked for, else what decides it."""
        ids = [c.check_id for c in verdict.checks]
        if want in ids:
            assert want is not None
            return want
        return self.stops[0].check_id if self.stops else ids[0]

    @work(thread=True, exclusive=True, group="glyphs", exit_on_error=False)
    def _glyphs_work(self, selection: Selection) -> None:
        """Each principal's outcome for the whole request, as if that principal sent it
        (started once the verdict is on screen, so it never competes with that paint)."""
        session = self.session
        if session is None:
            return
        accounts = session.accounts
        # The caller the selection's identity is named for: from the selection itself, never
        # from what the screen shows by the time this thread runs.
        account = session.caller_of(selection.principal) or accounts.primary
        worker = get_current_worker()
        key = glyph_key(selection)
        total = len(session.principals)

        def progress(done: int, column: dict[str, Outcome]) -> None:
            self.app.call_from_thread(self._show_glyphs, key, column, f"{done}/{total}")

        column = glyph_column(accounts, account, selection, progress, lambda: worker.is_cancelled)
        if column is not None and not worker.is_cancelled:
            self.app.call_from_thread(self._show_glyphs, key, column, None)

    def _show_glyphs(
        self, key: Selection, column: Mapping[str, Outcome], progress: str | None
    ) -> None:
        """Each principal's outcome for the request, as a glyph in its row, with a Δ where it
        differs from the baseline. `progress` None: the column is complete."""
        session = self.session
        if key != self._glyph_key or session is None:
            return  # the request changed while it was computed
        sel = self.selection
        baseline = self.sestui.baseline
        deltas = (
            baseline.changed(sel.region, sel.identity)
            if baseline is not None and sel is not None and sel.identity
            else {}
        )
        self.show_glyphs(session.principals.values(), column, deltas, progress)

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
        verdict = self.verdict
        if verdict is None:
            return
        result = next((c for c in verdict.checks if c.check_id == check_id), None)
        if result is None:
            return
        if cursor is None:
            # Landing on a check (list move, [ ]): n/N go on from its first stop.
            cursor = next((i for i, st in enumerate(self.stops) if st.check_id == check_id), -1)
        self.finding_cursor = cursor
        self._show_counter()
        allowing = allowing_statements(verdict)
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
        baseline, sel, session = self.sestui.baseline, self.selection, self.session
        if baseline is not None and sel is not None and session is not None:
            since = baseline.policy_note(
                focus.document, session.principal(sel.principal, sel.role), sel.region
            )
            note += f"\n{since}" if since else f"\nunchanged since {baseline.name}"
            if since:
                # Also on the border: below 100 columns the note keeps to two lines.
                view.set_subtitle(f"{view.border_subtitle or ''} · Δ since {baseline.name}")
        view.show(PolicyShown(title, text, marks, note, allows, tone))

    def _show_counter(self) -> None:
        view = self.query_one(PolicyView)
        total = len(self.stops)
        if self.finding_cursor >= 0:
            view.set_subtitle(f"finding {self.finding_cursor + 1} of {total} · n/N")
        else:
            view.set_subtitle(f"{total} finding{'s' if total != 1 else ''} · n" if total else "")

    def _refresh_keys(self) -> None:
        """Re-dim the footer's keys when what they apply to changed (`f`/`c` need a fix, `n`/`N`
        findings). Only then: the footer rebuilds itself on every refresh."""
        state = (self.focused_fix() is not None, bool(self.stops), self.missing_field())
        if state != self._keys_state:
            self._keys_state = state
            self.app.refresh_bindings()

    def focused_check(self) -> str | None:
        return self.pane("checks").selected

    def focused_fix(self) -> Fix | None:
        """The suggested fix of the check the checks pane highlights, if it has one."""
        verdict = self.verdict
        if verdict is None:
            return None
        check_id = self.focused_check()
        result = next((c for c in verdict.checks if c.check_id == check_id), None)
        return result.fix if result else None

    def missing_field(self) -> str | None:
        """The context editor's field for the unset value an UNDECIDED verdict hangs on."""
        from sestui.decide import Outcome
        from sestui.tui.screens.context import field_for

        verdict = self.verdict
        if verdict is None or verdict.outcome is not Outcome.UNDECIDED:
            return None
        return field_for(verdict.missing_keys)

    def checked_identity(self) -> str | None:
        """The identity row that stands for what is checked (see Session.checked_identity)."""
        if self.session is None:
            return None
        return self.session.checked_identity(self.verdict, self.shown_selection)

    # -- the keys of the panes (bound on the app: the help lists the app's bindings) ---------

    def action_focus_pane(self, name: str) -> None:
        if name == "policy":
            # At once (not Widget.focus, after a refresh): the next key may already be queued.
            self.set_focus(self.query_one("#policy-scroll"))
        else:
            self.pane(name).focus_list()

    def focused_list(self) -> ListPane | None:
        focused = self.focused
        if focused is None:
            return None
        return next((w for w in focused.ancestors_with_self if isinstance(w, ListPane)), None)

    def action_filter(self) -> None:
        pane = self.focused_list()
        if pane is not None:
            pane.action_filter()

    def action_check(self, step: int) -> None:
        verdict = self.verdict
        if verdict is None:
            return
        ids = [c.check_id for c in verdict.checks]
        current = self.focused_check()
        index = ids.index(current) if current in ids else -1
        target = ids[(index + step) % len(ids)]
        self.pane("checks").select(target)
        self._show_check(target)

    def action_finding(self, step: int) -> None:
        if not self.stops:
            self.app.bell()
            return
        start = self.finding_cursor if self.finding_cursor >= 0 else (-1 if step > 0 else 0)
        self._show_stop((start + step) % len(self.stops))

    def action_toggle_wrap(self) -> None:
        from sestui.tui.widgets.policy_view import PolicyBody

        body = self.query_one(PolicyView).query_one(PolicyBody)
        body.toggle_wrap()
        self.notify("Policy lines wrap" if body.wrap else "Policy lines do not wrap (scroll →)")

    def action_verdict_text(self) -> None:
        # Below 100 columns the verdict bar keeps to three lines unless expanded.
        self.query_one(VerdictBar).toggle_class("-expanded")

    # -- the lists' rows ----------------------------------------------------------------

    def _show_principals(self, session: Session) -> None:
        """Every loaded principal (grouped under a title per account when there are several)."""
        rows = []
        for a in session.accounts:
            if session.multi:
                rows.append(account_header(a, len(a.principals)))
            where = f" {a.name or ''} {a.account_id}" if session.multi else ""
            rows.extend(
                Row(
                    p.arn,
                    principal_prompt(p, None),
                    f"{p.name} {p.arn} {' '.join(p.groups)}{where}",
                )
                for p in a.principals
            )
        self._glyphs = {}
        self._deltas = {}
        self.pane("principals").set_rows(rows)

    def _show_regions(self, session: Session, selected: str | None) -> None:
        """The regions read; a region asked for that was not read gets a row of its own."""
        count = session.region_counts()
        rows = [Row(r, Content(f"{r}  ({count[r]})"), r) for r in session.regions()]
        if selected and selected not in count:
            label = Content.assemble(selected, ("  not read", "$warning"))
            rows.insert(0, Row(selected, label, f"{selected} not read"))
        self._region_rows = selected
        self.pane("regions").set_rows(rows, selected)

    def _sync_identities(self) -> None:
        """The identities pane for the selection's region, the identity checked highlighted."""
        session = self.session
        if session is not None and session.selection is not None:
            self._show_identities(session, self.checked_identity())

    def _show_identities(self, session: Session, wanted: str | None) -> None:
        """The identities of the selection's region, `wanted` (the row that stands for what is
        checked) highlighted; one the region does not have gets a row of its own, marked as
        such. With several accounts, every account's identities, grouped by account."""
        sel = session.selection
        assert sel is not None
        region = sel.region
        accounts = session.accounts
        if session.multi:
            found = accounts.identity_owner(wanted) if wanted else None
            state = found[0].regions.get(region) if found else None
            exists = found is not None and found[1] is not None
            region_read = any(region in a.regions for a in accounts)
        else:
            state = session.account.regions.get(region)
            exists = bool(wanted) and state is not None and wanted in state.identities
            region_read = state is not None
        lacking = self._extra_identity if self._extra_identity[0] == region else (region, None)
        if wanted and not exists:
            lacking = (region, wanted)
        self._extra_identity = lacking  # kept while in this region: the user may come back to it
        key = (region, wanted, lacking, id(accounts), id(state))
        if key == self._identity_rows:
            return
        self._identity_rows = key
        rows = []
        asked = lacking[1]
        if asked:
            # On a line of its own: the pane is narrow, and this must not be cut off.
            why = (
                ("  not an identity", f"  in {region}")
                if region_read
                else (f"  {region} not read",)
            )
            rows.append(
                Row(
                    asked,
                    (
                        Content.assemble(NOT_VERIFIED, " ", asked),
                        *(Content.styled(line, "$warning") for line in why),
                    ),
                    f"{asked} not an identity",
                )
            )
        if session.multi:
            for a in accounts:
                own = identity_rows(a, region, session.multi)
                if own:
                    rows.append(account_header(a, len(own)))
                    rows.extend(own)
        else:
            rows.extend(identity_rows(session.account, region, session.multi))
        pane = self.pane("identities")
        if wanted is None:
            pane.unselect()  # no row stands for a From address until its verdict says which
        pane.set_rows(rows, wanted)

    def show_glyphs(
        self,
        principals: Iterable[IamPrincipal],
        column: Mapping[str, Outcome],
        deltas: Mapping[str, object],
        progress: str | None,
    ) -> None:
        """Each principal's outcome for the request, as a glyph in its row (only the rows whose
        glyph changed are touched: a big account has thousands), with a Δ where it differs from
        the baseline. `progress` None: the column is complete, and a row it lacks has no
        outcome (its glyph is cleared); "": leave the pane's subtitle alone."""
        pane = self.pane("principals")
        prompts = {}
        for p in principals:
            outcome = column.get(p.arn)
            delta = p.arn in deltas
            if (outcome is None and progress is not None) or (
                self._glyphs.get(p.arn) is outcome and self._deltas.get(p.arn, False) is delta
            ):
                continue
            self._glyphs[p.arn] = outcome
            self._deltas[p.arn] = delta
            prompts[p.arn] = principal_prompt(p, outcome, delta)
        if prompts:
            pane.update_prompts(prompts)
        if progress != "":
            pane.border_subtitle = f"checking {progress}" if progress else ""


def check_row(c: CheckResult) -> Row:
    """A check's row: its status glyph and title (bold when it fails)."""
    from sestui.decide import Status

    return Row(
        c.check_id,
        Content.assemble(
            (c.status.glyph, status_style(c.status)),
            " ",
            (c.title, "bold" if c.status is Status.FAIL else ""),
        ),
        f"{c.check_id} {c.title} {c.summary}",
    )
