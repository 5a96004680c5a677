"""Run every check on a selection and decide the verdict: allowed, denied or undecided."""

from __future__ import annotations

from dataclasses import replace

from sestui.account import Account
from sestui.checks import CHECKS, smtp
from sestui.checks.sandbox import sandbox_unverified
from sestui.policy import Decision, PolicyKind
from sestui.verdict.analysis import NO_OVERRIDES, Analysis, Overrides, ScpState, analyze
from sestui.verdict.common import short
from sestui.verdict.context import SET_BY
from sestui.verdict.messages import error_text, unverified_text
from sestui.verdict.model import CheckResult, Outcome, ResourceEvaluation, Status, Verdict
from sestui.verdict.selection import Selection, SendPath

CHECK_IDS = tuple(c.id for c in CHECKS)
CHECK_TITLES = {c.id: c.title for c in CHECKS}


def run(
    account: Account,
    selection: Selection,
    overrides: Overrides = NO_OVERRIDES,
    owner: Account | None = None,
) -> Verdict:
    """The checks and the verdict for one selection. Raises SelectionError for unknown names.

    `owner`: the loaded account that owns a delegate send's identity (another account's ARN)."""
    a = analyze(account, selection, overrides, owner)
    results = tuple(check.run(a) for check in CHECKS)
    if a.owner is not None:
        results = tuple(_fix_in_account(a, r) for r in results)
    verdict = decide(a, results)
    if overrides is NO_OVERRIDES and verdict.outcome is Outcome.UNDECIDED and verdict.missing_keys:
        verdict = _caveat_fixes(account, selection, verdict, owner)
    return verdict


def how_to_set(keys: tuple[str, ...]) -> str:
    """The flags that give the unset values, e.g. "ses:fromaddress (--from ADDRESS)"."""
    return ", ".join(f"{k} ({SET_BY.get(k.lower(), f'--context {k}=VALUE')})" for k in keys)


def outcome_of(
    account: Account,
    selection: Selection,
    overrides: Overrides = NO_OVERRIDES,
    owner: Account | None = None,
) -> Outcome:
    """The verdict's outcome alone, as `run` decides it, without running the checks (they only
    explain it)."""
    return decide(analyze(account, selection, overrides, owner), ()).outcome


def _caveat_fixes(
    account: Account, selection: Selection, verdict: Verdict, owner: Account | None = None
) -> Verdict:
    """An UNDECIDED verdict is decided by giving the unset values, not by a policy change. A fix
    that allows the send whatever those values are drops the condition that reads them: say so
    in its title, never silently."""
    keys = ", ".join(verdict.missing_keys)
    checks = []
    for c in verdict.checks:
        if c.fix is not None:
            after = outcome_of(account, selection, Overrides().with_fix(c.fix), owner)
            if after is Outcome.ALLOWED:
                title = (
                    f"{c.fix.title}, whatever {keys} is: this drops the condition on {keys}; "
                    f"only if the request cannot give it (first give "
                    f"{how_to_set(verdict.missing_keys)} and check again)"
                )
                c = replace(c, fix=replace(c.fix, title=title))
        checks.append(c)
    return replace(verdict, checks=tuple(checks))


def _fix_in_account(a: Analysis, result: CheckResult) -> CheckResult:
    """Across accounts each fix names the account it must be applied in."""
    fix = result.fix
    if fix is None or fix.account:
        return result
    where = fix.replaces.source.account if fix.replaces else None
    return replace(result, fix=replace(fix, account=where or a.account.title))


def decide(a: Analysis, results: tuple[CheckResult, ...]) -> Verdict:
    verdict = _decide(a, results)
    # Say what was assumed of the unknown keys the policies read but that did not decide.
    assumed = tuple(n for n in a.assumed if n.split(": ", 1)[0] not in a.deciding_keys)
    return replace(verdict, assumed=assumed) if assumed else verdict


