"""The who-can-send matrix at account scale: statements evaluated over every identity at once.

Each statement's outcome (resource matched, conditions met, condition keys missing) is computed
as a bitset over the region's identities — resource patterns matched once per distinct pattern,
conditions evaluated once (or per identity when they read `ses:FromAddress`) — and cached per
statement. A principal's row is then a handful of big-integer ORs over the statements of its
policy set, evaluated once per policy-set fingerprint, following the engine's order (explicit
Deny, SCP levels, resource-policy grants, identity policies, boundary) and the verdict's rules for
undecided outcomes. A statement whose conditions hold for some values of the request's unknown
keys and not for others (sestui/verdict/unknowns.py) counts in both directions: the cell is
undecided when the best and the worst case differ. When two kinds of such statement read one key
(their values are tied, so the best and the worst case may not both be reachable), the cell is
settled over the key's values as `unknowns.settle` does, but only over those statements and the
cell's constant bits, once per class of cells that read the same statements and key values
(`FastMatrix._settle`). Cells that need principal-specific treatment (a sending-authorization
policy naming the principal, NotPrincipal, unreadable or unparsable policies) and tied cells
that cannot be settled so (a Resource with policy variables, too many combinations) are decided
by the exact per-cell path. `tests/matrix/test_matrix.py` and `test_tied.py` prove they agree.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from sestui.account import Account, IamPrincipal, OrgStatus, PolicyDocument
from sestui.decide.decision import outcome_of
from sestui.matrix.fingerprint import Fingerprinter
from sestui.policy import (
    Condition,
    Effect,
    Miss,
    Policy,
    PolicyError,
    PrincipalMatch,
    Request,
    Statement,
    evaluate_statement,
    glob_match,
    resource_matches,
)
from sestui.policy.evaluate import candidates
from sestui.policy.request import normalize_context
from sestui.verdict.analysis import SelectionError, request_context, resolve_identity
from sestui.verdict.context import (
    ABSENT,
    MESSAGE_ACTIONS,
    MESSAGE_KEYS,
    PERSONAL_KEYS,
    RequestContext,
    Unknown,
    for_action,
)
from sestui.verdict.model import Outcome
from sestui.verdict.selection import TEMPLATED_ACTIONS, Selection, SendPath
from sestui.verdict.unknowns import (
    MAX_EVALUATIONS,
    conditions_settled,
    keys_read,
    options,
    reads_unknown,
    sample_values,
)

_PRINCIPAL_KEYS = (
    "aws:principal",
    "aws:username",
    "aws:userid",
    "aws:sourceidentity",
    *PERSONAL_KEYS,
)
# A request context for the fast path: the normalized known keys, and which keys are unknown.
_Ctx = tuple[dict[str, object], RequestContext]


# Keyed by id() with the statement kept and checked; cleared when full (reloads bring new ones).
_READS: dict[int, tuple[Statement, bool]] = {}
READS_LIMIT = 1 << 17


def _reads_principal(statement: Statement) -> bool:
    """Whether the statement's outcome can differ between principals with equal policies."""
    found = _READS.get(id(statement))
    if found is not None and found[0] is statement:
        return found[1]
    reads = any(r.template is not None for r in statement.resources) or any(
        c.templates is not None or c.key_lower.startswith(_PRINCIPAL_KEYS)
        for c in statement.conditions
    )
    if len(_READS) >= READS_LIMIT:
        _READS.clear()
    _READS[id(statement)] = (statement, reads)
    return reads


@dataclass(frozen=True, slots=True)
class _Target:
    action: str
    resources: tuple[str | None, ...]  # per identity; None: this target is not in the request
    present: int
    rp: bool  # the identity's sending-authorization policies apply (identity ARN targets)


@dataclass
class _Agg:
    """OR-ed bits of one policy kind for one target. A statement either applies (`*_app`),
    or not, or whether it applies depends on unknown request keys (`*_var`)."""

    allow_app: int = 0
    allow_var: int = 0
    deny_app: int = 0
    deny_var: int = 0
    # Per unknown key, per kind of `*_var` statement reading it (its effect and conditions): the
    # identities where one does. Statements of one kind apply together; two kinds reading one key
    # are tied (one key, one value) and may not reach both bounds: `FastMatrix._settle` tries the
    # key's values on those cells.
    readers: dict[str, dict[object, int]] = field(default_factory=dict)
    # The `*_var` statements themselves, with the identities where each is one.
    varying: list[tuple[Statement, int]] = field(default_factory=list)

    def add(
        self,
        effect: Effect,
        app: int,
        var: int,
        st: Statement | None = None,
        keys: Iterable[str] = (),
    ) -> None:
        if effect is Effect.ALLOW:
            self.allow_app |= app
            self.allow_var |= var
        else:
            self.deny_app |= app
            self.deny_var |= var
        if var:
            if st is not None:
                self.varying.append((st, var))
            for k in keys:
                by = self.readers.setdefault(k, {})
                kind = (effect, st.conditions if st is not None else None)
                by[kind] = by.get(kind, 0) | var

    def merge(self, other: _Agg) -> _Agg:
        """OR other into self (in place) and return self."""
        self.allow_app |= other.allow_app
        self.allow_var |= other.allow_var
        self.deny_app |= other.deny_app
        self.deny_var |= other.deny_var
        for k, by_other in other.readers.items():
            by = self.readers.setdefault(k, {})
            for sid, bits in by_other.items():
                by[sid] = by.get(sid, 0) | bits
        self.varying.extend(other.varying)
        return self


