"""Who in an organization can send as one identity, and as which identities one principal can
send: the who-can-send matrix across loaded accounts.

The identity's own account is decided by the fast matrix (`exact.column` / `FastMatrix.row`).
A principal of another account sends as a delegate sender: SES needs the owner's
sending-authorization policy to allow it explicitly (its ARN, its account, or `*`/NotPrincipal)
as well as its own account's policies and SCPs. So an account that no Allow statement of the
owner's policies can name is refused for every principal without evaluating anything; the
accounts it may grant are decided exactly (`decide(analyze(...))`, what `sestui check` decides),
once per principal fingerprint unless the owner's policy tells principals apart.
`tests/matrix/test_org.py` compares every cell with the per-cell decision.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sestui.account import Account, IamPrincipal
from sestui.account.accountset import AccountSet
from sestui.decide.decision import decide
from sestui.matrix.exact import Cancelled, column
from sestui.matrix.fast import FastMatrix, utc_now
from sestui.matrix.fingerprint import Fingerprinter
from sestui.policy import Effect, PolicyError
from sestui.verdict.analysis import SelectionError, analyze
from sestui.verdict.model import Outcome
from sestui.verdict.selection import Selection, SendPath

_ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
# Owner-policy words that can tell principals of one account apart (then each is decided alone).
_PERSONAL = (
    "principalarn",
    "aws:username",
    "aws:userid",
    "principaltag",
    "${aws:",
    ":user/",
    ":role/",
    ":assumed-role/",
    "sourceidentity",
)


def identity_arn(account: Account, region: str, name: str) -> str:
    return f"arn:{account.partition}:ses:{region}:{account.account_id}:identity/{name}"


@dataclass(frozen=True, slots=True)
class _Grants:
    """What an identity's sending-authorization policies can grant to other accounts."""

    accounts: frozenset[str] | None  # account IDs an Allow names; None: possibly any
    personal: bool  # the policies can treat principals of one account differently


def _grants(owner: Account, region: str, name: str) -> _Grants:
    state = owner.regions.get(region)
    identity = state.identity(name) if state else None
    # Without the identity (unverified), its policies unread or unparsable: decide exactly.
    if identity is None or not identity.policies_known or not identity.verification_known:
        return _Grants(None, True)
    named: set[str] = set()
    personal = False
    for doc in identity.policies:
        try:
            policy = doc.policy
        except PolicyError:
            return _Grants(None, True)
        low = doc.fingerprint.lower()
        personal = personal or any(word in low for word in _PERSONAL)
        for st in policy.statements:
            if st.effect is not Effect.ALLOW:
                continue
            if st.not_principal or st.principal is None or st.principal.wildcard:
                return _Grants(None, personal)
            for value in st.principal.aws:
                if "*" in value:
                    return _Grants(None, personal)
                named.update(_ACCOUNT_ID.findall(value))
    return _Grants(frozenset(named), personal)


def _doubtful(caller: Account, p: IamPrincipal) -> bool:
    """Whether a refused cell could still read UNDECIDED: attached policies not read, or one
    that does not parse (the verdict then says it cannot be sure)."""
    pp = caller.policies_for(p)
    if pp.unknown:
        return True
    docs = [*pp.identity, *([pp.boundary] if pp.boundary else [])]
    for level in caller.organization.levels or ():
        docs.extend(level.policies)
    try:
        for d in docs:
            d.policy  # noqa: B018 - parsed on first use; an error is the doubt
    except PolicyError:
        return True
    return False


def delegate_outcome(
    caller: Account, owner: Account, base: Selection, p: IamPrincipal, arn: str
) -> Outcome:
    """One cross-account cell decided on its own, as `sestui check` decides it (the reference)."""
    sel = Selection(
        p.arn,
        base.region,
        identity=arn,
        path=base.path,
        actions=base.actions,
        current_time=base.current_time,
        role=not p.is_user,
    )
    return decide(analyze(caller, sel, owner=owner), ()).outcome


