"""`sestui diff` of organization snapshots (or several accounts): each account's own diff, and
the delegate sends across accounts whose verdict changed.

Within an account the single-account diff does the work (sestui/matrix/diff.py). Across
accounts a verdict can change only when the caller's account changed (its principals' policies,
groups, boundaries, SCPs) or the owner's identity did (its sending-authorization policies, its
verification); and only where the owner's policy can grant the caller's account on one side or
the other — elsewhere every principal is refused on both sides. Those cells are decided by the
organization matrix (sestui/matrix/org.py), as `sestui check` decides them.
"""

from __future__ import annotations

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
    # causes are "ACCOUNT_ID/change key" of the account diff that holds the change.
    cross: tuple[VerdictChange, ...]

    @property
    def verdict_changed(self) -> bool:
        return bool(self.cross) or any(a.diff.verdict_changed for a in self.accounts)

    def account(self, account_id: str) -> AccountDiff | None:
        return next((a for a in self.accounts if a.account_id == account_id), None)


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
    return OrgDiff(
        path,
        actions,
        tuple(AccountDiff(i, b_by[i].title, diffs[i]) for i in both),
        tuple(a_by[i].title for i in sorted(a_by.keys() - b_by.keys())),
        tuple(b_by[i].title for i in sorted(b_by.keys() - a_by.keys())),
        tuple(cross),
    )


def _cells(
    sides: tuple[OrgMatrix, OrgMatrix],
    owners: tuple[Account, Account],
    callers: tuple[Account, Account],
    region: str,
    name: str,
    diffs: dict[str, SnapshotDiff],
    owner_causes: list[str],
) -> list[VerdictChange]:
    """The delegate cells of one caller account and one identity that changed."""
    outcomes: list[dict[str, Outcome]] = []
    for org, owner, caller in zip(sides, owners, callers, strict=True):
        if name not in _identities(owner, region) or not org.may_grant(owner, name, caller):
            outcomes.append({})  # no identity, or refused for every principal: see below
            continue
        outcomes.append(org.delegate_cells(caller, owner, name))
    if not outcomes[0] and not outcomes[1]:
        return []  # refused (or absent) on both sides: nothing can have changed
    people = {p.arn: p for c in callers for p in c.principals}
    out = []
    arn = identity_arn(owners[1], region, name)
    caller_diff = diffs[callers[1].account_id]
    now_there = {q.arn for q in callers[1].principals}
    for principal in sorted(outcomes[0].keys() | outcomes[1].keys()):
        x = outcomes[0].get(principal, _refused(owners[0], callers[0], region, name, principal))
        y = outcomes[1].get(principal, _refused(owners[1], callers[1], region, name, principal))
        if x == y or ((x is None or y is None) and Outcome.ALLOWED not in (x, y)):
            continue
        p = people[principal]
        account = callers[1] if principal in now_there else callers[0]
        reach = principal_subjects(account, p) | {ACCOUNT}
        causes = tuple(
            owner_causes
            + [
                f"{callers[1].account_id}/{c.key}"
                for c in caller_diff.changes
                if c.subject in reach
            ]
        )
        out.append(VerdictChange(region, principal, p.label, arn, x, y, causes))
    return out


def _refused(
    owner: Account, caller: Account, region: str, name: str, principal: str
) -> Outcome | None:
    """A cell not computed on one side: refused when the identity and the principal exist
    there (the owner's policy cannot grant its account), else absent."""
    if name not in _identities(owner, region) or caller.principal(principal) is None:
        return None
    return Outcome.DENIED
