"""Everything the checks share for one selection: who, which identity, the policies in force,
and one engine evaluation per action and resource of the request (computed once)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from sestui.account import (
    Account,
    IamPrincipal,
    IdentityResolution,
    OrgStatus,
    PolicyDocument,
    PrincipalPolicies,
    PrincipalType,
    RegionState,
    SesIdentity,
    covers,
)
from sestui.errors import SestuiError
from sestui.policy import (
    Decision,
    Effect,
    Miss,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    PolicySource,
    Request,
    evaluate,
)
from sestui.verdict.context import Facts, RequestContext, Unknown
from sestui.verdict.context import build as build_context
from sestui.verdict.inputs import IdentityArn, InputError, did_you_mean, parse_identity
from sestui.verdict.model import Fix, FixKind, ResourceEvaluation
from sestui.verdict.selection import TEMPLATED_ACTIONS, Selection
from sestui.verdict.unknowns import settle

SESSION_NAME = "session"


class ScpState(Enum):
    """Whether SCPs restrict the account: not at all, known (read), or unread."""

    NA = "n/a"  # not in an organization, or its management account
    APPLIES = "applies"
    UNKNOWN = "unknown"


class SelectionError(SestuiError, ValueError):
    """The selection names something the account does not have."""


@dataclass(frozen=True)
class Overrides:
    """Policy changes to try without touching the account (used to prove a fix works)."""

    added_identity: tuple[PolicyDocument, ...] = ()
    replaced: Mapping[PolicySource, Mapping[str, Any]] = field(default_factory=dict)

    def with_fix(self, fix: Fix) -> Overrides:
        """These overrides plus a suggested fix, as if it had been applied."""
        if fix.kind is FixKind.ADD_IDENTITY_POLICY:
            added = PolicyDocument(
                PolicySource(PolicyKind.IDENTITY, "SuggestedFix", None, "sestui fix"), fix.document
            )
            return Overrides((*self.added_identity, added), self.replaced)
        assert fix.replaces is not None
        return Overrides(self.added_identity, {**self.replaced, fix.replaces.source: fix.document})

    def apply(self, doc: PolicyDocument) -> PolicyDocument:
        raw = self.replaced.get(doc.source)
        return doc if raw is None else PolicyDocument(doc.source, raw)


NO_OVERRIDES = Overrides()


@dataclass(frozen=True)
class Analysis:
    """Everything the checks read about one send, built once by `analyze` and never changed."""

    account: Account
    selection: Selection
    principal: IamPrincipal
    request_arn: str  # user ARN, or the session ARN for a role
    region: RegionState | None
    resolution: IdentityResolution | None
    identity: SesIdentity | None  # the verified identity SES checks (None: none verified)
    identity_name: str  # the identity whose ARN is authorized (also when unverified)
    identity_arn: str
    from_address: str | None
    policies: PrincipalPolicies
    identity_docs: tuple[PolicyDocument, ...]
    boundary_doc: PolicyDocument | None
    scp_docs: tuple[tuple[PolicyDocument, ...], ...] | None
    resource_docs: tuple[PolicyDocument, ...]
    config_set: str | None
    config_set_is_default: bool
    template: str | None
    context: dict[str, Any]  # the known keys (a key not here and not in `unknown` is absent)
    unknown: Mapping[str, Unknown] = field(default_factory=dict)  # lower-case key -> completions
    evaluations: tuple[ResourceEvaluation, ...] = ()  # for a representative completion
    deciding_keys: tuple[str, ...] = ()  # unknown keys whose value changes the verdict
    assumed: tuple[str, ...] = ()  # the unknown keys read, with what was assumed of them
    explicit_always: bool = False  # explicitly denied whatever the unknown keys hold
    # A delegate send (--identity is another account's identity ARN): that account's ID. Its
    # sending-authorization policy and verification status are not in the loaded account.
    delegate_owner: str | None = None
    # That account when it is loaded too: its identity, sending-authorization policy,
    # verification and region state decide the owner's side (`identity_region`).
    owner: Account | None = None
    identity_region: RegionState | None = None
    # Templated actions asked without a template, and whether any template ARN could be allowed.
    template_missing: tuple[str, ...] = ()
    template_possible: bool = False
    parse_errors: tuple[tuple[PolicyDocument, PolicyError], ...] = ()
    # The document each parsed policy came from (a trace names its Policy; the checks show the
    # document: its text, lines and where it is attached).
    documents: Mapping[PolicySource, PolicyDocument] = field(default_factory=dict)

    @property
    def identity_account(self) -> Account:
        """The account that owns the identity: the owner of a delegate send, else the caller's."""
        return self.owner or self.account

    def document_of(self, policy: Policy) -> PolicyDocument | None:
        return self.documents.get(policy.source)

    @property
    def scp_state(self) -> ScpState:
        org = self.account.organization
        if org.status in (OrgStatus.NONE, OrgStatus.MANAGEMENT):
            return ScpState.NA
        if org.status is OrgStatus.MEMBER and org.levels is not None:
            return ScpState.APPLIES
        return ScpState.UNKNOWN

    def arn(self, kind: str, name: str) -> str:
        return ses_arn(self.account, self.selection.region, kind, name)


