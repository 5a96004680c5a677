"""`--verify`: the request for AWS's policy simulator (`iam:SimulatePrincipalPolicy`) built from an
Analysis, and AWS's answer compared with sestui's, action by resource. Plain dicts, no boto3."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sestui.account import PolicyDocument
from sestui.exitcodes import ExitCode
from sestui.policy import (
    Decision,
    Evaluation,
    Policy,
    PolicyError,
    PolicyKind,
    PolicySet,
    Request,
    evaluate,
)
from sestui.verdict.analysis import Analysis, ScpState
from sestui.verdict.model import Outcome, ResourceEvaluation

# AWS's ContextKeyType per key (lower-case); anything else is a string, or a stringList when
# the value is a list.
_KEY_TYPES = {
    "ses:recipients": "stringList",
    "aws:sourceip": "ip",
    "aws:currenttime": "date",
    "aws:epochtime": "numeric",
    "aws:securetransport": "boolean",
    "aws:multifactorauthpresent": "boolean",
    "aws:viaawsservice": "boolean",
}
_LOCAL = {
    Decision.ALLOWED: "allowed",
    Decision.IMPLICITLY_DENIED: "implicitDeny",
    Decision.EXPLICITLY_DENIED: "explicitDeny",
}
# SES's own condition keys: the simulator is given their values, but it is not SES and may not
# evaluate all of them as SES does at send time.
_SES_KEYS = frozenset(
    {
        "ses:fromaddress",
        "ses:fromdisplayname",
        "ses:recipients",
        "ses:feedbackaddress",
        "ses:apiversion",
    }
)


class VerifyStatus(Enum):
    AGREES = "agrees"
    DISAGREES = "disagrees"
    UNVERIFIED = "unverified"  # could not verify: the local verdict stands


@dataclass(frozen=True, slots=True)
class ContextEntry:
    """One `ContextEntries` item: a key, its values and AWS's type name for them."""

    key: str
    values: tuple[str, ...]
    type: str

    def api(self) -> dict[str, Any]:
        return {
            "ContextKeyName": self.key,
            "ContextKeyValues": list(self.values),
            "ContextKeyType": self.type,
        }


@dataclass(frozen=True, slots=True)
class SimulationRequest:
    """What sestui asks the simulator, and what it had to leave out (`notes`)."""

    principal_arn: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]
    resource_policy: str | None
    resource_policy_names: tuple[str, ...]
    caller_arn: str | None
    resource_owner: str | None
    context: tuple[ContextEntry, ...]
    notes: tuple[str, ...] = ()

    def api(self) -> dict[str, Any]:
        """The keyword arguments of boto3's `simulate_principal_policy`."""
        out: dict[str, Any] = {
            "PolicySourceArn": self.principal_arn,
            "ActionNames": list(self.actions),
            "ResourceArns": list(self.resources),
        }
        if self.resource_policy is not None:
            out["ResourcePolicy"] = self.resource_policy
        if self.caller_arn is not None:
            out["CallerArn"] = self.caller_arn
        if self.resource_owner is not None:
            out["ResourceOwner"] = self.resource_owner
        if self.context:
            out["ContextEntries"] = [c.api() for c in self.context]
        return out


@dataclass(frozen=True, slots=True)
class MatchedStatement:
    policy_id: str
    policy_type: str
    start: tuple[int, int] | None
    end: tuple[int, int] | None

    def describe(self) -> str:
        where = f", lines {self.start[0]}-{self.end[0]}" if self.start and self.end else ""
        return f"{self.policy_type} {self.policy_id}{where}"


