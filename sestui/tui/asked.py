"""What the user asked for, checked as asked: start flags against the account, the identity row
a From address stands for, and each principal's glyph for the whole current request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account
    from sestui.account.accountset import AccountSet
    from sestui.decide import Outcome, Selection
    from sestui.tui.session import StartAt


def glyph_key(selection: Selection) -> Selection:
    """What the principals' glyph column depends on: the whole request but its principal."""
    return replace(selection, principal="", role=False)


def glyph_column(
    accounts: AccountSet,
    caller: Account,
    selection: Selection,
    progress: Callable[[int, dict[str, Outcome]], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, Outcome] | None:
    """Each loaded principal's outcome for the request `selection` describes (its identity as
    the `caller` account names it), with that principal: always `run(...).outcome` for the row.
    The bitset matrix (and across accounts sestui/matrix/org.py) is used only for the context
    it models (region, an existing identity, path, actions; nothing else set), where
    tests/matrix/test_matrix.py and test_org.py prove it equal to the per-cell decision; any
    other context decides each row with run(). `progress(done, column)` is called now and then;
    once `cancelled()` (a newer request superseded this one) it stops and the result is None."""
    from sestui.decide import Selection, SelectionError, run

    plain = Selection(
        "",
        selection.region,
        identity=selection.identity,
        path=selection.path,
        actions=selection.actions,
    )
    wanted = identity_key(caller, selection.region, selection.identity)
    found = accounts.identity_owner(wanted) if wanted else None
    if glyph_key(selection) == plain and found is not None and found[1] is not None:
        owner = found[0]
        name = found[1].name
        if len(accounts) == 1:
            from sestui.matrix.exact import column

            return column(
                owner, selection.region, name, path=selection.path, actions=selection.actions
            )
        from sestui.matrix.exact import Cancelled
        from sestui.matrix.org import OrgMatrix

        m = OrgMatrix(accounts, selection.region, path=selection.path, actions=selection.actions)
        try:
            return m.column(owner, name, cancelled)
        except Cancelled:
            return None
    out: dict[str, Outcome] = {}
    n = 0
    for account in accounts:
        identity = relative_identity(account, wanted)
        other = found[0] if found is not None and found[0] is not account else None
        for p in account.principals:
            n += 1
            if cancelled():
                return None
            try:
                row = replace(selection, principal=p.arn, role=not p.is_user, identity=identity)
                out[p.arn] = run(account, row, owner=other).outcome
            except SelectionError:
                continue  # e.g. neither an identity nor a From address: no glyph
            if progress is not None and n % 200 == 0:
                progress(n, dict(out))
    return out


def start_problems(accounts: AccountSet, start: StartAt) -> tuple[str, ...]:
    """What the start flags name that the loaded accounts do not have (empty: they are fine).
    An identity or From address is not refused: it is checked, as `sestui check` does."""
    from sestui.decide import SelectionError
    from sestui.decide.locate import find_principal_in

    problems = []
    if start.principal:
        try:
            find_principal_in(accounts, start.principal, start.role)
        except SelectionError as exc:
            problems.append(str(exc))
    regions = {r for a in accounts for r in a.regions}
    if start.region and start.region not in regions:
        # A region where SES sends that was not read is opened and checked as `sestui check`
        # checks it (its row says "not read"; an SCP may still decide); a name that is no such
        # region is refused, as the CLI refuses it.
        from sestui.verdict.inputs import InputError, parse_region

        try:
            parse_region(start.region)
        except InputError as exc:
            problems.append(str(exc))
    return tuple(problems)


def identity_key(caller: Account, region: str, identity: str | None) -> str | None:
    """The identity's ARN (the identities pane's row key with several accounts): a bare name
    is the caller's own identity."""
    if not identity or identity.startswith("arn:"):
        return identity
    return f"arn:{caller.partition}:ses:{region}:{caller.account_id}:identity/{identity}"


def relative_identity(caller: Account, identity: str | None) -> str | None:
    """What a selection says for an identity: its bare name in the caller's own account (as
    with one account), its ARN in another (a delegate send)."""
    if not identity or not identity.startswith("arn:"):
        return identity
    parts = identity.split(":", 5)
    if len(parts) == 6 and parts[4] == caller.account_id and parts[5].startswith("identity/"):
        return parts[5][len("identity/") :]
    return identity


def identity_of(arn: str | None) -> str | None:
    """`example.com` from `arn:aws:ses:eu-west-1:111122223333:identity/example.com`."""
    if not arn or ":identity/" not in arn:
        return None
    return arn.split(":identity/", 1)[1]