def _shared(aggs: Iterable[_Agg]) -> int:
    """The identities where two different kinds of `*_var` statement read one unknown key."""
    readers: dict[str, dict[object, int]] = {}
    for agg in aggs:
        for k, by_agg in agg.readers.items():
            by = readers.setdefault(k, {})
            for kind, bits in by_agg.items():
                by[kind] = by.get(kind, 0) | bits
    out = 0
    for by in readers.values():
        seen = 0
        for bits in by.values():
            out |= seen & bits
            seen |= bits
    return out


@dataclass(frozen=True, slots=True)
class _Parts:
    """One target's aggregates for one principal: what a tied cell is settled from."""

    t: int
    present: int
    explicit: int  # an explicit Deny applies whatever the unknown keys hold
    ident: _Agg
    bnd: _Agg | None  # None: no permissions boundary
    levels: tuple[_Agg, ...] | None  # None: no SCPs in force
    rp: _Agg  # every identity's sending-authorization policies (bits per identity)
    grant: int  # a sending-authorization policy grants any principal, whatever the keys hold

    def features(self) -> Iterable[int]:
        """Bitsets on which a cell's settling depends (besides its varying statements)."""
        yield self.present
        yield self.explicit
        yield self.ident.allow_app
        yield self.grant
        if self.bnd is not None:
            yield self.bnd.allow_app
        for lv in self.levels or ():
            yield lv.allow_app

    def aggs(self) -> Iterable[_Agg]:
        yield self.ident
        if self.bnd is not None:
            yield self.bnd
        yield from self.levels or ()


@dataclass(frozen=True, slots=True)
class _Cell:
    """One target of a tied cell: its context and the statements that vary with the keys."""

    rc: RequestContext
    base: dict[str, object]  # normalized known values, and the unknown keys' samples
    deny: list[Statement]  # every kind: identity, boundary, SCP, sending-authorization
    allow_fixed: bool  # an identity Allow or a grant applies whatever the keys hold
    allows: list[Statement]  # identity Allows and grants to any principal
    boundary: tuple[bool, list[Statement]] | None  # (an Allow applies for certain, varying)
    levels: list[tuple[bool, list[Statement]]]  # per SCP level, as the boundary

    def decide(self, ctx: dict[str, object]) -> tuple[bool, bool]:
        """(explicitly denied, allowed) in one completion."""

        def applies(st: Statement) -> bool:
            return all(c.evaluate(ctx).matched for c in st.conditions)  # type: ignore[arg-type]

        if any(applies(st) for st in self.deny):
            return True, False
        allowed = (
            all(fixed or any(applies(st) for st in lst) for fixed, lst in self.levels)
            and (self.boundary is None or self.boundary[0] or any(map(applies, self.boundary[1])))
            and (self.allow_fixed or any(applies(st) for st in self.allows))
        )
        return False, allowed


_KEYS: dict[int, tuple[Statement, tuple[str, ...]]] = {}


def _keys_of(st: Statement) -> tuple[str, ...]:
    """Every request key the statement reads, sorted."""
    found = _KEYS.get(id(st))
    if found is not None and found[0] is st:
        return found[1]
    keys = tuple(sorted(keys_read((st,))[0]))
    if len(_KEYS) >= READS_LIMIT:
        _KEYS.clear()
    _KEYS[id(st)] = (st, keys)
    return keys


# A policy's statements -> whether one reads principal keys (`_reads_principal`).
_POLICY_READS: dict[int, tuple[tuple[Statement, ...], bool]] = {}


def _policy_reads_principal(policy: Policy) -> bool:
    statements = policy.statements
    found = _POLICY_READS.get(id(statements))
    if found is not None and found[0] is statements:
        return found[1]
    reads = any(_reads_principal(st) for st in statements)
    if len(_POLICY_READS) >= READS_LIMIT:
        _POLICY_READS.clear()
    _POLICY_READS[id(statements)] = (statements, reads)
    return reads