@dataclass(frozen=True, slots=True)
class CellComparison:
    """One action on one resource: sestui's decision beside AWS's."""

    action: str
    resource: str
    resource_type: str
    local: str  # allowed | implicitDeny | explicitDeny
    local_reason: str
    aws: str | None  # None: AWS returned no result for this cell
    matched: tuple[MatchedStatement, ...] = ()
    missing: tuple[str, ...] = ()
    organizations_allowed: bool | None = None
    boundary_allowed: bool | None = None

    @property
    def agrees(self) -> bool | None:
        """Whether both allow or both deny (the kind of denial may differ); None: no answer."""
        if self.aws is None:
            return None
        return (self.local == "allowed") == (self.aws == "allowed")


@dataclass(frozen=True, slots=True)
class VerifyResult:
    status: VerifyStatus
    headline: str
    request: SimulationRequest | None = None
    cells: tuple[CellComparison, ...] = ()
    explanations: tuple[str, ...] = ()
    error: str | None = None

    def exit_code(self, local: Outcome) -> ExitCode:
        """A disagreement makes the send undecided; otherwise the local verdict's code stands."""
        return ExitCode.UNDECIDED if self.status is VerifyStatus.DISAGREES else local.exit_code

    @property
    def notes(self) -> tuple[str, ...]:
        return self.request.notes if self.request else ()


def unverified(reason: str, request: SimulationRequest | None = None) -> VerifyResult:
    """The simulation could not run: say why, and leave the local verdict alone."""
    headline = f"could not verify: {reason}"
    return VerifyResult(VerifyStatus.UNVERIFIED, headline, request, error=reason)


# -- the request ------------------------------------------------------------------------------


def known_context(a: Analysis) -> dict[str, str | list[str]]:
    """The request keys sestui has a value for, plus the principal's own keys the evaluator
    derives (the only place that reads the Analysis's context: adapt here if it changes)."""
    out: dict[str, str | list[str]] = {}
    for key, value in a.context.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            out[key] = [str(v) for v in value]
        elif isinstance(value, bool):
            out[key] = "true" if value else "false"
        else:
            out[key] = str(value)
    derived = Request.build(a.request_arn, "ses:SendRawEmail", "*", {}).context
    names = {k.lower() for k in out}
    for key in ("aws:username", "aws:PrincipalAccount", "aws:PrincipalType"):
        value = derived.get(key.lower())
        if isinstance(value, str) and key.lower() not in names:
            out[key] = value
    return out


def context_entries(context: Mapping[str, str | list[str]]) -> tuple[ContextEntry, ...]:
    entries = []
    for key, value in context.items():
        values = tuple(value) if isinstance(value, list) else (value,)
        kind = _KEY_TYPES.get(key.lower()) or (
            "stringList" if isinstance(value, list) else "string"
        )
        if isinstance(value, list) and not kind.endswith("List"):
            kind += "List"
        entries.append(ContextEntry(key, values, kind))
    return tuple(entries)


def merged_policy_text(docs: Sequence[PolicyDocument]) -> str | None:
    """The identity's sending-authorization policies as one document (the simulator takes one).

    SES evaluates all of an identity's policies together, so their statements side by side
    decide the same way."""
    if not docs:
        return None
    if len(docs) == 1:
        return json.dumps(docs[0].raw, separators=(",", ":"))
    statements: list[Any] = []
    for d in docs:
        raw = d.raw.get("Statement", [])
        statements.extend(raw if isinstance(raw, list) else [raw])
    version = docs[0].raw.get("Version", "2012-10-17")
    return json.dumps({"Version": version, "Statement": statements}, separators=(",", ":"))


def _account_of(arn: str) -> str:
    parts = arn.split(":", 5)
    return parts[4] if len(parts) == 6 else ""


