"""The sestui application: panes for principals, identities, regions, checks and the policy.

Every change of selection or context reruns all checks in a thread worker (superseded runs are
cancelled and never painted); the widgets only render the Verdict the checks compute.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static, TextArea
from textual.worker import Worker, WorkerState, get_current_worker

from sestui.sources import SourceSpec
from sestui.tui.messages import PaneSelected
from sestui.tui.widgets.bars import ContextBar, VerdictBar
from sestui.tui.widgets.panes import ListPane, Row
from sestui.tui.widgets.policy_view import PolicyShown, PolicyView
from sestui.tui.workers import DaemonExecutor

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account, IamPrincipal
    from sestui.checks import Finding, Fix, Outcome, Selection, Verdict
    from sestui.checks.errors import ParsedError
    from sestui.checks.matrix import Matrix
    from sestui.checks.selection import SendPath

# Worker groups of long work that esc cancels: loads and reloads, and one-off computations.
LONG_WORK = ("load", "work")
GLYPH_STYLE = {  # by status value
    "pass": "$success",
    "fail": "bold $error",
    "warn": "$warning",
    "unknown": "$warning",
    "n/a": "$text-muted",
}
OUTCOME_GLYPH = {  # by outcome value
    "allowed": ("✓", "$success"),
    "denied": ("✗", "$error"),
    "undecided": ("?", "$warning"),
}


def principal_prompt(p: IamPrincipal, outcome: Outcome | None) -> Content:
    """A principal's row: its outcome for the selected identity (once known), name, groups."""
    glyph, style = OUTCOME_GLYPH[outcome.value] if outcome is not None else (" ", "")
    groups = f" ({len(p.groups)}g)" if p.groups else ""
    kind = " role" if not p.is_user else ""
    return Content.assemble((glyph, style), " ", p.name, (f"{groups}{kind}", "$text-muted"))


def jump_provider() -> Any:
    """The palette's "jump to" provider, imported when the palette first opens."""
    from sestui.tui.commands import JumpProvider

    return JumpProvider


def glyph_key(selection: Selection) -> tuple[object, ...]:
    """What the principals' glyph column depends on (not the principal itself)."""
    return (selection.region, selection.identity, selection.path, selection.actions)


@dataclass(frozen=True)
class StartAt:
    """Where to open (from the command line)."""

    principal: str | None = None
    region: str | None = None
    from_address: str | None = None
    identity: str | None = None
    role: bool = False