@dataclass
class FastMatrix:
    account: Account
    region: str
    names: tuple[str, ...]
    path: SendPath = SendPath.SMTP
    actions: tuple[str, ...] = ()
    now: str = field(default_factory=lambda: utc_now())
    # One per account, shared by its matrices (regions, a diff's sides): it remembers principals.
    fingerprinter: Fingerprinter | None = field(default=None, repr=False, kw_only=True)
    exact_cells: int = field(default=0, init=False)  # cells decided by the exact path
    fast_rows: int = field(default=0, init=False)  # rows computed as bitsets (one per fingerprint)

    def __post_init__(self) -> None:
        state = self.account.regions.get(self.region)
        if state is None:
            raise SelectionError(f"region {self.region} has no SES data in this account")
        self.state = state
        n = len(self.names)
        self.all = (1 << n) - 1
        self.base = Selection(
            "", self.region, path=self.path, actions=self.actions, current_time=self.now
        )
        verified = identity_doubt = 0
        self.authorized: list[str] = []
        self.ctx: list[dict[str, object]] = []
        self.rcs: list[RequestContext] = []
        self.config: list[str | None] = []
        for j, name in enumerate(self.names):
            sel = replace(self.base, identity=name)
            _, ident, auth, frm = resolve_identity(state, sel)
            self.authorized.append(auth)
            self.config.append(ident.default_configuration_set if ident else None)
            if ident is not None:
                verified |= 1 << j
            found = state.identity(auth)
            # The verdict's doubts that depend only on the identity: its policies or its
            # verification status were not read.
            if (found is not None and not found.policies_known) or (
                ident is not None and not ident.verification_known
            ):
                identity_doubt |= 1 << j
            rc = request_context(sel, None, frm, self.account, auth)
            self.rcs.append(rc)
            self.ctx.append(rc.known)
        self.verified = verified
        # One context per principal type (and the neutral ones): which keys can be unknown.
        kinds = {p.type: p for p in self.account.principals}
        self.maybe_unknown = [
            *self.rcs,
            *(request_context(self.base, p, None, self.account) for p in kinds.values()),
        ]
        self.identity_doubt = identity_doubt
        acct, part = self.account.account_id, self.account.partition

        def arn(kind: str, name: str) -> str:
            return f"arn:{part}:ses:{self.region}:{acct}:{kind}/{name}"

        targets = []
        for action in self.base.effective_actions:
            if not action.lower().startswith("ses:send"):
                targets.append(_Target(action, ("*",) * n, self.all, False))
                continue
            targets.append(
                _Target(action, tuple(arn("identity", a) for a in self.authorized), self.all, True)
            )
            cfg = tuple(arn("configuration-set", c) if c else None for c in self.config)
            present = sum(1 << j for j, c in enumerate(cfg) if c)
            if present:
                targets.append(_Target(action, cfg, present, False))
        self.targets = targets
        self._pattern_bits: dict[tuple[str, int], int] = {}
        self._stmt_bits: dict[tuple[int, int], tuple[Statement, int, int, int]] = {}
        self._rp_totals: dict[int, _Agg] = {}
        self._policy_aggs: dict[tuple[int, int], tuple[tuple[Statement, ...], _Agg]] = {}
        self._row_bits: dict[tuple[object, ...], tuple[int, int, int] | None] = {}
        self._shared: dict[tuple[object, ...], tuple[Outcome, ...]] = {}
        self._exact_memo: dict[tuple[tuple[object, ...], int], Outcome] = {}
        self._settled: dict[tuple[object, ...], tuple[tuple[bool, bool, bool] | None, object]] = {}
        self._ctx_classes: dict[tuple[str, int], list[int]] = {}
        self._unknown_cache: dict[str, bool] = {}  # key -> some principal's request lacks it
        self.settled_cells = 0  # tied cells settled over their keys' values (not the exact path)
        self._prepare_resource_policies()
        self._prepare_scps()

    def _unknown_keys(self, st: Statement) -> Iterable[str]:
        """The keys the statement reads that some principal's request leaves unknown."""
        found = self._unknown_cache
        out = []
        for k in _keys_of(st):
            unknown = found.get(k)
            if unknown is None:
                unknown = found[k] = any(rc.unknown_of(k) for rc in self.maybe_unknown)
            if unknown:
                out.append(k)
        return out

    # -- statement bits -------------------------------------------------------------------

    def _pattern(self, pattern: str, t: int) -> int:
        key = (pattern, t)
        bits = self._pattern_bits.get(key)
        if bits is None:
            bits = 0
            if not self._excluded(pattern, t):
                for j, resource in enumerate(self.targets[t].resources):
                    if resource is not None and resource_matches(pattern, resource):
                        bits |= 1 << j
            self._pattern_bits[key] = bits
        return bits

    def _excluded(self, pattern: str, t: int) -> bool:
        """A pattern whose service or region segment cannot match any target of the region."""
        resources = self.targets[t].resources
        if not resources:
            return True  # a region without identities: nothing to match
        if resources[0] == "*" or pattern == "*":
            return False
        parts = pattern.split(":", 5)
        if len(parts) < 4:
            return False
        return not (
            glob_match(parts[2], "ses", ignore_case=True)
            and (
                (len(parts) == 4 and parts[3].endswith("*"))
                or glob_match(parts[3], self.region, ignore_case=True)
            )
        )

    def _bits(
        self, st: Statement, t: int, principal_ctx: Sequence[_Ctx] | None = None
    ) -> tuple[int, int, int]:
        """(resource matched, applies, an unknown request key read) over the identities."""
        if principal_ctx is None:
            cached = self._stmt_bits.get((id(st), t))
            if cached is not None and cached[0] is st:
                return cached[1], cached[2], cached[3]
        target = self.targets[t]
        res = 0
        for pattern in st.resources:
            res |= self._pattern(pattern.text, t)
        if st.not_resource:
            res = target.present & ~res
        app, miss = res, 0
        if st.conditions and res:
            per_identity = principal_ctx is not None or any(
                c.key_lower == "ses:fromaddress" for c in st.conditions
            )
            contexts = self._for_target(principal_ctx, t)
            if per_identity:
                app = 0
                for j in _bits_of(res):
                    ok, gap = _conditions(st, contexts[j])
                    if ok:
                        app |= 1 << j
                    if gap:
                        miss |= 1 << j
            else:
                ok, gap = _conditions(st, contexts[_lowest(res)])
                app = res if ok else 0
                miss = res if gap else 0
        elif res and any(r.template is not None for r in st.resources):
            # A Resource with policy variables: unknown keys may decide; the exact path settles it.
            contexts = self._for_target(principal_ctx, t)
            miss = sum(1 << j for j in _bits_of(res) if reads_unknown(st, contexts[j][1]))
            app = res & ~miss
        if principal_ctx is None:
            self._stmt_bits[(id(st), t)] = (st, res, app, miss)
        return res, app, miss

    def _for_target(self, principal_ctx: Sequence[_Ctx] | None, t: int) -> Sequence[_Ctx]:
        """The contexts for one target's action (no message keys on actions that send none)."""
        action = self.targets[t].action
        if action.lower() in MESSAGE_ACTIONS:
            return principal_ctx if principal_ctx is not None else self._normalized
        if principal_ctx is None:
            found: list[_Ctx] | None = getattr(self, "_plain", None)
            if found is None:
                found = self._plain = _without_message_keys(self._normalized, action)
            return found
        return _without_message_keys(principal_ctx, action)

    @property
    def _normalized(self) -> list[_Ctx]:
        found: list[_Ctx] | None = getattr(self, "_norm", None)
        if found is None:
            dummy = f"arn:{self.account.partition}:iam::{self.account.account_id}:user/probe"
            found = [
                (dict(Request.build(dummy, "ses:SendRawEmail", "*", c).context), rc)
                for c, rc in zip(self.ctx, self.rcs, strict=True)
            ]
            self._norm = found
        return found

    def _aggregate(
        self, policies: Iterable[Policy], t: int, principal_ctx: Sequence[_Ctx] | None
    ) -> _Agg | None:
        """The OR of the policies' bits for one target; None when a statement reads principal
        keys and no principal context was given."""
        total = _Agg()
        for policy in policies:
            agg = self._policy_agg(policy, t, principal_ctx)
            if agg is None:
                return None
            total = total.merge(agg)
        return total

    def _policy_agg(
        self, policy: Policy, t: int, principal_ctx: Sequence[_Ctx] | None
    ) -> _Agg | None:
        """One policy's bits for one target, cached per compiled statement tuple."""
        statements = policy.statements
        key = (id(statements), t)
        cached = self._policy_aggs.get(key)
        if cached is not None and cached[0] is statements:
            return cached[1]
        agg = _Agg()
        dependent = False
        for i in candidates(policy, self.targets[t].action):
            st = statements[i]
            if _reads_principal(st):
                if principal_ctx is None:
                    return None
                dependent = True
                _, app, miss = self._bits(st, t, principal_ctx)
            else:
                _, app, miss = self._bits(st, t)
            agg.add(st.effect, app, miss, st, self._unknown_keys(st))
        if not dependent:  # principal-specific results are never shared
            self._policy_aggs[key] = (statements, agg)
        return agg

    # -- account-wide parts ---------------------------------------------------------------

    def _prepare_scps(self) -> None:
        org = self.account.organization
        self.scp_unknown = org.status is OrgStatus.UNKNOWN or (
            org.status is OrgStatus.MEMBER and org.levels is None
        )
        self.scp_levels: list[tuple[Policy, ...]] | None = None
        self.scp_dependent = False
        if org.status is OrgStatus.MEMBER and org.levels is not None:
            levels = []
            for level in org.levels:
                try:
                    levels.append(tuple(d.policy for d in level.policies))
                except PolicyError:
                    self.scp_dependent = True  # unparsable: every cell takes the exact path
                    return
            self.scp_levels = levels
            self.scp_dependent = any(
                _reads_principal(st) for lv in levels for p in lv for st in p.statements
            )

    def _scp_bits(
        self, t: int, principal_ctx: Sequence[_Ctx] | None
    ) -> tuple[_Agg, int, int, tuple[_Agg, ...] | None] | None:
        """SCP aggregate, the identities where some level lacks an Allow (for certain, and when
        the Allows that depend on unknown keys do not apply), and each level's aggregate."""
        if self.scp_levels is None:
            return _Agg(), 0, 0, None
        total = _Agg()
        fail = fail_worst = 0
        present = self.targets[t].present
        levels = []
        for level in self.scp_levels:
            agg = self._aggregate(level, t, principal_ctx)
            if agg is None:
                return None
            levels.append(agg)
            total = total.merge(agg)
            fail |= present & ~(agg.allow_app | agg.allow_var)
            fail_worst |= present & ~agg.allow_app
        return total, fail, fail_worst, tuple(levels)

    def _prepare_resource_policies(self) -> None:
        """Per identity: the sending-authorization policies' effect on principals they do not
        name (the same for all of them), and which principals they name."""
        self.named_bits: dict[str, int] = {}  # principal ARN -> identities whose policy names it
        self.complex_columns = 0
        self.rp: list[dict[int, _Agg]] = []
        self.rp_grant: dict[int, int] = {}
        self.rp_grant_var: dict[int, int] = {}
        # Per (identity, target): the grants to any principal that depend on unknown keys.
        self.rp_grant_vary: dict[tuple[int, int], list[Statement]] = {}
        probe = f"arn:{self.account.partition}:iam::{self.account.account_id}:user/probe"
        for j in range(len(self.names)):
            found = self.state.identity(self.authorized[j])
            docs: tuple[PolicyDocument, ...] = found.policies if found else ()
            names: set[str] = set()
            per_target: dict[int, _Agg] = {}
            try:
                policies = [d.policy for d in docs]
            except PolicyError:
                self.complex_columns |= 1 << j
                self.rp.append({})
                continue
            for p in policies:
                for st in p.statements:
                    spec = st.principal
                    if st.not_principal or _reads_principal(st):
                        self.complex_columns |= 1 << j
                    if spec is not None:
                        names.update(
                            a
                            for a in spec.aws
                            if a != self.account.account_id and not a.endswith(":root")
                        )
            for name in names:
                self.named_bits[name] = self.named_bits.get(name, 0) | (1 << j)
            if policies and not (self.complex_columns >> j) & 1:
                for t, target in enumerate(self.targets):
                    resource = target.resources[j]
                    if not target.rp or resource is None:
                        continue
                    rc = for_action(self.rcs[j], target.action)
                    request = Request.build(probe, target.action, resource, rc.known)
                    agg = _Agg()
                    for p in policies:
                        for st in p.statements:
                            tr = evaluate_statement(p, st, request)
                            relevant = not tr.misses or tr.misses == _CONDITION_ONLY
                            if not relevant:
                                continue
                            settled = conditions_settled(st, rc, request.context)
                            applies, gap = bool(settled), settled is None
                            bit = 1 << j
                            agg.add(
                                st.effect,
                                bit if applies else 0,
                                bit if gap else 0,
                                st,
                                self._unknown_keys(st),
                            )
                            if (
                                (applies or gap)
                                and st.effect is Effect.ALLOW
                                and tr.principal_match is PrincipalMatch.WILDCARD
                            ):
                                grants = self.rp_grant if applies else self.rp_grant_var
                                grants[t] = grants.get(t, 0) | bit
                                if gap:
                                    self.rp_grant_vary.setdefault((j, t), []).append(st)
                    per_target[t] = agg
            self.rp.append(per_target)

    def _rp_agg(self, t: int) -> _Agg:
        found = self._rp_totals.get(t)
        if found is None:
            found = _Agg()
            for per_target in self.rp:
                agg = per_target.get(t)
                if agg is not None:
                    found = found.merge(agg)
            self._rp_totals[t] = found
        return found

    # -- rows -----------------------------------------------------------------------------

    def row_bits(self, p: IamPrincipal) -> tuple[int, int, int] | None:
        """(denied, undecided, settle exactly) bitsets for one principal, or None: use the exact
        path. Cells where a statement that could apply reads an unknown request key are settled
        exactly (over the key's possible values, sestui/verdict/unknowns.py)."""
        if self.path is SendPath.SMTP and (not p.is_user or p.has_active_key is False):
            return self.all, 0, 0  # SMTP logs in only with an IAM user's key (see run.decide)
        if any(x.lower() in TEMPLATED_ACTIONS for x in self.base.effective_actions):
            return None  # no template in a matrix: the exact path weighs whether any is allowed
        pp = self.account.policies_for(p)
        if pp.unknown:
            return None
        try:
            identity = [d.policy for d in pp.identity]
            boundary = pp.boundary.policy if pp.boundary else None
        except PolicyError:
            return None
        principal_ctx = None
        if (
            any(map(_policy_reads_principal, identity))
            or (boundary is not None and _policy_reads_principal(boundary))
            or self.scp_dependent
        ):
            principal_ctx = self._principal_contexts(p)
        # Every statement whose conditions depend on unknown keys may apply or not. Allow and
        # Deny act monotonically, so the best case (such Allows on, Denies off) and the worst
        # bound the answer; when those statements read separate keys, both are reachable.
        certain_explicit = denied_best = denied_worst = 0
        links: list[_Agg] = []
        parts: list[_Parts] = []
        for t, target in enumerate(self.targets):
            ident = self._aggregate(identity, t, principal_ctx)
            bnd = self._aggregate([boundary], t, principal_ctx) if boundary else _Agg()
            scp = self._scp_bits(t, principal_ctx)
            if ident is None or bnd is None or scp is None:
                return None
            scp_agg, scp_fail, scp_fail_worst, levels = scp
            rp = self._rp_agg(t) if target.rp else _Agg()
            grant = self.rp_grant.get(t, 0) if target.rp else 0
            grant_var = self.rp_grant_var.get(t, 0) if target.rp else 0
            present = target.present
            explicit = (ident.deny_app | bnd.deny_app | scp_agg.deny_app | rp.deny_app) & present
            maybe = (ident.deny_var | bnd.deny_var | scp_agg.deny_var | rp.deny_var) & present
            if boundary is not None:
                bnd_best, bnd_worst = bnd.allow_app | bnd.allow_var, bnd.allow_app
            else:
                bnd_best = bnd_worst = self.all
            best = (
                present
                & ~explicit
                & ~scp_fail
                & bnd_best
                & (grant | grant_var | ident.allow_app | ident.allow_var)
            )
            worst = (
                present
                & ~explicit
                & ~maybe
                & ~scp_fail_worst
                & bnd_worst
                & (grant | ident.allow_app)
            )
            certain_explicit |= explicit
            denied_best |= present & ~best
            denied_worst |= present & ~worst
            links += (ident, bnd, scp_agg, rp)
            parts.append(
                _Parts(t, present, explicit, ident, bnd if boundary else None, levels, rp, grant)
            )
        full = self.all
        unverified = full & ~self.verified
        # Statements tied by a key: their cells are settled over the key's values.
        tied = _shared(links) & ~((certain_explicit & denied_worst) | unverified) & full
        gaps = 0
        if tied:
            settled, allowed_some, allowed_all, explicit_all, gaps = self._settle(
                tied, parts, principal_ctx
            )
            denied_best = (denied_best & ~settled) | (settled & ~allowed_some)
            denied_worst = (denied_worst & ~settled) | (settled & ~allowed_all)
            certain_explicit = (certain_explicit & ~settled) | (settled & explicit_all)
        denied_any = denied_worst
        doubts = (denied_worst & ~denied_best) | self.identity_doubt
        certain = certain_explicit & denied_any
        denied = certain | (~certain & unverified) | (~certain & ~unverified & denied_any & ~doubts)
        scp_doubt = full if self.scp_unknown else 0
        if self.path is SendPath.SMTP and p.has_active_key is None:
            scp_doubt = full  # keys not read: what the policies allow is undecided (run.decide)
        undecided = (
            ~certain & ~unverified & ((denied_any & doubts) | (~denied_any & (doubts | scp_doubt)))
        )
        # A cell denied for certain (an explicit Deny that applies whatever the unknown keys
        # hold, or an unverified identity) stays denied in every completion: no exact path.
        return denied & full, undecided & full, gaps & ~(certain | unverified) & full

    # -- tied cells ---------------------------------------------------------------------

    def _settle(
        self, tied: int, parts: Sequence[_Parts], principal_ctx: Sequence[_Ctx] | None
    ) -> tuple[int, int, int, int, int]:
        """Settle the tied cells over every completion of the unknown keys their varying
        statements read, as `unknowns.settle` does for one cell, but over the aggregates.
        Returns (settled, allowed in some completion, allowed in all, explicitly denied in
        all, left to the exact path). Cells whose settling reads the same statements, constant
        bits and key values are settled once (and once per matrix, for shared rows)."""
        classes = [tied]

        def split(bits: int) -> None:
            nonlocal classes
            if bits and classes:
                classes = [x for c in classes for x in (c & bits, c & ~bits) if x]

        keys: set[str] = set()
        for part in parts:
            for bits in part.features():
                split(bits)
            for agg in part.aggs():
                for st, bits in agg.varying:
                    if bits & tied:
                        split(bits)
                        keys.update(_keys_of(st))
            # Sending-authorization statements are each identity's own: one class each.
            for _, bits in part.rp.varying:
                if bits & tied:
                    split(bits)
        for k in keys:
            for part in parts:
                for bits in self._context_classes(k, part.t, principal_ctx):
                    split(bits)
        settled = some = every = explicit = left = 0
        memo: dict[tuple[object, ...], tuple[tuple[bool, bool, bool] | None, object]]
        memo = self._settled if principal_ctx is None else {}
        for c in classes:
            j = _lowest(c)
            key, varying = self._settle_key(j, parts, principal_ctx)
            found = memo.get(key)
            if found is None:
                result = self._settle_cell(j, parts, varying, principal_ctx)
                found = memo[key] = (result, varying)
            result = found[0]
            if result is None:
                left |= c
                continue
            self.settled_cells += c.bit_count()
            settled |= c
            if result[0]:
                some |= c
            if result[1]:
                every |= c
            if result[2]:
                explicit |= c
        return settled, some, every, explicit, left

    def _context_classes(self, key: str, t: int, principal_ctx: Sequence[_Ctx] | None) -> list[int]:
        """The identities grouped by what one target's context says of a key."""
        found = self._ctx_classes.get((key, t)) if principal_ctx is None else None
        if found is not None:
            return found
        groups: dict[tuple[object, object], int] = {}
        for j, (known, rc) in enumerate(self._for_target(principal_ctx, t)):
            g = (known.get(key), rc.unknown_of(key))
            groups[g] = groups.get(g, 0) | (1 << j)
        found = list(groups.values()) if len(groups) > 1 else []
        if principal_ctx is None:
            self._ctx_classes[(key, t)] = found
        return found

    def _varying_at(self, j: int, part: _Parts) -> tuple[list[Statement], ...]:
        """One target's statements that vary at identity j: (identity allows, Denies, boundary
        allows, SCP allows per level..., any-principal grants)."""
        bit = 1 << j
        ident_allow: list[Statement] = []
        deny: list[Statement] = []
        bnd_allow: list[Statement] = []
        for st, bits in part.ident.varying:
            if bits & bit:
                (ident_allow if st.effect is Effect.ALLOW else deny).append(st)
        if part.bnd is not None:
            for st, bits in part.bnd.varying:
                if bits & bit:
                    (bnd_allow if st.effect is Effect.ALLOW else deny).append(st)
        levels: list[list[Statement]] = []
        for lv in part.levels or ():
            allow: list[Statement] = []
            for st, bits in lv.varying:
                if bits & bit:
                    (allow if st.effect is Effect.ALLOW else deny).append(st)
            levels.append(allow)
        own = self.rp[j].get(part.t) if j < len(self.rp) else None
        for st, bits in own.varying if own is not None else ():
            if bits & bit and st.effect is Effect.DENY:
                deny.append(st)
        grants = self.rp_grant_vary.get((j, part.t), [])
        return (ident_allow, deny, bnd_allow, grants, *levels)

    def _settle_key(
        self, j: int, parts: Sequence[_Parts], principal_ctx: Sequence[_Ctx] | None
    ) -> tuple[tuple[object, ...], list[tuple[list[Statement], ...]]]:
        """What settling cell j reads: the constant bits, the varying statements (by id; the
        statements, per part, are returned too: the memo keeps them alive, and settling the
        cell reads them), the values of the keys read."""
        key: list[object] = []
        varying: list[tuple[list[Statement], ...]] = []
        for part in parts:
            key.append(tuple((b >> j) & 1 for b in part.features()))
            lists = self._varying_at(j, part)
            varying.append(lists)
            key.append(tuple(tuple(id(st) for st in lst) for lst in lists))
            contexts = self._for_target(principal_ctx, part.t)
            known, rc = contexts[j]
            for lst in lists:
                for st in lst:
                    for k in _keys_of(st):
                        key.append((k, known.get(k), rc.unknown_of(k)))
        return tuple(key), varying

    def _settle_cell(
        self,
        j: int,
        parts: Sequence[_Parts],
        varying: Sequence[tuple[list[Statement], ...]],
        principal_ctx: Sequence[_Ctx] | None,
    ) -> tuple[bool, bool, bool] | None:
        """(allowed in some completion, in all, explicitly denied in all) for cell j, or None
        when the exact path must decide (a Resource with policy variables, too many values).
        `varying`: per part, its statements that vary at j (`_varying_at`)."""
        bit = 1 << j
        targets: list[_Cell] = []
        read: dict[str, list[Condition]] = {}
        via: set[str] = set()
        base_of: dict[str, tuple[Unknown, dict[str, object]]] = {}
        for part, lists in zip(parts, varying, strict=True):
            if not part.present & bit:
                continue
            if part.explicit & bit:
                return False, False, True
            ident_allow, deny, bnd_allow, grants, *levels = lists
            known, rc = self._for_target(principal_ctx, part.t)[j]
            base = {**normalize_context(sample_values(rc)), **known}
            for lst in lists:
                for st in lst:
                    if any(r.template is not None for r in st.resources):
                        return None
                    by_key, variables = keys_read((st,))
                    for k, conds in by_key.items():
                        u = rc.unknown_of(k)
                        if u is None:
                            continue
                        read.setdefault(k, []).extend(conds)
                        base_of.setdefault(k, (u, base))
                        if k in variables:
                            via.add(k)
            targets.append(
                _Cell(
                    rc,
                    base,
                    deny,
                    bool((part.ident.allow_app | part.grant) & bit),
                    ident_allow + grants,
                    None if part.bnd is None else (bool(part.bnd.allow_app & bit), bnd_allow),
                    [
                        (bool(lv.allow_app & bit), allow)
                        for lv, allow in zip(part.levels or (), levels, strict=True)
                    ],
                )
            )
        keys = sorted(read)
        opts = [
            options(k, base_of[k][0], read[k], base_of[k][1], collapse=k not in via) for k in keys
        ]
        total = max(len(targets), 1)
        for o in opts:
            total *= len(o)
        if total > MAX_EVALUATIONS:
            return None
        some, every, explicit_all = False, True, True
        for combo in itertools.product(*opts):
            allowed, explicit = True, False
            for cell in targets:
                ctx = dict(cell.base)
                for k, v in zip(keys, combo, strict=True):
                    if cell.rc.unknown_of(k) is None:
                        continue  # not in this action's request (the message keys)
                    if v is ABSENT:
                        ctx.pop(k, None)
                    else:
                        ctx[k] = v
                denied, allows = cell.decide(ctx)
                explicit = explicit or denied
                allowed = allowed and allows
            some = some or allowed
            every = every and allowed
            explicit_all = explicit_all and explicit
        return some, every, explicit_all

    def _principal_contexts(self, p: IamPrincipal) -> list[_Ctx]:
        arn = self._request_arn(p)
        out: list[_Ctx] = []
        for j, neutral in enumerate(self.ctx):
            sel = replace(self.base, identity=self.names[j])
            frm = neutral.get("ses:FromAddress")
            rc = request_context(sel, p, frm if isinstance(frm, str) else None, self.account,
                                 self.authorized[j])  # fmt: skip
            out.append((dict(Request.build(arn, "ses:SendRawEmail", "*", rc.known).context), rc))
        return out

    def _request_arn(self, p: IamPrincipal) -> str:
        if p.is_user:
            return p.arn
        return (
            f"arn:{self.account.partition}:sts::{self.account.account_id}:assumed-role/"
            f"{p.name}/session"
        )

    def _named_mask(self, p: IamPrincipal) -> int:
        """Identities whose sending-authorization policy names this principal."""
        mask = self.named_bits.get(p.arn, 0)
        if not p.is_user:
            for name, bits in self.named_bits.items():
                if ":role/" in name and name.endswith(f"/{p.name}"):
                    mask |= bits
        return mask

    def exact(self, p: IamPrincipal, j: int) -> Outcome:
        self.exact_cells += 1
        return exact_outcome(self.account, self.base, p, self.names[j])

    def rows(self, principals: Iterable[IamPrincipal]) -> list[tuple[Outcome, ...]]:
        return [self.row(p) for p in principals]

    def row(self, p: IamPrincipal, mask: int | None = None) -> tuple[Outcome, ...]:
        """One principal's outcomes, one per identity; with `mask`, only the identities whose
        bit is set are decided (the others read DENIED: callers look only at the mask).
        Principals with equal fingerprints share the bitset row and the exact cells (the
        fingerprint holds everything a decision reads, the ARN too when a policy reads it),
        except where a sending-authorization policy treats the principal by name."""
        if self.fingerprinter is None:
            self.fingerprinter = Fingerprinter(self.account)
        fp = self.fingerprinter(p)
        if fp in self._row_bits:
            bits = self._row_bits[fp]
        else:
            bits = self._row_bits[fp] = self.row_bits(p)
            self.fast_rows += 1
        named = self.complex_columns | self._named_mask(p)
        exact = named | (bits[2] if bits else 0)
        if bits is not None and not exact:
            row = self._shared.get(fp)
            if row is None:
                row = self._shared[fp] = self._decode(bits, len(self.names))
            return row
        n = len(self.names)
        decoded = self._decode(bits, n) if bits is not None else (Outcome.DENIED,) * n
        if bits is None:
            exact = self.all
        if mask is not None:
            exact &= mask
        if not exact:
            return decoded
        out = list(decoded)
        for j in _bits_of(exact):
            if (named >> j) & 1:
                out[j] = self.exact(p, j)
                continue
            key = (fp, j)
            found = self._exact_memo.get(key)
            if found is None:
                found = self._exact_memo[key] = self.exact(p, j)
            out[j] = found
        return tuple(out)

    def reach(self, policy: Policy, indexes: Iterable[int]) -> int:
        """The identities where one of these statements of `policy` can apply to a request of
        some principal (resource matched, conditions met or hanging on unknown keys), for any
        target: elsewhere adding, removing or editing them changes no decision. Every identity
        when one reads principal keys."""
        wanted = set(indexes)
        mask = 0
        for t, target in enumerate(self.targets):
            for i in candidates(policy, target.action):
                if i not in wanted:
                    continue
                st = policy.statements[i]
                if _reads_principal(st):
                    return self.all
                _, app, miss = self._bits(st, t)
                mask |= app | miss
        return mask & self.all

    @staticmethod
    def _decode(bits: tuple[int, int, int], n: int) -> tuple[Outcome, ...]:
        denied, undecided, _ = bits
        return tuple(
            Outcome.DENIED
            if (denied >> j) & 1
            else Outcome.UNDECIDED
            if (undecided >> j) & 1
            else Outcome.ALLOWED
            for j in range(n)
        )