def ses_arn(account: Account, region: str, kind: str, name: str) -> str:
    """The ARN of an SES resource (identity, configuration-set, template) of the account."""
    return f"arn:{account.partition}:ses:{region}:{account.account_id}:{kind}/{name}"


def find_principal(account: Account, selection: Selection) -> IamPrincipal:
    wanted = PrincipalType.ROLE if selection.role else None
    principal = account.principal(selection.principal, wanted)
    if principal is None and not selection.principal.startswith("arn:"):
        principal = account.principal(selection.principal)
    if principal is None and selection.principal.startswith("arn:aws:sts::"):
        role = selection.principal.split("/")[1] if "/" in selection.principal else ""
        principal = account.principal(role, PrincipalType.ROLE)
    if principal is None:
        raise unknown_principal(
            selection.principal, selection.role, f"account {account.account_id}", (account,)
        )
    return principal


def unknown_principal(
    name: str, role: bool, where: str, accounts: Iterable[Account]
) -> SelectionError:
    """ "no user or role 'X' in WHERE", with the closest name of `accounts` if one is close."""
    kind = "role" if role else "user or role"
    found = [p for a in accounts for p in a.principals if not (role and p.is_user)]
    if name.startswith("arn:"):
        # An ARN is compared with ARNs: the path (user/external/x for user/x) is the usual slip.
        names = sorted({p.arn for p in found})
    else:
        names = sorted({p.name for p in found})
    return SelectionError(f"no {kind} {name!r} in {where}" + did_you_mean(name, names))


def _request_arn(account: Account, principal: IamPrincipal, session: str | None = None) -> str:
    if principal.is_user:
        return principal.arn
    return (
        f"arn:{account.partition}:sts::{account.account_id}:assumed-role/"
        f"{principal.name}/{session or SESSION_NAME}"
    )


def _identity_arn(account: Account, selection: Selection) -> tuple[Selection, IdentityArn | None]:
    """An identity given as an ARN: the same account's becomes its name; another account's is a
    delegate send (SES sending authorization), returned as the owner's ARN."""
    if not selection.identity or not selection.identity.startswith("arn:"):
        return selection, None
    try:
        arn = parse_identity(selection.identity)
    except InputError as exc:
        raise SelectionError(str(exc)) from None
    assert isinstance(arn, IdentityArn)
    if arn.partition != account.partition:
        raise SelectionError(
            f"--identity: {selection.identity} is in partition {arn.partition}, the account "
            f"loaded in {account.partition}"
        )
    if arn.region != selection.region:
        # SES authorizes the identity of the region the request is sent to.
        raise SelectionError(
            f"--identity: {selection.identity} is in {arn.region}, but the send is in "
            f"{selection.region}"
        )
    if arn.account == account.account_id:
        return replace(selection, identity=arn.name), None
    return selection, arn


def request_context(
    selection: Selection,
    principal: IamPrincipal | None,
    from_address: str | None,
    account: Account | None = None,
    identity_name: str | None = None,
) -> RequestContext:
    """The request's context (see sestui/verdict/context.py); without a principal, only the keys
    every principal shares."""
    return build_context(Facts(selection, principal, account, from_address, identity_name))