def build_request(a: Analysis) -> SimulationRequest:
    """The simulation of this selection: its principal, actions, every resource of the request,
    the sending-authorization policy that applies, the caller and every known context key."""
    resources = tuple(dict.fromkeys(e.resource for e in a.evaluations))
    policy_text = merged_policy_text(a.resource_docs)
    names = tuple(d.source.name for d in a.resource_docs)
    notes: list[str] = []
    caller: str | None = a.principal.arn
    if not a.principal.is_user:
        # AWS takes only an IAM user as CallerArn, and a resource policy needs a caller.
        caller = None
        if policy_text is not None:
            notes.append(
                "simulated without the sending-authorization policy "
                f"({', '.join(names)}): AWS's simulator accepts only an IAM user as the caller; "
                "sestui's side is compared without it too"
            )
            policy_text, names = None, ()
    elif len(names) > 1:
        notes.append(f"the identity's {len(names)} policies were sent as one document")
    owner_account = _account_of(a.identity_arn)
    owner = None
    if owner_account and owner_account != _account_of(a.principal.arn):
        owner = f"arn:{a.account.partition}:iam::{owner_account}:root"
    return SimulationRequest(
        principal_arn=a.principal.arn,
        actions=tuple(a.selection.effective_actions),
        resources=resources,
        resource_policy=policy_text,
        resource_policy_names=names,
        caller_arn=caller,
        resource_owner=owner,
        context=context_entries(known_context(a)),
        notes=tuple(notes),
    )


# -- AWS's answer -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _AwsCell:
    decision: str
    matched: tuple[MatchedStatement, ...]
    missing: tuple[str, ...]
    organizations_allowed: bool | None
    boundary_allowed: bool | None


def _position(raw: Any) -> tuple[int, int] | None:
    if not isinstance(raw, Mapping):
        return None
    return int(raw.get("Line", 0)), int(raw.get("Column", 0))


def _matched(raw: Iterable[Mapping[str, Any]]) -> tuple[MatchedStatement, ...]:
    return tuple(
        MatchedStatement(
            str(m.get("SourcePolicyId", "?")),
            str(m.get("SourcePolicyType", "?")),
            _position(m.get("StartPosition")),
            _position(m.get("EndPosition")),
        )
        for m in raw
    )


def _flag(raw: Any, key: str) -> bool | None:
    if isinstance(raw, Mapping) and key in raw:
        return bool(raw[key])
    return None


def aws_cells(response: Mapping[str, Any]) -> dict[tuple[str, str], _AwsCell]:
    """AWS's decisions by (lower-case action, resource), from its `EvaluationResults` (a result
    per action and resource, or per action with `ResourceSpecificResults`)."""
    out: dict[tuple[str, str], _AwsCell] = {}
    for r in response.get("EvaluationResults", []):
        action = str(r.get("EvalActionName", "")).lower()
        orgs = _flag(r.get("OrganizationsDecisionDetail"), "AllowedByOrganizations")
        boundary = _flag(r.get("PermissionsBoundaryDecisionDetail"), "AllowedByPermissionsBoundary")
        out[(action, str(r.get("EvalResourceName", "*")))] = _AwsCell(
            str(r.get("EvalDecision", "")),
            _matched(r.get("MatchedStatements", [])),
            tuple(r.get("MissingContextValues", [])),
            orgs,
            boundary,
        )
        for s in r.get("ResourceSpecificResults", []):
            out[(action, str(s.get("EvalResourceName", "*")))] = _AwsCell(
                str(s.get("EvalResourceDecision", "")),
                _matched(s.get("MatchedStatements", [])),
                tuple(s.get("MissingContextValues", [])),
                orgs,
                _flag(s.get("PermissionsBoundaryDecisionDetail"), "AllowedByPermissionsBoundary")
                if "PermissionsBoundaryDecisionDetail" in s
                else boundary,
            )
    return out


# -- the comparison -----------------------------------------------------------------------------


def _policies(docs: Iterable[PolicyDocument]) -> tuple[Policy, ...]:
    out = []
    for d in docs:
        try:
            out.append(d.policy)
        except PolicyError:
            continue  # already reported by the verdict
    return tuple(out)


