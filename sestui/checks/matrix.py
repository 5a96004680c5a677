"""The who-can-send matrix of one region: principals × identities, one outcome per cell.

Principals with the same effective policies (same documents, boundary, tags and kind) share one
evaluation per identity: the cache key is their policy fingerprint, not their name.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sestui.account import Account, IamPrincipal
from sestui.checks.analysis import SelectionError, analyze
from sestui.checks.model import Outcome
from sestui.checks.run import decide
from sestui.checks.selection import Selection, SendPath


@dataclass(frozen=True, slots=True)
class Matrix:
    region: str
    principals: tuple[IamPrincipal, ...]
    identities: tuple[str, ...]
    cells: tuple[tuple[Outcome, ...], ...]  # [principal][identity]
    evaluated: int  # distinct (policy set, identity) pairs actually evaluated

    def outcome(self, principal: str, identity: str) -> Outcome:
        i = next(n for n, p in enumerate(self.principals) if p.name == principal)
        return self.cells[i][self.identities.index(identity)]


def fingerprint(account: Account, p: IamPrincipal) -> tuple[object, ...]:
    """Everything about a principal that the decision can depend on, except its name/ARN when no
    policy mentions principals by name (conditions on aws:username or ARNs make it part)."""
    pp = account.policies_for(p)
    docs = tuple(d.fingerprint for d in pp.identity)
    boundary = pp.boundary.fingerprint if pp.boundary else None
    text = " ".join(docs) + (boundary or "")
    personal = (
        "${aws:username}" in text
        or "aws:username" in text.lower()
        or "principalarn" in text.lower()
        or "aws:userid" in text.lower()
    )
    scp_text = (
        ""
        if account.organization.levels is None
        else " ".join(
            d.fingerprint for lv in account.organization.levels for d in lv.policies
        ).lower()
    )
    personal = personal or "principal" in scp_text
    return (p.type, docs, boundary, pp.unknown, p.tags, p.arn if personal else None)


def column(
    account: Account,
    region: str,
    identity: str,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    principals: Iterable[IamPrincipal] | None = None,
    cache: dict[tuple[object, ...], Outcome] | None = None,
) -> dict[str, Outcome]:
    """Every principal's outcome for one identity (by principal ARN)."""
    state = account.regions.get(region)
    if state is None or identity not in state.identities:
        raise SelectionError(f"no identity {identity!r} in {region}")
    memo = cache if cache is not None else {}
    # A sending-authorization policy may name principals: decide those identities per ARN.
    personal = bool(state.identities[identity].policies)
    out: dict[str, Outcome] = {}
    for p in principals if principals is not None else account.principals:
        key = (fingerprint(account, p), identity, path, actions, p.arn if personal else None)
        outcome = memo.get(key)
        if outcome is None:
            sel = Selection(p.arn, region, identity=identity, path=path, actions=actions)
            outcome = memo[key] = decide(analyze(account, sel), ()).outcome
        out[p.arn] = outcome
    return out


def who_can_send(
    account: Account,
    region: str,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    principals: Iterable[IamPrincipal] | None = None,
) -> Matrix:
    state = account.regions.get(region)
    if state is None:
        raise SelectionError(f"region {region} has no SES data in this account")
    names = tuple(sorted(state.identities))
    people = tuple(principals if principals is not None else account.principals)
    cache: dict[tuple[object, ...], Outcome] = {}
    columns = [
        column(account, region, n, path=path, actions=actions, principals=people, cache=cache)
        for n in names
    ]
    rows = tuple(tuple(col[p.arn] for col in columns) for p in people)
    return Matrix(region, people, names, rows, len(cache))