def resolve_identity(
    region: RegionState | None, selection: Selection
) -> tuple[IdentityResolution | None, SesIdentity | None, str, str | None]:
    """(resolution, verified identity, identity name to authorize, From address)."""
    from_address = selection.from_address
    if selection.identity and not from_address and "@" in selection.identity:
        from_address = selection.identity
    if from_address:
        if region is None:
            # SES data not read: assume the common case, a verified domain.
            return None, None, from_address.rpartition("@")[2].lower(), from_address
        res = region.resolve(from_address)
        if res.identity is not None:
            return res, res.identity, res.identity.name, from_address
        # Nothing verified: authorize against the most specific identity that exists, else the
        # address's domain (SES rejects it as unverified either way).
        name = res.unverified[0].name if res.unverified else from_address.rpartition("@")[2]
        return res, None, name, from_address
    if not selection.identity:
        raise SelectionError("give a From address or an identity")
    name = selection.identity
    if region is None:
        return None, None, name, None
    identity = region.identity(name)
    res = region.resolve(name)
    if identity is not None and identity.verified:
        return res, identity, identity.name, None
    return res, None, identity.name if identity else name, None


def _labelled(doc: PolicyDocument, account: Account) -> PolicyDocument:
    """The document naming the account it lives in (a decision that spans accounts)."""
    return doc.attached(replace(doc.source, account=account.title))


def analyze(
    account: Account,
    selection: Selection,
    overrides: Overrides = NO_OVERRIDES,
    owner: Account | None = None,
) -> Analysis:
    """`owner`: the account of a delegate send's identity ARN, when it is loaded too."""
    principal = find_principal(account, selection)
    region = account.regions.get(selection.region)
    resolved_selection, delegate = _identity_arn(account, selection)
    if owner is not None and (delegate is None or delegate.account != owner.account_id):
        owner = None
    identity_region = region
    if delegate is None:
        resolution, identity, identity_name, from_address = resolve_identity(
            region, resolved_selection
        )
    elif selection.from_address and not covers(delegate.name, selection.from_address):
        raise SelectionError(
            f"From {selection.from_address} is not an address of identity {selection.identity}: "
            "a delegate sender sends as the owner's identity, so its From address must be that "
            "address or one at that domain; give one of them, or a From address the identity "
            "covers"
        )
    elif owner is not None:
        # SES authorizes exactly the identity ARN given (SourceArn / FromEmailAddressIdentityArn)
        # against the owner's identity: its verification and policies are the owner's.
        identity_region = owner.regions.get(selection.region)
        found = identity_region.identity(delegate.name) if identity_region else None
        resolution = identity_region.resolve(delegate.name) if identity_region else None
        identity = found if found is not None and found.verified else None
        identity_name = found.name if found is not None else delegate.name
        from_address = selection.from_address or (delegate.name if "@" in delegate.name else None)
    else:
        resolution, identity, identity_name = None, None, delegate.name
        from_address = selection.from_address or (delegate.name if "@" in delegate.name else None)
    policies = account.policies_for(principal)
    identity_docs = tuple(overrides.apply(d) for d in policies.identity) + overrides.added_identity
    boundary_doc = overrides.apply(policies.boundary) if policies.boundary else None
    org = account.organization
    scp_docs = None
    if org.status is OrgStatus.MEMBER and org.levels is not None:
        scp_docs = tuple(tuple(overrides.apply(d) for d in lv.policies) for lv in org.levels)
    authorized = (
        identity_region.identity(identity_name)
        if identity_region and (delegate is None or owner is not None)
        else None
    )
    resource_docs = tuple(overrides.apply(d) for d in authorized.policies) if authorized else ()
    if owner is not None:
        identity_docs = tuple(_labelled(d, account) for d in identity_docs)
        boundary_doc = _labelled(boundary_doc, account) if boundary_doc else None
        if scp_docs is not None:
            scp_docs = tuple(tuple(_labelled(d, account) for d in lv) for lv in scp_docs)
        resource_docs = tuple(_labelled(d, owner) for d in resource_docs)

    config_set = selection.configuration_set
    is_default = False
    if (
        config_set is None
        and identity is not None
        and identity.default_configuration_set
        and owner is None  # the owner's default set is in the owner's account, not checked here
    ):
        config_set, is_default = identity.default_configuration_set, True
    if config_set == "":
        config_set = None
    template = selection.template
    rc = request_context(selection, principal, from_address, account, identity_name)
    identity_arn = ses_arn(account, selection.region, "identity", identity_name)
    delegate_owner = None
    if delegate is not None:
        # SES authorizes exactly the identity ARN given, in the account it names.
        identity_arn, delegate_owner = (selection.identity or "").strip(), delegate.account

    return _evaluate(
        Analysis(
            account=account,
            selection=selection,
            principal=principal,
            request_arn=_request_arn(account, principal, selection.session_name),
            region=region,
            resolution=resolution,
            identity=identity,
            identity_name=identity_name,
            identity_arn=identity_arn,
            from_address=from_address,
            policies=policies,
            identity_docs=identity_docs,
            boundary_doc=boundary_doc,
            scp_docs=scp_docs,
            resource_docs=resource_docs,
            config_set=config_set,
            config_set_is_default=is_default,
            template=template,
            context=rc.known,
            unknown=rc.unknown,
            delegate_owner=delegate_owner,
            owner=owner if delegate is not None else None,
            identity_region=identity_region,
        )
    )


