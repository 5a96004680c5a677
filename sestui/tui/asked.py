"""What the user asked for, checked as asked: start flags against the account, the identity row
a From address stands for, and each principal's glyph for the whole current request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the domain is imported on use, after the first frame is painted
    from sestui.account import Account
    from sestui.decide import Outcome, Selection
    from sestui.tui.app import StartAt


def glyph_key(selection: Selection) -> Selection:
    """What the principals' glyph column depends on: the whole request but its principal."""
    return replace(selection, principal="", role=False)


def glyph_column(
    account: Account,
    selection: Selection,
    progress: Callable[[int, dict[str, Outcome]], None] | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> dict[str, Outcome] | None:
    """Each principal's outcome for the request `selection` describes, with that principal:
    always `run(...).outcome` for the row. The bitset matrix is used only for the context it
    models (region, identity of the region, path, actions; nothing else set), where
    tests/matrix/test_matrix.py proves it equal to the per-cell decision; any other context decides
    each row with run(). `progress(done, column)` is called now and then; once `cancelled()`
    (a newer request superseded this one) it stops and the result is None."""
    from sestui.decide import Selection, SelectionError, run

    plain = Selection(
        "",
        selection.region,
        identity=selection.identity,
        path=selection.path,
        actions=selection.actions,
    )
    state = account.regions.get(selection.region)
    if (
        glyph_key(selection) == plain
        and state is not None
        and selection.identity is not None
        and selection.identity in state.identities
    ):
        from sestui.matrix.exact import column

        return column(
            account,
            selection.region,
            selection.identity,
            path=selection.path,
            actions=selection.actions,
        )
    out: dict[str, Outcome] = {}
    for n, p in enumerate(account.principals, 1):
        if cancelled():
            return None
        try:
            row = replace(selection, principal=p.arn, role=not p.is_user)
            out[p.arn] = run(account, row).outcome
        except SelectionError:
            continue  # e.g. neither an identity nor a From address: no glyph
        if progress is not None and n % 200 == 0:
            progress(n, dict(out))
    return out


def start_problems(account: Account, start: StartAt) -> tuple[str, ...]:
    """What the start flags name that this account does not have (empty: they are fine).
    An identity or From address is not refused: it is checked, as `sestui check` does."""
    from sestui.decide import Selection, SelectionError
    from sestui.verdict.analysis import find_principal

    problems = []
    if start.principal:
        try:
            find_principal(account, Selection(start.principal, "", role=start.role))
        except SelectionError as exc:
            problems.append(str(exc))
    if start.region and start.region not in account.regions:
        read = ", ".join(sorted(account.regions)) or "none"
        problems.append(
            f"no region {start.region!r} in account {account.account_id} "
            f"(SES data was read for: {read})"
        )
    return tuple(problems)


def identity_of(arn: str | None) -> str | None:
    """`example.com` from `arn:aws:ses:eu-west-1:111122223333:identity/example.com`."""
    if not arn or ":identity/" not in arn:
        return None
    return arn.split(":identity/", 1)[1]