def _decide(a: Analysis, results: tuple[CheckResult, ...]) -> Verdict:
    evs = a.evaluations
    if a.selection.path is SendPath.SMTP and not a.principal.is_user:
        # SMTP credentials are derived from an IAM user's long-term key only ("Obtaining Amazon
        # SES SMTP credentials"): SES refuses the login (535) before any policy is read.
        return Verdict(
            Outcome.DENIED,
            f"{a.principal.name} is a role: SMTP authenticates only with an IAM user's "
            "long-term access key",
            None,
            "535 Authentication Credentials Invalid",
            evs,
            results,
            a.identity_arn,
            (),
            ("role over SMTP", SMTP_ROLE_FIX),
        )
    if a.selection.path is SendPath.SMTP and a.principal.has_active_key is False:
        # Likewise without an active access key: no SMTP password can be derived (535).
        return Verdict(
            Outcome.DENIED,
            smtp.no_key_summary(a.principal.name, bool(a.principal.access_keys)),
            None,
            "535 Authentication Credentials Invalid",
            evs,
            results,
            a.identity_arn,
            (),
            ("no active access key for SMTP", smtp.SMTP_KEY_FIX),
        )
    denied = [e for e in evs if not e.decision.allowed]
    # A delegate send needs both sides (cross-account); the owner's side was not read.
    owner_unread = [
        e for e in denied if a.delegate_owner and a.owner is None and _owner_side_only(e)
    ]
    denied = [e for e in denied if e not in owner_unread]
    # Unknown keys whose value changes the outcome (sestui/verdict/unknowns.py).
    keys: set[str] = set(a.deciding_keys)
    doubts: list[str] = []
    if keys:
        doubts.append("the decision hangs on request values left unset: " + ", ".join(sorted(keys)))
    if a.parse_errors:
        doubts.append(f"a policy does not parse: {a.parse_errors[0][1]}")
    if a.policies.unknown:
        doubts.append("attached policy documents not read: " + ", ".join(a.policies.unknown))
    authorized = a.identity_region.identity(a.identity_name) if a.identity_region else None
    if a.identity is not None and not a.identity.verification_known:
        doubts.append(f"the verification status of {a.identity.name} was not read")
    if authorized is not None and not authorized.policies_known:
        doubts.append(f"the sending-authorization policies of {authorized.name} were not read")
    certain_deny = a.explicit_always
    verified_known = a.identity_account.ses_known and a.identity_region is not None
    owner_unknown = a.delegate_owner is not None and a.owner is None
    unverified = verified_known and a.identity is None and not owner_unknown
    # In the sandbox SES verifies every recipient too ("Request production access").
    recipients = sandbox_unverified(a) if verified_known else ()

    first = denied[0] if denied else None
    deciding = first.evaluation.deciding if first else (evs[0].evaluation.deciding if evs else None)
    if certain_deny and first is not None:
        return _verdict(a, results, Outcome.DENIED, first, deciding, keys, doubts)
    if unverified or recipients:
        names = ((a.from_address or a.identity_name,) if unverified else ()) + recipients
        return Verdict(
            Outcome.DENIED,
            f"{', '.join(names)} {'is' if len(names) == 1 else 'are'} not verified in "
            f"{a.selection.region}"
            + (" (sandbox: recipients must be verified too)" if recipients else ""),
            None,
            unverified_text(a, names),
            evs,
            results,
            a.identity_arn,
            tuple(sorted(keys)),
            ("identity not verified",) if unverified else ("sandbox recipients not verified",),
        )
    if a.template_missing and not a.template_possible and first is None and not doubts:
        action = a.template_missing[0]
        return Verdict(
            Outcome.DENIED,
            f"{action} authorizes a template too, and no policy allows it on any template",
            PolicyKind.IDENTITY,
            None,
            evs,
            results,
            a.identity_arn,
            tuple(sorted(keys)),
            (f"no statement allows {action} on template/*",),
        )
    absent = _resource_absent(a)
    if absent and (first is None or doubts):
        # Refused whatever the policies say (a certain policy denial answers AccessDenied first).
        reason, aws_text, causes = absent
        return Verdict(
            Outcome.DENIED,
            reason,
            None,
            aws_text,
            evs,
            results,
            a.identity_arn,
            tuple(sorted(keys)),
            causes,
        )
    if first is not None:
        if doubts:
            return _verdict(a, results, Outcome.UNDECIDED, first, deciding, keys, doubts)
        return _verdict(a, results, Outcome.DENIED, first, deciding, keys, doubts)
    if owner_unread:
        doubts.insert(
            0,
            f"the sending-authorization policy of {a.identity_arn} (account {a.delegate_owner}) "
            "was not read: load that account to decide the owner's side",
        )
    if a.template_missing:
        doubts.insert(
            0,
            f"no template given: {', '.join(a.template_missing)} also authorizes the template "
            "resource (add --template NAME)",
        )
    if a.scp_state is ScpState.UNKNOWN:
        doubts.append("SCPs unknown: " + (a.account.organization.unknown_reason or "not read"))
    if not verified_known:
        doubts.append(f"SES identities in {a.selection.region} were not read")
    if a.template and (a.region is None or a.region.templates is None):
        doubts.append(
            f"the templates of {a.selection.region} were not read: template {a.template} may "
            "not exist there"
        )
    if a.selection.path is SendPath.SMTP and a.principal.has_active_key is None:
        doubts.append(
            f"the access keys of {a.principal.name} were not read (SMTP needs an active one)"
        )
    if doubts:
        return Verdict(
            Outcome.UNDECIDED,
            "allowed by the policies read, but " + doubts[0],
            deciding,
            None,
            evs,
            results,
            a.identity_arn,
            tuple(sorted(keys)),
            tuple(doubts),
        )
    by = (
        "a sending-authorization policy" if deciding is PolicyKind.RESOURCE else "identity policies"
    )
    return Verdict(
        Outcome.ALLOWED,
        f"{a.principal.name} may send as {short(a.identity_arn)} in {a.selection.region} ({by})",
        deciding,
        None,
        evs,
        results,
        a.identity_arn,
        tuple(sorted(keys)),
        (),
    )