def _parsed(
    docs: tuple[PolicyDocument, ...],
    errors: list[tuple[PolicyDocument, PolicyError]],
    documents: dict[PolicySource, PolicyDocument],
) -> tuple[Policy, ...]:
    out = []
    for d in docs:
        try:
            p = d.policy
        except PolicyError as exc:
            errors.append((d, exc))
            continue
        documents[p.source] = d
        out.append(p)
    return tuple(out)


def _evaluate(a: Analysis) -> Analysis:
    """The analysis with its policies parsed and every action and resource of the send decided."""
    errors: list[tuple[PolicyDocument, PolicyError]] = []
    documents: dict[PolicySource, PolicyDocument] = {}
    identity = _parsed(a.identity_docs, errors, documents)
    boundary = _parsed((a.boundary_doc,), errors, documents) if a.boundary_doc else ()
    scps = tuple(_parsed(level, errors, documents) for level in a.scp_docs) if a.scp_docs else None
    resource = _parsed(a.resource_docs, errors, documents)
    base = PolicySet(identity, boundary[0] if boundary else None, scps, ())
    with_rp = PolicySet(identity, base.boundary, scps, resource)

    targets: list[tuple[str, str, str]] = []
    for action in a.selection.effective_actions:
        lower = action.lower()
        if not lower.startswith("ses:send"):
            targets.append((action, "*", "*"))
            continue
        targets.append((action, a.identity_arn, "identity"))
        if a.config_set:
            targets.append((action, a.arn("configuration-set", a.config_set), "configuration-set"))
        if a.template and lower in TEMPLATED_ACTIONS:
            targets.append((action, a.arn("template", a.template), "template"))

    sets = [(action, arn, with_rp if kind == "identity" else base) for action, arn, kind in targets]
    settled = settle(a.request_arn, sets, RequestContext(a.context, a.unknown))
    missing: tuple[str, ...] = ()
    if not a.template:
        missing = tuple(
            dict.fromkeys(
                x for x in a.selection.effective_actions if x.lower() in TEMPLATED_ACTIONS
            )
        )
    return replace(
        a,
        parse_errors=tuple(errors),
        documents=documents,
        evaluations=tuple(
            ResourceEvaluation(action, arn, kind, ev)
            for (action, arn, kind), ev in zip(targets, settled.evaluations, strict=True)
        ),
        deciding_keys=settled.deciding,
        assumed=settled.assumed,
        explicit_always=settled.explicit_always,
        template_missing=missing,
        template_possible=any(_template_possible(a, x, base) for x in missing),
    )


_PROBE = "sestui-any-template"


def _template_possible(a: Analysis, action: str, policies: PolicySet) -> bool:
    """Could some template ARN be allowed? (SendTemplatedEmail and SendBulkTemplatedEmail
    authorize `template/NAME` too: "Actions defined by Amazon SES", resource type template*.)
    Probes one made-up name (for `*` and `template/*`) and every template name an Allow statement
    spells, with its wildcards filled in."""
    names = {_PROBE}
    for policy in policies.identity:
        for st in policy.statements:
            for r in st.resources:
                rest = r.text.split(":", 5)[5] if r.text.count(":") >= 5 else ""
                if rest.startswith("template/"):
                    names.add(rest[len("template/") :].replace("*", "x").replace("?", "x") or "x")
    for name in sorted(names):
        request = Request.build(a.request_arn, action, a.arn("template", name), a.context)
        ev = evaluate(request, policies, full_trace=False)
        if ev.decision is Decision.ALLOWED or (
            ev.decision is not Decision.EXPLICITLY_DENIED and _hangs_on_keys(ev)
        ):
            return True
    return False


def _hangs_on_keys(ev: Any) -> bool:
    """An Allow that matched all but a condition on a key the request leaves unset."""
    return any(
        t.effect is Effect.ALLOW
        and t.misses == (Miss.CONDITION,)
        and any(c.missing for c in t.conditions)
        for t in ev.traces
    )
