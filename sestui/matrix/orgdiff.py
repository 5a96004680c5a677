"""`sestui diff` of organization snapshots (or several accounts): each account's own diff, and
the delegate sends across accounts whose verdict changed.

Within an account the single-account diff does the work (sestui/matrix/diff.py). Across
accounts a verdict can change only when the caller's account changed (its principals' policies,
groups, boundaries, SCPs) or the owner's identity did (its sending-authorization policies, its
verification); and only where the owner's policy can grant the caller's account on one side or
the other — elsewhere every principal is refused on both sides. Those cells are decided by the
organization matrix (sestui/matrix/org.py), as `sestui check` decides them. A side's changes are
listed as causes of a changed cell only if they make a difference to it: the cell is decided
again with the old owner and the new caller, and the new owner and the old caller.

A send allowed in the old snapshot whose principal's or identity's account is gone from the new
one is lost with it (allowed → absent); a send allowed with an account only in the new snapshot
is gained (absent → allowed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from sestui.account import Account
from sestui.account.accountset import AccountSet
from sestui.matrix.diff import (
    ACCOUNT,
    SnapshotDiff,
    VerdictChange,
    diff_accounts,
    identity_subjects,
    principal_subjects,
)
from sestui.matrix.org import OrgMatrix, identity_arn
from sestui.verdict.model import Outcome
from sestui.verdict.selection import SendPath

# Cause keys (after "ACCOUNT_ID/") of the delegate sends of an account in one snapshot only.
ACCOUNT_REMOVED = "account/removed"
ACCOUNT_ADDED = "account/added"


@dataclass(frozen=True)
class AccountDiff:
    account_id: str
    title: str
    diff: SnapshotDiff


@dataclass(frozen=True)
class OrgDiff:
    path: SendPath
    actions: tuple[str, ...]
    accounts: tuple[AccountDiff, ...]  # accounts in both: each one's own diff
    accounts_only_old: tuple[str, ...]  # account titles
    accounts_only_new: tuple[str, ...]
    # Delegate sends (principal of one account, identity ARN of another) whose verdict changed;
    # causes are "ACCOUNT_ID/change key" of the account diff that holds the change, or
    # "ACCOUNT_ID/account/removed" (".../added") for a send allowed in the old snapshot (the
    # new one) whose principal's or identity's account is gone from the other.
    cross: tuple[VerdictChange, ...]
    # The title of every account compared, in either snapshot (the new one's where in both).
    titles: Mapping[str, str]

    @property
    def verdict_changed(self) -> bool:
        return bool(self.cross) or any(a.diff.verdict_changed for a in self.accounts)

    def account(self, account_id: str) -> AccountDiff | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)

    def title(self, account_id: str) -> str:
        """The title of an account compared, in both snapshots or in one of them."""
        return self.titles.get(account_id, account_id)


def _identities(account: Account | None, region: str) -> set[str]:
    state = account.regions.get(region) if account else None
    return set(state.identities) if state else set()


def diff_account_sets(
    old: AccountSet,
    new: AccountSet,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    regions: tuple[str, ...] | None = None,
    now: str | None = None,
) -> OrgDiff:
    now = now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    a_by = {a.account_id: a for a in old}
    b_by = {a.account_id: a for a in new}
    both = sorted(a_by.keys() & b_by.keys())
    diffs = {
        i: diff_accounts(a_by[i], b_by[i], path=path, actions=actions, regions=regions, now=now)
        for i in both
    }
    changed = {i for i in both if diffs[i].changes}
    cross: list[VerdictChange] = []
    common = sorted(
        {r for i in both for r in a_by[i].regions.keys() & b_by[i].regions.keys()}
        & set(regions if regions is not None else {r for i in both for r in b_by[i].regions})
    )
    for region in common:
        sides = (
            OrgMatrix(old, region, path=path, actions=actions, now=now),
            OrgMatrix(new, region, path=path, actions=actions, now=now),
        )
        for owner_id in both:
            owners = (a_by[owner_id], b_by[owner_id])
            for name in sorted(_identities(owners[0], region) | _identities(owners[1], region)):
                subjects = identity_subjects(region, name)
                own = [c for c in diffs[owner_id].changes if c.subject in subjects]
                for caller_id in both:
                    if caller_id == owner_id or not (own or caller_id in changed):
                        continue
                    cross += _cells(
                        sides, owners, (a_by[caller_id], b_by[caller_id]), region, name,
                        diffs, [f"{owner_id}/{c.key}" for c in own],
                    )  # fmt: skip
    only_old, only_new = a_by.keys() - b_by.keys(), b_by.keys() - a_by.keys()
    for accounts, only, key in ((old, only_old, ACCOUNT_REMOVED), (new, only_new, ACCOUNT_ADDED)):
        cross += _unmatched(accounts, only, key, regions, path=path, actions=actions, now=now)
    return OrgDiff(
        path,
        actions,
        tuple(AccountDiff(i, b_by[i].title, diffs[i]) for i in both),
        tuple(a_by[i].title for i in sorted(only_old)),
        tuple(b_by[i].title for i in sorted(only_new)),
        tuple(cross),
        {i: a.title for i, a in (a_by | b_by).items()},
    )


def _column(
    org: OrgMatrix, owner: Account, caller: Account, region: str, name: str
) -> dict[str, Outcome]:
    """The caller account's principals sending as `name` of `owner` (another account): refused
    without evaluating where the owner's policies cannot grant the caller's account; none
    without the identity."""
    if name not in _identities(owner, region):
        return {}
    if not org.may_grant(owner, name, caller):
        return dict.fromkeys((p.arn for p in caller.principals), Outcome.DENIED)
    return org.delegate_cells(caller, owner, name)


def _differs(x: Outcome | None, y: Outcome | None) -> bool:
    """Whether a cell changed: a principal or identity that appears or goes away matters only
    if it could send."""
    return x != y and ((x is not None and y is not None) or Outcome.ALLOWED in (x, y))


def _cells(
    sides: tuple[OrgMatrix, OrgMatrix],
    owners: tuple[Account, Account],
    callers: tuple[Account, Account],
    region: str,
    name: str,
    diffs: dict[str, SnapshotDiff],
    owner_causes: list[str],
) -> list[VerdictChange]:
    """The delegate cells of one caller account and one identity that changed, each with the
    changes of the side (owner, caller) that made a difference to it."""
    if not any(
        name in _identities(owner, region) and org.may_grant(owner, name, caller)
        for org, owner, caller in zip(sides, owners, callers, strict=True)
    ):
        return []  # refused (or absent) on both sides: nothing can have changed
    # cells[i, j]: the owner of side i (0 old, 1 new) and the caller of side j.
    cells = {(i, i): _column(sides[i], owners[i], callers[i], region, name) for i in (0, 1)}
    people = {p.arn: p for c in callers for p in c.principals}
    flipped = [a for a in sorted(people) if _differs(cells[0, 0].get(a), cells[1, 1].get(a))]
    if not flipped:
        return []
    for i, j in ((1, 0), (0, 1)):  # the counterfactual mixes, decided as the sides are
        mixed = AccountSet((owners[i], callers[j]))
        org = OrgMatrix(
            mixed, region, path=sides[0].path, actions=sides[0].actions, now=sides[0].now
        )
        cells[i, j] = _column(org, owners[i], callers[j], region, name)
    out = []
    arn = identity_arn(owners[1], region, name)
    caller_diff = diffs[callers[1].account_id]
    now_there = {q.arn for q in callers[1].principals}
    for principal in flipped:
        at = {k: c.get(principal) for k, c in cells.items()}
        # A side's changes are causes iff swapping that side alone changes the outcome, with
        # the other side's old or new state.
        owner_matters = at[1, 0] != at[0, 0] or at[1, 1] != at[0, 1]
        caller_matters = at[0, 1] != at[0, 0] or at[1, 1] != at[1, 0]
        p = people[principal]
        account = callers[1] if principal in now_there else callers[0]
        reach = principal_subjects(account, p) | {ACCOUNT}
        causes = (owner_causes if owner_matters else []) + [
            f"{callers[1].account_id}/{c.key}"
            for c in caller_diff.changes
            if caller_matters and c.subject in reach
        ]
        out.append(
            VerdictChange(region, principal, p.label, arn, at[0, 0], at[1, 1], tuple(causes))
        )
    return out


def _unmatched(
    accounts: AccountSet,
    only: set[str],
    key: str,
    regions: tuple[str, ...] | None,
    *,
    path: SendPath,
    actions: tuple[str, ...],
    now: str,
) -> list[VerdictChange]:
    """The delegate sends allowed in one snapshot whose principal's or identity's account is in
    that snapshot only (`only`): lost with the account (the old snapshot, `ACCOUNT_REMOVED`) or
    gained with it (the new one, `ACCOUNT_ADDED`)."""
    if not only:
        return []
    out: list[VerdictChange] = []
    before, after = (Outcome.ALLOWED, None) if key == ACCOUNT_REMOVED else (None, Outcome.ALLOWED)
    present = {r for a in accounts for r in a.regions}
    for region in sorted(present if regions is None else present & set(regions)):
        org = OrgMatrix(accounts, region, path=path, actions=actions, now=now)
        for owner in accounts:
            for name in sorted(_identities(owner, region)):
                arn = identity_arn(owner, region, name)
                for caller in accounts:
                    gone = sorted({owner.account_id, caller.account_id} & only)
                    if caller is owner or not gone or not org.may_grant(owner, name, caller):
                        continue
                    causes = tuple(f"{i}/{key}" for i in gone)
                    cells = org.delegate_cells(caller, owner, name)
                    for p in caller.principals:
                        if cells[p.arn] is Outcome.ALLOWED:
                            out.append(
                                VerdictChange(region, p.arn, p.label, arn, before, after, causes)
                            )
    return out
