"""Who in the organization can send as an identity (and as which identities a principal can
send) agrees, cell by cell, with the decision `sestui check` makes for that one send."""

from __future__ import annotations

import functools

import pytest

from sestui.account import Account, IamPrincipal
from sestui.account.accountset import AccountSet
from sestui.decide import Outcome, SendPath
from sestui.matrix.fast import exact_outcome
from sestui.matrix.org import OrgMatrix, delegate_outcome, identity_arn
from sestui.sources import SourceSpec, open_accounts
from sestui.verdict.analysis import SelectionError

NOW = "2026-11-28T10:00:00Z"


@functools.cache
def demo_org() -> AccountSet:
    return open_accounts(SourceSpec(demo=True))[0]


def reference(m: OrgMatrix, caller: Account, p: IamPrincipal, owner: Account, name: str) -> Outcome:
    if caller is owner:
        return exact_outcome(caller, m.base, p, name)
    return delegate_outcome(caller, owner, m.base, p, identity_arn(owner, m.region, name))


def every_identity(accounts: AccountSet) -> list[tuple[str, str, str]]:
    return [
        (a.account_id, region, name)
        for a in accounts
        for region, state in a.regions.items()
        for name in sorted(state.identities)
    ]


@pytest.mark.parametrize("path", [SendPath.SMTP, SendPath.API_V2])
def test_org_column_equals_the_per_cell_decision(path: SendPath) -> None:
    accounts = demo_org()
    refused = 0
    for account_id, region, name in every_identity(accounts):
        owner = accounts.account(account_id)
        assert owner is not None
        m = OrgMatrix(accounts, region, path=path, now=NOW)
        col = m.column(owner, name)
        want = {
            p.arn: reference(m, caller, p, owner, name)
            for caller in accounts
            for p in caller.principals
        }
        assert col == want, (region, name)
        refused += m.refused_accounts
    assert refused  # the owner's policy names no other account: refused without evaluating


def test_the_central_identity_column() -> None:
    """The central email account's identity: its delegate senders in the workload accounts are
    decided on both sides (the demo's cross-account cases)."""
    accounts = demo_org()
    central = accounts.account("222233334444")
    assert central is not None
    m = OrgMatrix(accounts, "eu-west-1", path=SendPath.API_V2, now=NOW)
    col = m.column(central, "notify.example.org")
    by_name = {arn.rsplit("/", 1)[1]: o for arn, o in col.items() if ":333344445555:" in arn}
    assert by_name["orders-app"] is Outcome.ALLOWED
    assert Outcome.DENIED in by_name.values()
    assert m.exact_cells  # the workload account is named: decided exactly
    # A principal of the demo account (not named by the policy) is refused outright.
    assert col["arn:aws:iam::111122223333:user/eu-mailer"] is Outcome.DENIED


def test_org_row_equals_the_per_cell_decision() -> None:
    accounts = demo_org()
    for caller in accounts:
        for p in caller.principals:
            m = OrgMatrix(accounts, "eu-west-1", now=NOW)
            row = m.row(caller, p)
            want = {}
            for owner in accounts:
                state = owner.regions.get("eu-west-1")
                for name in sorted(state.identities) if state else []:
                    arn = identity_arn(owner, "eu-west-1", name)
                    want[arn] = reference(m, caller, p, owner, name)
            assert row == want, p.arn


def test_an_unknown_identity_is_refused() -> None:
    accounts = demo_org()
    central = accounts.account("222233334444")
    assert central is not None
    with pytest.raises(SelectionError, match=r"no identity 'nosuch\.example' in eu-west-1"):
        OrgMatrix(accounts, "eu-west-1").column(central, "nosuch.example")