class SestuiApp(App[int]):
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute: subclasses find it too
    TITLE = "sestui"
    COMMANDS: ClassVar = App.COMMANDS | {jump_provider}
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority: q quits from every screen and while work runs (not while typing text).
        Binding("q", "quit_key", "Quit", id="quit", priority=True),
        Binding("escape", "cancel_work", "Cancel work", id="cancel-work", priority=True),
        Binding("question_mark", "help", "Help", id="help"),
        Binding("1", "focus_pane('principals')", "Principals", show=False, id="pane-1"),
        Binding("2", "focus_pane('identities')", "Identities", show=False, id="pane-2"),
        Binding("3", "focus_pane('regions')", "Regions", show=False, id="pane-3"),
        Binding("4", "focus_pane('checks')", "Checks", show=False, id="pane-4"),
        Binding("5", "focus_pane('policy')", "Policy", show=False, id="pane-5"),
        Binding("left_square_bracket", "check(-1)", "Prev check", show=False, id="prev-check"),
        Binding("right_square_bracket", "check(1)", "Next check", show=False, id="next-check"),
        Binding("n", "finding(1)", "Next finding", id="next-finding"),
        Binding("N", "finding(-1)", "Prev finding", show=False, id="prev-finding"),
        Binding("e", "paste_error", "Paste error", id="paste-error"),
        Binding("x", "edit_context", "Context", id="edit-context"),
        Binding("m", "matrix", "Matrix", id="matrix"),
        Binding("f", "fix", "Fix", id="fix"),
        Binding("c", "copy_fix", "Copy fix", show=False, id="copy-fix"),
        Binding("r", "reload", "Reload", id="reload"),
    ]

    def __init__(
        self, spec: SourceSpec, start: StartAt | None = None, account: Account | None = None
    ) -> None:
        super().__init__()
        self.spec = spec
        self.start = start or StartAt()
        self.account: Account | None = account
        self.selection: Selection | None = None
        self.verdict: Verdict | None = None
        self.shown_selection: Selection | None = None  # the selection the screen now shows
        self._glyph_key: tuple[object, ...] | None = None
        self._keys_state: tuple[bool, bool] | None = None
        self._glyphs: dict[str, Outcome] = {}  # principal ARN -> outcome shown in its row
        self.finding_cursor = -1

    # -- layout ---------------------------------------------------------------------------

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
        yield Footer()

    def pane(self, name: str) -> ListPane:
        return self.query_one(f"#{name}", ListPane)

    def on_mount(self) -> None:
        asyncio.get_running_loop().set_default_executor(DaemonExecutor())
        self.query_one(VerdictBar).show(None, f"Opening {self.spec.describe()}…")
        if self.account is not None:
            self._loaded(self.account, "")
        else:
            # Paint first, then load: boto3 is imported by the loader, never before the UI shows.
            self.call_after_refresh(self.load)

    # -- loading ------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        """Open the account off the UI thread; boto3 is imported here, after the first paint."""
        from sestui.sources import has_credentials, open_account

        spec = self.spec
        notice = ""
        if spec.live and not has_credentials(spec.profile):
            spec = SourceSpec(demo=True)
            notice = "No AWS credentials found: showing the bundled demo account."

        def progress(p: Any) -> None:
            text = (
                f"Reading {spec.describe()}: {p.service}"
                f"{' ' + p.region if p.region else ''} — {p.message}  "
                f"[{p.regions_done}/{p.regions_total} regions, {p.calls} calls]"
            )
            self.call_from_thread(self._status, text)

        account, _ = open_account(spec, progress)
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._loaded, account, notice)

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

    def _loaded(self, account: Account, notice: str) -> None:
        self.account = account
        self._glyph_key = None
        self._glyphs = {}
        self._status("")
        gaps = f" · {len(account.gaps)} read gaps" if account.gaps else ""
        self.query_one("#title", Static).update(
            Content(
                f"sestui — {account.source or self.spec.describe()} · account {account.account_id}"
                f"{gaps}"
            )
        )
        if notice:
            self.notify_text(notice, timeout=8)
        self._fill_principals()
        # Regions with SES identities first, the busiest first: that is where people send from.
        regions = sorted(account.regions, key=lambda r: (-len(account.regions[r].identities), r))
        self.pane("regions").set_rows(
            [Row(r, Content(f"{r}  ({len(account.regions[r].identities)})"), r) for r in regions]
        )
        s = self.start
        principal = self._principal(s.principal, s.role) if s.principal else None
        if principal is None:
            principal = account.principals[0] if account.principals else None
        region = s.region if s.region else (regions[0] if regions else "us-east-1")
        if principal is None:
            self.query_one(VerdictBar).show(None, "This account has no IAM users or roles.")
            return
        identity = s.identity
        if not identity and not s.from_address:
            names = sorted(account.regions[region].identities) if region in account.regions else []
            identity = names[0] if names else None
        from sestui.checks import Selection

        base = self.selection or Selection(principal.arn, region)
        self.selection = replace(
            base,
            principal=principal.arn,
            region=region,
            identity=identity,
            from_address=s.from_address,
        )
        self.start = StartAt()
        self.pane("principals").select(principal.arn)
        self.pane("regions").select(region)
        self._fill_identities()
        self.pane("principals").focus_list()
        self.recheck()

    def _principal(self, name: str, role: bool) -> IamPrincipal | None:
        from sestui.account import PrincipalType

        assert self.account is not None
        return self.account.principal(
            name, PrincipalType.ROLE if role else None
        ) or self.account.principal(name)

    def _fill_principals(self) -> None:
        assert self.account is not None
        rows = [
            Row(p.arn, principal_prompt(p, None), f"{p.name} {p.arn} {' '.join(p.groups)}")
            for p in self.account.principals
        ]
        self.pane("principals").set_rows(rows)

    def _fill_identities(self) -> None:
        assert self.account is not None and self.selection is not None
        state = self.account.regions.get(self.selection.region)
        rows = []
        for name in sorted(state.identities) if state else []:
            i = state.identities[name]  # type: ignore[union-attr]
            glyph = ("✓", "$success") if i.verified else ("✗", "$error")
            extra = ("" if i.verified else f" {i.verification_status.lower()}") + (
                " §" if i.policies else ""
            )
            kind = "email" if i.kind.value == "EMAIL_ADDRESS" else "domain"
            rows.append(
                Row(
                    name,
                    Content.assemble(glyph, " ", name, (extra, "$text-muted")),
                    f"{name} {kind}",
                )
            )
        self.pane("identities").set_rows(
            rows, self.selection.identity or self.selection.from_address
        )

    # -- selection ------------------------------------------------------------------------------

    @on(PaneSelected)
    def _pane_selected(self, event: PaneSelected) -> None:
        if self.selection is None:
            return
        if event.pane == "checks":
            self.finding_cursor = -1
            self._show_check(event.value)
            return
        if event.pane == "principals":
            self.selection = replace(self.selection, principal=event.value)
        elif event.pane == "regions":
            self.selection = replace(self.selection, region=event.value)
            state = self.account.regions.get(event.value) if self.account else None
            names = sorted(state.identities) if state else []
            keep = (
                self.selection.identity
                if self.selection.identity in names
                else (names[0] if names else None)
            )
            self.selection = replace(self.selection, identity=keep, from_address=None)
            self._fill_identities()
        elif event.pane == "identities":
            self.selection = replace(self.selection, identity=event.value, from_address=None)
        self.recheck()

    def jump(
        self,
        principal: str | None = None,
        region: str | None = None,
        identity: str | None = None,
        check: str | None = None,
        action: str | None = None,
    ) -> None:
        if self.selection is None or self.account is None:
            return
        sel = self.selection
        if principal:
            sel = replace(sel, principal=principal)
            self.pane("principals").select(principal)
        if region and region != sel.region:
            sel = replace(sel, region=region, identity=None, from_address=None)
            self.pane("regions").select(region)
        if identity:
            sel = replace(sel, identity=identity, from_address=None)
        if action:
            sel = replace(sel, actions=(action,))
        changed = sel != self.selection
        self.selection = sel
        if changed:
            self._fill_identities()
            if not check:
                self.pane("checks").forget()  # land on the first failing check of the new send
        if check:
            self.pane("checks").select(check)
            self._show_check(check)
            self.pane("checks").focus_list()
        if changed:
            self.recheck()

    # -- checks -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="checks", exit_on_error=False)
    def recheck(self) -> None:
        """Rerun every check for the current selection (superseded runs are cancelled)."""
        account, selection = self.account, self.selection
        if account is None or selection is None:
            return
        from sestui.checks import SelectionError, run

        worker = get_current_worker()
        error = ""
        verdict = None
        try:
            verdict = run(account, selection)
        except SelectionError as exc:
            error = str(exc)
        if worker.is_cancelled:
            return
        self.call_from_thread(self._show_verdict, selection, verdict, error)

    @work(thread=True, exclusive=True, group="glyphs", exit_on_error=False)
    def glyphs(self, selection: Selection) -> None:
        """Each principal's outcome for the selected identity (started once the verdict is on
        screen, so it never competes with that paint)."""
        account = self.account
        state = account.regions.get(selection.region) if account else None
        if (
            account is None
            or not selection.identity
            or state is None
            or (selection.identity not in state.identities)
        ):
            return
        from sestui.checks.matrix import column as outcome_column

        column = outcome_column(
            account,
            selection.region,
            selection.identity,
            path=selection.path,
            actions=selection.actions,
        )
        if not get_current_worker().is_cancelled:
            self.call_from_thread(self._show_glyphs, glyph_key(selection), column)

    def _show_verdict(self, selection: Selection, verdict: Verdict | None, error: str) -> None:
        if selection is not self.selection:
            return  # superseded while it ran
        self.verdict = verdict
        self.shown_selection = selection
        self._refresh_keys()
        key = glyph_key(selection)
        if key != self._glyph_key:  # the column depends on these only, not on the principal
            self._glyph_key = key
            self.call_after_refresh(self.glyphs, selection)
        self.finding_cursor = -1
        self.query_one(ContextBar).show(selection)
        bar = self.query_one(VerdictBar)
        if verdict is None:
            bar.show(None, error or "Choose a principal and an identity.")
            self.pane("checks").set_rows([])
            self.query_one(PolicyView).show(None, empty=error)
            return
        bar.show(verdict)
        rows = []
        for c in verdict.checks:
            rows.append(
                Row(
                    c.check_id,
                    Content.assemble(
                        (c.status.glyph, GLYPH_STYLE[c.status.value]),
                        " ",
                        (c.title, "bold" if c.status.value == "fail" else ""),
                    ),
                    f"{c.check_id} {c.title} {c.summary}",
                )
            )
        checks = self.pane("checks")
        current = checks.selected
        if current not in {c.check_id for c in verdict.checks}:
            # Nothing chosen yet: start on the first failing check; afterwards stay put.
            current = next(
                (c.check_id for c in verdict.checks if c.status.value == "fail"),
                verdict.checks[0].check_id,
            )
        checks.set_rows(rows, current)
        if current is not None:
            self._show_check(current)

    def _show_glyphs(self, key: tuple[object, ...], column: dict[str, Outcome]) -> None:
        """Each principal's outcome for the selected identity, as a glyph in its row (only the
        rows whose glyph changed are touched: a big account has thousands)."""
        if key != self._glyph_key or self.account is None:
            return  # the identity, region or send path changed while it was computed
        prompts = {}
        for p in self.account.principals:
            outcome = column.get(p.arn)
            if outcome is None or self._glyphs.get(p.arn) is outcome:
                continue
            self._glyphs[p.arn] = outcome
            prompts[p.arn] = principal_prompt(p, outcome)
        if prompts:
            self.pane("principals").update_prompts(prompts)

    def _show_check(self, check_id: str, finding: Finding | None = None) -> None:
        self._refresh_keys()
        view = self.query_one(PolicyView)
        if self.verdict is None:
            return
        result = next((c for c in self.verdict.checks if c.check_id == check_id), None)
        if result is None:
            return
        docs = [f for f in result.findings if f.document is not None]
        focus = finding or (docs[0] if docs else None)
        if focus is None or focus.document is None:
            view.show(None, empty=f"{result.title}: {result.summary}\n{result.explanation}")
            return
        same = [f for f in docs if f.document is focus.document and f.lines is not None]
        marks = tuple(
            dict.fromkeys(f.lines for f in ([focus] if finding else same) if f.lines is not None)
        )
        src = focus.document.source
        title = src.describe() + (f" — {src.arn}" if src.arn else "")
        try:
            text = focus.document.policy.text
        except ValueError as exc:
            view.show(None, empty=f"{title}: {exc}")
            return
        view.show(PolicyShown(title, text, marks, f"{result.title}: {focus.reason}"))

    def _refresh_keys(self) -> None:
        """Re-dim the footer's keys when what they apply to changed (`f`/`c` need a fix, `n`/`N`
        findings). Only then: the footer rebuilds itself on every refresh."""
        state = (self._focused_fix() is not None, bool(self.all_findings()))
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
            self.query_one("#policy-scroll").focus()
        else:
            self.pane(name).focus_list()

    def action_check(self, step: int) -> None:
        if self.verdict is None:
            return
        ids = [c.check_id for c in self.verdict.checks]
        current = self.focused_check()
        index = ids.index(current) if current in ids else -1
        target = ids[(index + step) % len(ids)]
        self.pane("checks").select(target)
        self.finding_cursor = -1
        self._show_check(target)

    def all_findings(self) -> list[tuple[str, Finding]]:
        if self.verdict is None:
            return []
        pairs = [
            (c.check_id, f)
            for c in self.verdict.checks
            if c.status.value in ("fail", "warn", "unknown")
            for f in c.findings
            if f.document is not None and f.lines is not None
        ]
        return pairs or [
            (c.check_id, f)
            for c in self.verdict.checks
            for f in c.findings
            if f.document is not None and f.lines is not None
        ]

    def action_finding(self, step: int) -> None:
        pairs = self.all_findings()
        if not pairs:
            self.bell()
            return
        self.finding_cursor = (self.finding_cursor + step) % len(pairs)
        check_id, finding = pairs[self.finding_cursor]
        self.pane("checks").select(check_id)
        self._show_check(check_id, finding)

    def action_help(self) -> None:
        from sestui.tui.screens.help import HelpScreen

        keys = []
        for b in self.BINDINGS:
            assert isinstance(b, Binding)
            keys.append(
                (
                    b.key.replace("left_square_bracket", "[")
                    .replace("right_square_bracket", "]")
                    .replace("question_mark", "?")
                    .replace("escape", "esc"),
                    b.description,
                )
            )
        self.push_screen(HelpScreen(keys))

    def action_matrix(self) -> None:
        if self.account is None or self.selection is None:
            return
        s = self.selection
        self._status(f"Working out who can send in {s.region}… (esc cancels)")
        self.matrix_work(self.account, s.region, s.path, s.actions)

    @work(thread=True, exclusive=True, group="work", name="the matrix", exit_on_error=False)
    def matrix_work(
        self, account: Account, region: str, path: SendPath, actions: tuple[str, ...]
    ) -> None:
        from sestui.checks import SelectionError
        from sestui.checks.matrix import Cancelled, who_can_send

        worker = get_current_worker()
        try:
            m = who_can_send(
                account,
                region,
                path=path,
                actions=actions,
                cancelled=lambda: worker.is_cancelled,
            )
        except Cancelled:
            return
        except SelectionError as exc:
            if not worker.is_cancelled:
                self.call_from_thread(self._work_notice, worker, str(exc))
            return
        if not worker.is_cancelled:
            self.call_from_thread(self._show_matrix, worker, m)

    def _show_matrix(self, worker: Worker[None], m: Matrix) -> None:
        if worker.is_cancelled:
            return  # esc came after the last poll: never show cancelled work
        from sestui.tui.screens.matrix import MatrixScreen

        def chosen(cell: tuple[str, str] | None) -> None:
            if cell:
                self.jump(principal=cell[0], identity=cell[1])

        self.push_screen(MatrixScreen(m), chosen)

    def action_paste_error(self) -> None:
        from sestui.tui.screens.paste_error import PasteErrorScreen

        self.push_screen(PasteErrorScreen(), self._explain)

    def _explain(self, text: str | None) -> None:
        if not text or self.account is None:
            return
        self._status("Reading the pasted error… (esc cancels)")
        self.explain_work(text)

    @work(thread=True, exclusive=True, group="work", name="reading the error", exit_on_error=False)
    def explain_work(self, text: str) -> None:
        from sestui.checks.errors import parse_error

        worker = get_current_worker()
        parsed = parse_error(text)
        if not worker.is_cancelled:
            self.call_from_thread(self._explained, worker, parsed)

    def _explained(self, worker: Worker[None], parsed: ParsedError) -> None:
        if worker.is_cancelled or self.account is None:
            return
        from sestui.checks.errors import ErrorKind

        if parsed.kind is not ErrorKind.ACCESS_DENIED:
            self.notify_text(
                f"{parsed.cause}\n{parsed.advice}", title=parsed.kind.value, timeout=15
            )
            return
        account = self.account
        if parsed.account and parsed.account != account.account_id:
            self.notify_text(
                f"The message names account {parsed.account}; this is {account.account_id}.",
                severity="error",
            )
            return
        assert parsed.principal_arn is not None
        principal = account.principal(parsed.principal_arn)
        if principal is None and ":assumed-role/" in parsed.principal_arn:
            from sestui.account import PrincipalType

            principal = account.principal(parsed.principal_arn.split("/")[1], PrincipalType.ROLE)
        if principal is None:
            self.notify_text(
                f"No principal {parsed.principal_arn} in this account.", severity="error"
            )
            return
        identity = None
        if parsed.resource_type == "identity":
            identity = parsed.resource_name
        elif (
            parsed.resource_type == "configuration-set"
            and parsed.region
            and (parsed.region in account.regions)
        ):
            identity = next(
                (
                    i.name
                    for i in account.regions[parsed.region].identities.values()
                    if i.default_configuration_set == parsed.resource_name
                ),
                None,
            )
        self.jump(
            principal=principal.arn, region=parsed.region, identity=identity, action=parsed.action
        )
        self.notify_text(f"Checking {principal.name} · {parsed.action} · {parsed.resource_arn}")

    def action_edit_context(self) -> None:
        if self.selection is None:
            return
        from sestui.tui.screens.context import ContextScreen

        def applied(sel: Selection | None) -> None:
            if sel is not None:
                self.selection = sel
                self.recheck()

        self.push_screen(ContextScreen(self.selection), applied)

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
        from sestui.checks import Overrides, run

        worker = get_current_worker()
        after = run(account, selection, Overrides().with_fix(fix)).outcome
        if not worker.is_cancelled:
            self.call_from_thread(self._show_fix, worker, fix, original, after)

    def _show_fix(
        self, worker: Worker[None], fix: Fix, original: PolicyShown | None, after: Outcome
    ) -> None:
        if worker.is_cancelled:
            return
        from sestui.tui.screens.fix import FixScreen

        self.push_screen(FixScreen(fix, original, after))

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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "quit_key":  # in a text field q is a letter (ctrl+q still quits)
            return not isinstance(self.focused, Input | TextArea)
        if action == "cancel_work":  # otherwise esc goes on to the dialog or widget
            return len(self.screen_stack) == 1 and bool(self._long_work())
        if action in ("fix", "copy_fix"):
            return True if self._focused_fix() is not None else None
        if action == "finding":
            return True if self.all_findings() else None
        if action == "reload":
            return True if not (self.spec.demo and self.account is not None) else None
        return True