def _without_resource_policy(a: Analysis, e: ResourceEvaluation) -> Evaluation:
    """sestui's decision given what the simulator was given: no sending-authorization policy."""
    boundary = _policies((a.boundary_doc,)) if a.boundary_doc else ()
    scps = tuple(_policies(level) for level in a.scp_docs) if a.scp_docs is not None else None
    ps = PolicySet(_policies(a.identity_docs), boundary[0] if boundary else None, scps, ())
    request = Request.build(a.request_arn, e.action, e.resource, a.context)
    return evaluate(request, ps, full_trace=False)


def _local_reason(ev: Evaluation) -> str:
    if ev.decision is Decision.EXPLICITLY_DENIED:
        traces = tuple(t for t in ev.denials() if t.kind is ev.deciding) or ev.denials()
    else:  # the statement of the deciding kind (not, say, the SCP's FullAWSAccess)
        traces = ev.allows(ev.deciding) or ev.allows()
    where = ""
    if traces and ev.decision is not Decision.IMPLICITLY_DENIED:
        t = traces[0]
        sid = f" ({t.statement.sid})" if t.statement.sid else ""
        source = t.policy.source.describe()
        if source not in ev.reason:
            where = f" [{source}, Statement[{t.statement.index}]{sid}]"
    return ev.reason + where


def compare(
    a: Analysis, request: SimulationRequest, response: Mapping[str, Any], source: str = ""
) -> VerifyResult:
    """AWS's decisions beside sestui's for every action and resource sestui evaluated."""
    answers = aws_cells(response)
    dropped_policy = request.resource_policy is None and bool(a.resource_docs)
    cells = []
    for e in a.evaluations:
        ev = e.evaluation
        if dropped_policy and e.resource_type == "identity":
            ev = _without_resource_policy(a, e)
        got = answers.get((e.action.lower(), e.resource))
        cells.append(
            CellComparison(
                action=e.action,
                resource=e.resource,
                resource_type=e.resource_type,
                local=_LOCAL[ev.decision],
                local_reason=_local_reason(ev),
                aws=got.decision if got else None,
                matched=got.matched if got else (),
                missing=got.missing if got else (),
                organizations_allowed=got.organizations_allowed if got else None,
                boundary_allowed=got.boundary_allowed if got else None,
            )
        )
    answered = [c for c in cells if c.aws is not None]
    if not answered:
        return unverified("AWS's simulator returned no result for this request", request)
    differ = [c for c in answered if not c.agrees]
    if differ:
        first = differ[0]
        headline = (
            f"AWS's simulator DISAGREES on {len(differ)} of {len(answered)}: {first.action} on "
            f"{_short(first.resource)} — sestui: {first.local}, AWS: {first.aws}"
        )
        return VerifyResult(
            VerifyStatus.DISAGREES,
            headline,
            request,
            tuple(cells),
            explain(a, request, differ, source),
        )
    unanswered = len(cells) - len(answered)
    tail = f" ({unanswered} not answered by AWS)" if unanswered else ""
    outcome = "allowed" if all(c.local == "allowed" for c in answered) else "denied"
    headline = (
        f"AWS's simulator agrees: {len(answered)} of {len(answered)} action × resource "
        f"decisions match ({outcome}){tail}"
    )
    return VerifyResult(VerifyStatus.AGREES, headline, request, tuple(cells))


def _short(arn: str) -> str:
    return arn.split(":", 5)[5] if arn.count(":") >= 5 else arn


def _condition_keys(docs: Iterable[PolicyDocument]) -> set[str]:
    keys: set[str] = set()
    for d in docs:
        raw = d.raw.get("Statement", [])
        for s in raw if isinstance(raw, list) else [raw]:
            cond = s.get("Condition") if isinstance(s, Mapping) else None
            if isinstance(cond, Mapping):
                for block in cond.values():
                    if isinstance(block, Mapping):
                        keys.update(str(k).lower() for k in block)
    return keys


