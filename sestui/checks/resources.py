"""The configuration set (also the identity's default set) and template ARNs."""

from __future__ import annotations

from typing import Any

from sestui.policy import PolicyKind, StatementTrace
from sestui.verdict.analysis import Analysis
from sestui.verdict.common import finding, short, unique
from sestui.verdict.fixes import add_policy, allow_statement, as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, ResourceEvaluation, Status

CHECK_ID = "resources"
TITLE = "Configuration set and template resources"


def _append(index: int, arns: list[str]) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        st = stmts[index]
        st["Resource"] = [*as_list(st.get("Resource", [])), *arns]

    return change


def run(a: Analysis) -> CheckResult:
    extra = [ev for ev in a.evaluations if ev.resource_type in ("configuration-set", "template")]
    notes: list[str] = []
    status = Status.PASS
    if (
        a.config_set
        and a.region is not None
        and a.region.configuration_sets is not None
        and a.config_set not in a.region.configuration_sets
    ):
        notes.append(
            f"configuration set {a.config_set} does not exist in {a.selection.region} "
            "(SES answers 'Configuration set does not exist')"
        )
        # A set the request names refuses the send, as a missing template does. (What SES does
        # with an identity's default set that was deleted is not documented: a warning.)
        status = Status.WARN if a.config_set_is_default else Status.FAIL
    if a.template and a.region is not None and a.region.templates is not None:
        if a.template not in a.region.templates:
            notes.insert(
                0,
                f"template {a.template} does not exist in {a.selection.region} "
                "(SES answers 'TemplateDoesNotExist')",
            )
            status = Status.FAIL
    elif a.template:
        notes.insert(0, f"the templates of {a.selection.region} were not read")
        status = Status.UNKNOWN
    if not extra:
        return CHECK.result(
            Status.NA if not notes else status,
            notes[0] if notes else "no configuration set or template in this request",
            explanation="When the identity has a default configuration set, or the request "
            "names one or a template, SES also authorizes the send against their "
            "ARNs.",
        )
    denied = [ev for ev in extra if not ev.decision.allowed]
    default = (
        (
            f" ({a.config_set} is the default configuration set of {a.identity_name}, used "
            "when the request names none)"
        )
        if a.config_set_is_default
        else ""
    )
    if not denied:
        allowed = "allowed on " + ", ".join(short(ev.resource) for ev in extra)
        return CHECK.result(
            status,
            notes[0] if notes else allowed,
            explanation="The send is authorized on every resource of the request ("
            + allowed
            + ")."
            + default,
        )
    if status is Status.FAIL:
        # A named set or template the region does not have refuses the send whatever the
        # policies say: that comes first, and no policy change is a fix for it. The statements
        # that do not allow it are still marked (they decide once it exists).
        findings, _ = _policy_findings(a, denied, None)
        return CHECK.result(
            Status.FAIL,
            notes[0],
            explanation="SES refuses a send that names a configuration set or template the "
            f"region does not have, whatever the policies say: create it in {a.selection.region} "
            "or send without it. The policies do not allow it either; once it exists, they "
            "decide." + default,
            findings=unique(findings),
        )
    arns = sorted({ev.resource for ev in denied})
    # The statement that allows the identity ARN: the one to extend.
    on_identity = next(
        (
            (ev, allows[0], doc)
            for ev in a.evaluations
            if ev.resource_type == "identity"
            for allows in [ev.evaluation.allows(PolicyKind.IDENTITY)]
            if allows
            for doc in [a.document_of(allows[0].policy)]
            if doc is not None
        ),
        None,
    )
    if on_identity is None:
        findings, _ = _policy_findings(a, denied, None)
        fix = add_policy(
            "Allow the send on the configuration set / template",
            [allow_statement([ev.action for ev in denied], arns)],
        )
    else:
        ev, allowing, doc = on_identity
        findings, said = _policy_findings(a, denied, (short(ev.resource), allowing))
        if not said:
            findings.append(finding(a, allowing, f"allows {short(ev.resource)} only"))
        # Extend the statement that already allows the identity ARN.
        fix = edit_policy(
            "Add the configuration set / template ARN to the statement that allows the identity",
            doc,
            _append(allowing.statement.index, arns),
        )
    return CHECK.result(
        Status.FAIL,
        "denied on " + ", ".join(short(x) for x in arns),
        explanation="SES authorizes a send against the identity and also against the "
        "configuration set and template it uses; an AccessDenied can name the "
        "configuration set ARN." + default,
        findings=unique(findings),
        fix=fix,
    )


def _policy_findings(
    a: Analysis, denied: list[ResourceEvaluation], allowing: tuple[str, StatementTrace] | None
) -> tuple[list[Finding], bool]:
    """The statements that deny a refused resource, and the near misses that allow the action
    but not there; a near miss that is `allowing`'s statement (the one that allows the identity,
    named by its resource) says what it allows. Whether one did."""
    findings: list[Finding] = []
    said = False
    for ev in denied:
        for t in ev.evaluation.denials():
            findings.append(finding(a, t, f"denies {ev.action} on {short(ev.resource)}"))
        for t in ev.evaluation.near_misses(PolicyKind.IDENTITY):
            on = ""
            if allowing is not None and _same(t, allowing[1]):
                on, said = f" on {allowing[0]}", True
            findings.append(
                finding(a, t, f"allows {ev.action}{on}, but not on {short(ev.resource)}")
            )
    return findings, said


def _same(t: StatementTrace, other: StatementTrace) -> bool:
    return t.policy is other.policy and t.statement.index == other.statement.index


CHECK = Check(CHECK_ID, TITLE, run)