def _resource_absent(a: Analysis) -> tuple[str, str, tuple[str, ...]] | None:
    """A template or configuration set the request names that is not in the region (when the
    region's were read): the reason, what SES answers, and the causes. SES refuses such a send
    whatever the policies say. An identity's default configuration set is not counted: what
    SES does when it was deleted is not documented (the resources check warns)."""
    region = a.selection.region
    templates = a.region.templates if a.region is not None else None
    if a.template and templates is not None and a.template not in templates:
        return (
            f"template {a.template} does not exist in {region}",
            f"TemplateDoesNotExist: Template {a.template} does not exist",
            ("template does not exist", f"create template {a.template} in {region}"),
        )
    sets = a.region.configuration_sets if a.region is not None else None
    if (
        a.config_set
        and not a.config_set_is_default
        and sets is not None
        and a.config_set not in sets
    ):
        aws_text = {
            SendPath.SMTP: "554 Configuration set does not exist",
            SendPath.API_V1: f"ConfigurationSetDoesNotExist: Configuration set "
            f"{a.config_set} does not exist",
            SendPath.API_V2: f"NotFoundException: Configuration set {a.config_set} does not exist",
        }[a.selection.path]
        return (
            f"configuration set {a.config_set} does not exist in {region}",
            aws_text,
            (
                "configuration set does not exist",
                f"create configuration set {a.config_set} in {region}, or send without it",
            ),
        )
    return None


SMTP_ROLE_FIX = "use an IAM user's SMTP credentials or send through the API"


def _owner_side_only(e: ResourceEvaluation) -> bool:
    """Denied only because the other account's resource policy (not read) grants nothing."""
    ev = e.evaluation
    return (
        e.resource_type == "identity"
        and ev.cross_account
        and e.decision is Decision.IMPLICITLY_DENIED
        and ev.deciding is PolicyKind.RESOURCE
    )


def _verdict(
    a: Analysis,
    results: tuple[CheckResult, ...],
    outcome: Outcome,
    first: ResourceEvaluation,
    deciding: PolicyKind | None,
    keys: set[str],
    doubts: list[str],
) -> Verdict:
    kind = deciding.label if deciding else "policy"
    explicit = first.decision is Decision.EXPLICITLY_DENIED
    summary = (
        f"{first.action} on {short(first.resource)}: "
        + ("explicit Deny in a " if explicit else "not allowed by the ")
        + kind
    )
    if a.owner is not None:
        # Across accounts, say whose policy decided.
        whose = a.owner if deciding is PolicyKind.RESOURCE else a.account
        summary += f" of account {whose.title}"
    if outcome is Outcome.UNDECIDED:
        summary = "denied by the policies read, but " + doubts[0]
    failing = [r.check_id for r in results if r.status is Status.FAIL]
    reasons = tuple(doubts) or tuple(f"check {c} fails" for c in failing)
    return Verdict(
        outcome,
        summary,
        deciding,
        error_text(a, first),
        a.evaluations,
        results,
        a.identity_arn,
        tuple(sorted(keys)),
        reasons,
    )