def _local(a: Analysis, c: CellComparison) -> Evaluation | None:
    return next(
        (e.evaluation for e in a.evaluations if (e.action, e.resource) == (c.action, c.resource)),
        None,
    )


def _scp_and_boundary(a: Analysis, differ: Sequence[CellComparison]) -> list[str]:
    """Where AWS's Organizations or boundary decision differs from what sestui read."""
    out: list[str] = []
    scp_differs = boundary_differs = False
    for c in differ:
        ev = _local(a, c)
        if ev is None:
            continue
        local_scp = a.scp_state is not ScpState.APPLIES or (
            all(level.allowed for level in ev.scp_levels)
            and not any(t.kind is PolicyKind.SCP for t in ev.denials())
        )
        if c.organizations_allowed is not None and c.organizations_allowed != local_scp:
            scp_differs = True
        if c.boundary_allowed is not None and c.boundary_allowed != ev.boundary_allows:
            boundary_differs = True
    said = "deny" if any(c.organizations_allowed is False for c in differ) else "allow"
    if scp_differs and a.scp_state is ScpState.UNKNOWN:
        reason = a.account.organization.unknown_reason or "not read"
        out.append(f"AWS says the SCPs {said}; sestui could not read them ({reason})")
    elif scp_differs and a.scp_state is ScpState.NA:
        out.append(
            f"AWS says the SCPs {said}; sestui read no SCP that applies (no organization, or "
            "the management account)"
        )
    elif scp_differs:
        out.append(f"AWS says the SCPs {said}, unlike the SCPs sestui read")
        scps = [d for level in a.scp_docs or () for d in level]
        globals_ = sorted(k for k in _condition_keys(scps) if k.startswith("aws:"))
        if globals_:
            out.append(
                "the SCPs test global condition keys (" + ", ".join(globals_) + "): AWS's "
                "simulator has not always evaluated such SCPs as AWS does at request time"
            )
    elif a.scp_state is ScpState.UNKNOWN:
        out.append("sestui did not read the SCPs; the simulator sees them")
    if boundary_differs:
        out.append(
            "AWS's permissions boundary decision differs from sestui's"
            + ("" if a.boundary_doc else " (sestui read no boundary for this principal)")
        )
    return out


def explain(
    a: Analysis, request: SimulationRequest, differ: Sequence[CellComparison], source: str = ""
) -> tuple[str, ...]:
    """What may explain a disagreement: what the simulator cannot see, what sestui did not read."""
    out: list[str] = list(request.notes)
    missing = sorted({k for c in differ for k in c.missing})
    if missing:
        out.append(
            "AWS had no value for " + ", ".join(missing) + ": the simulator treats a condition "
            "on a missing key as not matching; give it with --context KEY=VALUE (or the flag)"
        )
    out.extend(_scp_and_boundary(a, differ))
    if a.policies.unknown:
        out.append("sestui did not read attached policies: " + ", ".join(a.policies.unknown))
    if a.parse_errors:
        out.append(f"sestui could not parse a policy: {a.parse_errors[0][1]}")
    if request.resource_policy is not None and any(c.resource_type != "identity" for c in differ):
        out.append(
            "AWS's simulator attaches the sending-authorization policy to every resource it "
            "simulates; SES checks it on the identity only"
        )
    docs = (*a.identity_docs, *((a.boundary_doc,) if a.boundary_doc else ()), *a.resource_docs)
    ses_keys = sorted(_condition_keys(docs) & _SES_KEYS)
    if ses_keys:
        out.append(
            "the policies test SES condition keys (" + ", ".join(ses_keys) + "): AWS's "
            "simulator may not evaluate some of them as SES does at send time"
        )
    if not a.principal.is_user:
        out.append("AWS's simulator ignores session policies; a session of the role may carry one")
    out.append(
        f"sestui decided from {source or a.account.source or 'the data it read'}; a policy "
        "changed since then would explain it (AWS reads the account as it is now)"
    )
    return tuple(dict.fromkeys(out))
