"""Evaluate one request against every policy type, with AWS's logic, and keep a full trace.

Order (IAM "Policy evaluation logic", within one account):
1. an explicit Deny in any policy (SCP, resource, identity, boundary) denies;
2. SCPs: every level (root, each OU, the account) needs an applicable Allow;
3. a same-account resource policy that names the user (or session) ARN allows on its own; one that
   names a role ARN allows without an identity policy but stays limited by the boundary; one that
   names the account only delegates to the identity policy; cross-account needs both sides;
4. identity policies must allow, and the permissions boundary (when set) must allow too.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from sestui.policy.conditions import ConditionOutcome
from sestui.policy.document import Effect, Policy, PolicyKind, PrincipalSpec, Statement
from sestui.policy.patterns import action_matches, resource_matches
from sestui.policy.request import Principal, PrincipalKind, Request
from sestui.policy.variables import expand


class Decision(Enum):
    ALLOWED = "Allowed"
    IMPLICITLY_DENIED = "ImplicitlyDenied"
    EXPLICITLY_DENIED = "ExplicitlyDenied"

    @property
    def allowed(self) -> bool:
        return self is Decision.ALLOWED


class Miss(Enum):
    """Why a statement did not apply."""

    ACTION = "action"
    RESOURCE = "resource"
    PRINCIPAL = "principal"
    CONDITION = "condition"


class PrincipalMatch(Enum):
    """How a resource-policy statement names the caller (strongest first)."""

    PRINCIPAL = "principal"  # the user ARN or the session ARN itself
    ROLE = "role"  # the role of an assumed-role session
    WILDCARD = "wildcard"  # "*"
    ACCOUNT = "account"  # the account ID or its :root ARN: delegates to identity policies
    NONE = "none"


_STRENGTH = {m: i for i, m in enumerate(PrincipalMatch)}


class StatementTrace(NamedTuple):
    """One statement against one request: whether it applied, and if not, why not.

    A NamedTuple rather than a frozen dataclass: a trace is built for every statement of every
    evaluation, and tuples are several times cheaper to create.
    """

    policy: Policy
    statement: Statement
    applies: bool
    misses: tuple[Miss, ...]
    conditions: tuple[ConditionOutcome, ...] = ()
    principal_match: PrincipalMatch | None = None
    resource_missing: frozenset[str] = frozenset()
    # A resource-policy Deny with NotPrincipal applies to any principal with a boundary.
    forced_by_boundary: bool = False

    @property
    def effect(self) -> Effect:
        return self.statement.effect

    @property
    def kind(self) -> PolicyKind:
        return self.policy.source.kind

    @property
    def failed_conditions(self) -> tuple[ConditionOutcome, ...]:
        return tuple(c for c in self.conditions if not c.matched)

    @property
    def missing_keys(self) -> frozenset[str]:
        keys: set[str] = set(self.resource_missing)
        for c in self.conditions:
            keys.update(c.missing)
        return frozenset(keys)

    @property
    def near_miss(self) -> bool:
        """An Allow whose action matched but whose resource or conditions did not."""
        return (
            self.effect is Effect.ALLOW
            and not self.applies
            and Miss.ACTION not in self.misses
            and Miss.PRINCIPAL not in self.misses
        )

    def reason(self, unset: Container[str] = ()) -> str:
        """Why the statement does not apply. `unset`: lower-case keys the request leaves unset
        (their value was assumed): a condition on one failed only for that value, and is said
        so, not as "condition not met" as if the request held one."""
        if self.applies:
            return "applies"
        parts: list[str] = []
        for miss in self.misses:
            if miss is Miss.CONDITION:
                failed = self.failed_conditions
                met = [c for c in failed if c.condition.key_lower not in unset]
                assumed = [c for c in failed if c.condition.key_lower in unset]
                if met:
                    parts.append(f"condition not met ({_tests(met)})")
                if assumed:
                    keys = ", ".join(dict.fromkeys(c.condition.key for c in assumed))
                    parts.append(f"{_tests(assumed)} (the request leaves {keys} unset)")
            else:
                parts.append(f"{miss.value} does not match")
        missing = sorted(self.missing_keys)
        if missing:
            parts.append("request lacks " + ", ".join(missing))
        return "; ".join(parts)


def _tests(conditions: Iterable[ConditionOutcome]) -> str:
    return ", ".join(f"{c.condition.operator} {c.condition.key}" for c in conditions)


@dataclass(frozen=True, slots=True)
class ScpLevel:
    index: int
    policies: tuple[Policy, ...]
    allowed: bool


@dataclass(frozen=True, slots=True)
class PolicySet:
    """Every policy that bears on one principal's request to one resource."""

    identity: tuple[Policy, ...] = ()
    boundary: Policy | None = None
    # One tuple per level, root first; None when no SCPs are in force (no organization, or the
    # management account, which SCPs never restrict).
    scp_levels: tuple[tuple[Policy, ...], ...] | None = None
    resource: tuple[Policy, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    request: Request
    decision: Decision
    deciding: PolicyKind | None
    reason: str
    traces: tuple[StatementTrace, ...]
    scp_levels: tuple[ScpLevel, ...] = ()
    identity_allows: bool = False
    boundary_allows: bool | None = None
    resource_grant: PrincipalMatch | None = None
    cross_account: bool = False

    def of_kind(self, kind: PolicyKind) -> tuple[StatementTrace, ...]:
        return tuple(t for t in self.traces if t.kind is kind)

    def denials(self) -> tuple[StatementTrace, ...]:
        """The Deny statements that applied (the explicit denials)."""
        return tuple(t for t in self.traces if t.applies and t.effect is Effect.DENY)

    def allows(self, kind: PolicyKind | None = None) -> tuple[StatementTrace, ...]:
        return tuple(
            t
            for t in self.traces
            if t.applies and t.effect is Effect.ALLOW and (kind is None or t.kind is kind)
        )

    def near_misses(self, kind: PolicyKind | None = None) -> tuple[StatementTrace, ...]:
        """Allow statements that would have applied had the resource or a condition matched."""
        return tuple(t for t in self.traces if t.near_miss and (kind is None or t.kind is kind))

    def missing_keys(self) -> frozenset[str]:
        """Request keys that were absent where a statement's action (and principal) matched:
        the decision may change once the request carries them."""
        keys: set[str] = set()
        for t in self.traces:
            if Miss.ACTION in t.misses or Miss.PRINCIPAL in t.misses:
                continue
            keys.update(t.missing_keys)
        return frozenset(keys)


def _match_principal(spec: PrincipalSpec, p: Principal) -> PrincipalMatch:
    best = PrincipalMatch.NONE
    if spec.wildcard:
        best = PrincipalMatch.WILDCARD

    def better(m: PrincipalMatch) -> None:
        nonlocal best
        if _STRENGTH[m] < _STRENGTH[best]:
            best = m

    for entry in spec.aws:
        if entry == p.arn and p.kind in (PrincipalKind.USER, PrincipalKind.ASSUMED_ROLE):
            better(PrincipalMatch.PRINCIPAL)
        elif entry == p.account or entry == p.account_arn:
            better(PrincipalMatch.ACCOUNT)
        elif p.kind in (PrincipalKind.ASSUMED_ROLE, PrincipalKind.ROLE):
            parts = entry.split(":", 5)
            if (
                len(parts) == 6
                and parts[2] == "iam"
                and parts[4] == p.account
                and parts[5].startswith("role/")
                and parts[5].rsplit("/", 1)[-1] == p.name
            ):
                better(
                    PrincipalMatch.ROLE
                    if p.kind is PrincipalKind.ASSUMED_ROLE
                    else PrincipalMatch.PRINCIPAL
                )
    return best


_ACTION_MISS = (Miss.ACTION,)
# Per compiled statement tuple and action: the indexes of the statements whose Action/NotAction
# can match. Keyed by id() (the tuple is kept in the value and checked, so ids are never reused).
# Bounded like the compiled-policy cache: cleared when full, so reloads cannot grow it forever.
_INDEX: dict[tuple[int, str], tuple[tuple[Statement, ...], tuple[int, ...]]] = {}
INDEX_LIMIT = 1 << 17


def _action_applies(statement: Statement, action: str) -> bool:
    hit = False
    for pattern in statement.actions:
        if action_matches(pattern, action):
            hit = True
            break
    return hit != statement.not_action


def candidates(policy: Policy, action: str) -> tuple[int, ...]:
    """Indexes of the policy's statements whose action element matches (cached)."""
    statements = policy.statements
    key = (id(statements), action.lower())
    found = _INDEX.get(key)
    if found is not None and found[0] is statements:
        return found[1]
    index = tuple(i for i, st in enumerate(statements) if _action_applies(st, action))
    if len(_INDEX) >= INDEX_LIMIT:
        _INDEX.clear()
    _INDEX[key] = (statements, index)
    return index


def evaluate_statement(
    policy: Policy, statement: Statement, request: Request, *, has_boundary: bool = False
) -> StatementTrace:
    if not _action_applies(statement, request.action):
        return StatementTrace(policy, statement, False, _ACTION_MISS)
    return _evaluate_matched(policy, statement, request, has_boundary)


def _evaluate_matched(
    policy: Policy, statement: Statement, request: Request, has_boundary: bool, lite: bool = False
) -> StatementTrace:
    """The rest of a statement, once its action element is known to match. `lite`: a statement
    whose resource or principal misses is not traced further (its conditions are not
    evaluated): only the decision is wanted."""

    misses: list[Miss] = []
    resource_missing: set[str] = set()
    hit = False
    for pattern in statement.resources:
        text: str | None = pattern.text
        if pattern.template is not None:
            text, absent = expand(pattern.template, request.context)
            resource_missing.update(absent)
        if text is not None and resource_matches(text, request.resource):
            hit = True
            break
    if hit == statement.not_resource:
        misses.append(Miss.RESOURCE)

    principal_match: PrincipalMatch | None = None
    forced = False
    if statement.principal is not None:
        principal_match = _match_principal(statement.principal, request.principal)
        named = principal_match is not PrincipalMatch.NONE
        if statement.not_principal:
            # NotPrincipal applies to everyone it does not name; with Deny it also hits any
            # principal that has a permissions boundary (IAM "Permissions boundaries" page).
            if statement.effect is Effect.DENY and has_boundary and named:
                forced = True
            elif named:
                misses.append(Miss.PRINCIPAL)
            principal_match = PrincipalMatch.NONE if named else PrincipalMatch.WILDCARD
        elif not named:
            misses.append(Miss.PRINCIPAL)
    if lite and misses:
        return StatementTrace(policy, statement, False, tuple(misses), (), principal_match)

    outcomes = tuple(c.evaluate(request.context) for c in statement.conditions)
    if not all(o.matched for o in outcomes):
        misses.append(Miss.CONDITION)
    return StatementTrace(
        policy,
        statement,
        not misses,
        tuple(misses),
        outcomes,
        principal_match,
        frozenset(resource_missing),
        forced,
    )


def _trace_all(
    policies: Iterable[Policy], request: Request, has_boundary: bool, full: bool, lite: bool
) -> list[StatementTrace]:
    out: list[StatementTrace] = []
    for p in policies:
        index = candidates(p, request.action)
        if full:
            hits = set(index)
            for i, st in enumerate(p.statements):
                if i in hits:
                    out.append(_evaluate_matched(p, st, request, has_boundary))
                else:
                    out.append(StatementTrace(p, st, False, _ACTION_MISS))
        else:
            statements = p.statements
            for i in index:
                out.append(_evaluate_matched(p, statements[i], request, has_boundary, lite))
    return out


def _any_allow(traces: Sequence[StatementTrace]) -> bool:
    return any(t.applies and t.effect is Effect.ALLOW for t in traces)


_DENY_ORDER = (PolicyKind.SCP, PolicyKind.RESOURCE, PolicyKind.IDENTITY, PolicyKind.BOUNDARY)


def evaluate(
    request: Request, policies: PolicySet, *, full_trace: bool = True, decision_only: bool = False
) -> Evaluation:
    """Decide the request. With full_trace=False, statements whose action element does not
    match are left out of the trace (they cannot change the decision): much faster. With
    decision_only, neither are the conditions of statements whose resource or principal
    misses (for a decision nothing will explain)."""
    has_boundary = policies.boundary is not None
    full = full_trace and not decision_only
    lite = decision_only
    identity = _trace_all(policies.identity, request, has_boundary, full, lite)
    boundary = _trace_all(
        [policies.boundary] if policies.boundary else [], request, has_boundary, full, lite
    )
    resource = _trace_all(policies.resource, request, has_boundary, full, lite)
    scp: list[StatementTrace] = []
    levels: list[ScpLevel] = []
    for i, level_policies in enumerate(policies.scp_levels or ()):
        level_traces = _trace_all(level_policies, request, has_boundary, full, lite)
        scp.extend(level_traces)
        levels.append(ScpLevel(i, tuple(level_policies), _any_allow(level_traces)))
    traces = tuple(scp + resource + identity + boundary)

    identity_allows = _any_allow(identity)
    boundary_allows = _any_allow(boundary) if has_boundary else None
    grant: PrincipalMatch | None = None
    for t in resource:
        if (
            t.applies
            and t.effect is Effect.ALLOW
            and t.principal_match is not None
            and (grant is None or _STRENGTH[t.principal_match] < _STRENGTH[grant])
        ):
            grant = t.principal_match
    cross = request.resource_account != request.principal.account

    def result(decision: Decision, deciding: PolicyKind | None, reason: str) -> Evaluation:
        return Evaluation(
            request,
            decision,
            deciding,
            reason,
            traces,
            tuple(levels),
            identity_allows,
            boundary_allows,
            grant,
            cross,
        )

    denials = [t for t in traces if t.applies and t.effect is Effect.DENY]
    if denials:
        kind = next(k for k in _DENY_ORDER if any(t.kind is k for t in denials))
        first = next(t for t in denials if t.kind is kind)
        return result(
            Decision.EXPLICITLY_DENIED,
            kind,
            f"explicit Deny in {first.policy.source.describe()}, {first.statement.label()}",
        )
    for level in levels:
        if not level.allowed:
            return result(
                Decision.IMPLICITLY_DENIED,
                PolicyKind.SCP,
                f"no service control policy at level {level.index} allows the action",
            )

    if not cross:
        if grant is PrincipalMatch.PRINCIPAL and request.principal.kind is not PrincipalKind.ROLE:
            return result(
                Decision.ALLOWED,
                PolicyKind.RESOURCE,
                "the resource policy names this principal and allows the action",
            )
        if grant in (PrincipalMatch.PRINCIPAL, PrincipalMatch.ROLE, PrincipalMatch.WILDCARD):
            if boundary_allows is False:
                return result(
                    Decision.IMPLICITLY_DENIED,
                    PolicyKind.BOUNDARY,
                    "the resource policy allows, but the permissions boundary does not",
                )
            return result(
                Decision.ALLOWED,
                PolicyKind.RESOURCE,
                "the resource policy allows the action for this principal",
            )
    if not identity_allows:
        if cross and grant is None:
            return result(
                Decision.IMPLICITLY_DENIED,
                PolicyKind.IDENTITY,
                "cross-account: neither the identity policies nor the resource policy "
                "allow the action",
            )
        return result(
            Decision.IMPLICITLY_DENIED,
            PolicyKind.IDENTITY,
            "no identity policy allows the action on this resource",
        )
    if boundary_allows is False:
        return result(
            Decision.IMPLICITLY_DENIED,
            PolicyKind.BOUNDARY,
            "the permissions boundary does not allow the action",
        )
    if cross and grant is None:
        return result(
            Decision.IMPLICITLY_DENIED,
            PolicyKind.RESOURCE,
            "cross-account: the resource policy of the other account does not allow this principal",
        )
    return result(
        Decision.ALLOWED,
        PolicyKind.IDENTITY,
        "an identity policy allows the action"
        + (" and the permissions boundary permits it" if has_boundary else ""),
    )
