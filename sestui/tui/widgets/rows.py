"""The rows of the principals, identities and regions lists, drawn from what is loaded."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content

from sestui.tui.asked import identity_key
from sestui.tui.findings import OUTCOME_MARKS
from sestui.tui.widgets.panes import Row

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account, IamPrincipal
    from sestui.decide import Outcome


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
        glyph = VERIFIED if i.verified else NOT_VERIFIED
        # The state before the name: a narrow pane cuts the end of a long name, not the state.
        extra = ("" if i.verified else f"{i.verification_status.lower()} ") + (
            "§ " if i.policies else ""
        )
        kind = "email" if i.kind is IdentityKind.EMAIL else "domain"
        key = identity_key(account, region, name) if by_arn else name
        where = f" {account.name or ''} {account.account_id}" if by_arn else ""
        rows.append(
            Row(
                key or name,
                Content.assemble(glyph, " ", (extra, "$text-muted"), name),
                f"{name} {kind}{where}",
            )
        )
    return rows


# An identity row's mark: verified (as an allowed send) or not (as a denied one): the help's
# legend says ✓/✗ in Identities means verified.
VERIFIED = OUTCOME_MARKS["allowed"]
NOT_VERIFIED = OUTCOME_MARKS["denied"]