@dataclass
class OrgMatrix:
    """The matrix over every loaded account of one region (one request: path and actions)."""

    accounts: AccountSet
    region: str
    path: SendPath = SendPath.SMTP
    actions: tuple[str, ...] = ()
    now: str = field(default_factory=utc_now)
    exact_cells: int = field(default=0, init=False)  # cross-account cells decided exactly
    refused_accounts: int = field(default=0, init=False)  # accounts refused without evaluating

    def __post_init__(self) -> None:
        self.base = Selection(
            "", self.region, path=self.path, actions=self.actions, current_time=self.now
        )
        self._prints: dict[str, Fingerprinter] = {}
        self._grants: dict[tuple[str, str], _Grants] = {}

    def _fingerprint(self, caller: Account, p: IamPrincipal) -> tuple[object, ...]:
        found = self._prints.get(caller.account_id)
        if found is None:
            found = self._prints[caller.account_id] = Fingerprinter(caller)
        return found(p)

    def _owner_grants(self, owner: Account, name: str) -> _Grants:
        key = (owner.account_id, name)
        found = self._grants.get(key)
        if found is None:
            found = self._grants[key] = _grants(owner, self.region, name)
        return found

    def _delegates(
        self,
        caller: Account,
        owner: Account,
        name: str,
        people: Iterable[IamPrincipal],
        memo: dict[tuple[object, ...], Outcome],
    ) -> dict[str, Outcome]:
        """The caller account's principals sending as another account's identity."""
        grants = self._owner_grants(owner, name)
        people = list(people)
        if grants.accounts is not None and caller.account_id not in grants.accounts:
            self.refused_accounts += 1
            out = {}
            for p in people:
                if _doubtful(caller, p):
                    out[p.arn] = self._exact(caller, owner, p, name)
                else:
                    out[p.arn] = Outcome.DENIED
            return out
        out = {}
        arn = identity_arn(owner, self.region, name)
        for p in people:
            key = (
                caller.account_id,
                self._fingerprint(caller, p),
                p.arn if grants.personal else None,
            )
            found = memo.get(key)
            if found is None:
                found = memo[key] = self._exact(caller, owner, p, name, arn)
            out[p.arn] = found
        return out

    def _exact(
        self, caller: Account, owner: Account, p: IamPrincipal, name: str, arn: str | None = None
    ) -> Outcome:
        self.exact_cells += 1
        return delegate_outcome(
            caller, owner, self.base, p, arn or identity_arn(owner, self.region, name)
        )

    def may_grant(self, owner: Account, name: str, caller: Account) -> bool:
        """Whether the identity's sending-authorization policies can grant some principal of
        `caller` (another account): elsewhere every one of them is refused."""
        grants = self._owner_grants(owner, name)
        return grants.accounts is None or caller.account_id in grants.accounts

    def delegate_cells(self, caller: Account, owner: Account, name: str) -> dict[str, Outcome]:
        """Every principal of `caller` sending as `name` of another account, `owner`."""
        return self._delegates(caller, owner, name, caller.principals, {})

    def column(
        self, owner: Account, name: str, cancelled: Callable[[], bool] | None = None
    ) -> dict[str, Outcome]:
        """Every loaded principal's outcome sending as `name` of `owner` (by principal ARN).
        `cancelled` is polled once per account; when it returns True the work stops with
        `Cancelled`."""
        state = owner.regions.get(self.region)
        if state is None or name not in state.identities:
            raise SelectionError(f"no identity {name!r} in {self.region} of account {owner.title}")
        out: dict[str, Outcome] = {}
        memo: dict[tuple[object, ...], Outcome] = {}
        for account in self.accounts:
            if cancelled is not None and cancelled():
                raise Cancelled
            if account is owner:
                out.update(
                    column(
                        owner,
                        self.region,
                        name,
                        path=self.path,
                        actions=self.actions,
                        now=self.now,
                    )
                )
            else:
                out.update(self._delegates(account, owner, name, account.principals, memo))
        return out

    def row(self, caller: Account, p: IamPrincipal) -> dict[str, Outcome]:
        """One principal's outcome for every loaded identity of the region (by identity ARN)."""
        out: dict[str, Outcome] = {}
        for account in self.accounts:
            state = account.regions.get(self.region)
            if state is None or not state.identities:
                continue
            names = tuple(sorted(state.identities))
            if account is caller:
                engine = FastMatrix(caller, self.region, names, self.path, self.actions, self.now)
                for name, outcome in zip(names, engine.row(p), strict=True):
                    out[identity_arn(caller, self.region, name)] = outcome
                continue
            for name in names:
                cell = self._delegates(caller, account, name, (p,), {})
                out[identity_arn(account, self.region, name)] = cell[p.arn]
        return out