_CONDITION_ONLY = (Miss.CONDITION,)


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def exact_outcome(account: Account, base: Selection, p: IamPrincipal, identity: str) -> Outcome:
    """One cell decided on its own, exactly as `sestui check` would (the reference)."""
    sel = replace(base, principal=p.arn, identity=identity, role=not p.is_user)
    return outcome_of(account, sel)


# (statement id, what its context says of each key it reads) -> the statement, `_conditions`.
# Shared by every matrix (regions, the two sides of a diff); cleared when full.
_CONDITIONS: dict[tuple[object, ...], tuple[Statement, tuple[bool, bool]]] = {}


def _conditions(st: Statement, context: _Ctx) -> tuple[bool, bool]:
    """(every condition met, whether that depends on unknown keys: the exact path settles it)."""
    known, rc = context
    key = (id(st), *((k, known.get(k), rc.unknown_of(k)) for k in _keys_of(st)))
    found = _CONDITIONS.get(key)
    if found is not None and found[0] is st:
        return found[1]
    settled = conditions_settled(st, rc, known)  # type: ignore[arg-type]
    result = bool(settled), settled is None
    if len(_CONDITIONS) >= READS_LIMIT:
        _CONDITIONS.clear()
    _CONDITIONS[key] = (st, result)
    return result


def _without_message_keys(contexts: Sequence[_Ctx], action: str) -> list[_Ctx]:
    return [
        ({k: v for k, v in known.items() if k not in MESSAGE_KEYS}, for_action(rc, action))
        for known, rc in contexts
    ]


def _bits_of(mask: int) -> Iterable[int]:
    j = 0
    while mask:
        if mask & 1:
            yield j
        mask >>= 1
        j += 1


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1
