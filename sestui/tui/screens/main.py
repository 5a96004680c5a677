"""The main screen: the title and status lines, the verdict and context bars, the five panes and
the footer. The app makes it its default screen; the lists' rows are drawn here from what the
session (sestui/tui/session.py) holds. Dialogs are pushed over it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from sestui.tui.asked import identity_key
from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.widgets.bars import ContextBar, VerdictBar
from sestui.tui.widgets.footer import KeysFooter
from sestui.tui.widgets.panes import ListPane, Row
from sestui.tui.widgets.policy_view import PolicyView

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account, IamPrincipal
    from sestui.decide import Outcome
    from sestui.tui.session import Session

# The panes, in the order the 1–5 keys focus them.
PANES = ("principals", "identities", "regions", "checks", "policy")


class MainScreen(Screen[None]):
    # The principals list (the first list), never a pane's hidden filter field.
    AUTO_FOCUS = "OptionList"

    def __init__(self, ready: Callable[[], None] | None = None) -> None:
        super().__init__()
        self._ready = ready  # called once the panes exist (the app opens the account then)
        self.reset()

    def reset(self) -> None:
        """Forget what the lists show (a load or reload brings new accounts)."""
        self._glyphs: dict[str, Outcome | None] = {}  # principal ARN -> its row's glyph
        self._deltas: dict[str, bool] = {}  # principal ARN -> Δ shown in its row
        self._identity_rows: tuple[object, ...] | None = None  # what the identities pane shows
        self._extra_identity: tuple[str, str | None] = ("", None)  # (region, name not in it)

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

    # -- the lists' rows ----------------------------------------------------------------

    def show_principals(self, session: Session) -> None:
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

    def show_regions(self, session: Session, selected: str | None) -> None:
        """The regions read; a region asked for that was not read gets a row of its own."""
        count = session.region_counts()
        rows = [Row(r, Content(f"{r}  ({count[r]})"), r) for r in session.regions()]
        if selected and selected not in count:
            label = Content.assemble(selected, ("  not read", "$warning"))
            rows.insert(0, Row(selected, label, f"{selected} not read"))
        self.pane("regions").set_rows(rows, selected)

    def show_identities(self, session: Session, wanted: str | None) -> None:
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
                ("  not an identity in", f"  {region}")
                if region_read
                else (f"  {region} not read",)
            )
            rows.append(
                Row(
                    asked,
                    (
                        Content.assemble(("✗", "$error"), " ", asked),
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


def groups(p: IamPrincipal) -> str:
    return " ".join(p.groups)


def account_header(account: Account, count: int) -> Row:
    """A group's title row in the principals or identities pane (several accounts): the
    account's name and ID, and how many rows follow. One line: the list measures its rows'
    heights before they are laid out, and a taller title put the highlighted row out of view."""
    name = f"{account.name} · " if account.name else ""
    return Row(
        f"account:{account.account_id}",
        Content.styled(f"── {name}{account.account_id} ({count})", "bold $text-muted"),
        f"{account.name or ''} {account.account_id}",
        header=True,
    )


def principal_prompt(p: IamPrincipal, outcome: Outcome | None, changed: bool = False) -> Content:
    """A principal's row: its outcome for the selected identity (once known), a Δ when it
    differs from the baseline, name, groups."""
    glyph, style = OUTCOME_MARKS[outcome.value] if outcome is not None else (" ", "")
    groups = f" ({len(p.groups)}g)" if p.groups else ""
    kind = " role" if not p.is_user else ""
    delta = ("Δ", "bold $warning") if changed else " "
    return Content.assemble((glyph, style), delta, p.name, (f"{groups}{kind}", "$text-muted"))


def identity_rows(account: Account, region: str, by_arn: bool) -> list[Row]:
    """An account's identities in a region: verified or not, § for a sending-authorization
    policy; keyed by name, or by ARN when several accounts are loaded."""
    from sestui.account import IdentityKind

    state = account.regions.get(region)
    rows = []
    for name in sorted(state.identities) if state else []:
        i = state.identities[name]  # type: ignore[union-attr]
        glyph = ("✓", "$success") if i.verified else ("✗", "$error")
        extra = ("" if i.verified else f" {i.verification_status.lower()}") + (
            " §" if i.policies else ""
        )
        kind = "email" if i.kind is IdentityKind.EMAIL else "domain"
        key = identity_key(account, region, name) if by_arn else name
        where = f" {account.name or ''} {account.account_id}" if by_arn else ""
        rows.append(
            Row(
                key or name,
                Content.assemble(glyph, " ", name, (extra, "$text-muted")),
                f"{name} {kind}{where}",
            )
        )
    return rows
