"""GetSendQuota and friends take no resource: they need `Resource: "*"`."""

from __future__ import annotations

from typing import Any

from sestui.verdict.analysis import Analysis
from sestui.verdict.common import identity_allow_statements
from sestui.verdict.fixes import as_list, edit_policy
from sestui.verdict.model import Check, CheckResult, Finding, Fix, Status
from sestui.verdict.selection import NON_SENDING_ACTIONS

CHECK_ID = "non-sending-resource"
TITLE = 'Non-sending actions use Resource "*"'

_NON_SENDING = {a.lower() for a in NON_SENDING_ACTIONS}


def _split(index: int) -> Any:
    def change(stmts: list[dict[str, Any]]) -> None:
        original = stmts[index]
        actions = as_list(original.get("Action", []))
        non_sending = [x for x in actions if x.lower() in _NON_SENDING]
        rest = [x for x in actions if x.lower() not in _NON_SENDING]
        quota = {k: v for k, v in original.items() if k not in ("Resource", "NotResource", "Sid")}
        quota["Sid"] = "SesAccountLevelActions"
        quota["Action"] = non_sending
        quota["Resource"] = "*"
        replacement = [quota]
        if rest:
            sending = dict(original)
            sending["Action"] = rest
            replacement.insert(0, sending)
        stmts[index : index + 1] = replacement

    return change


def run(a: Analysis) -> CheckResult:
    findings: list[Finding] = []
    fix: Fix | None = None
    for doc, _, s in identity_allow_statements(a):
        listed = [x for x in s.actions if x.lower() in _NON_SENDING]
        if not listed:
            continue
        if not s.not_resource and any(r.text == "*" for r in s.resources):
            continue
        findings.append(
            Finding(
                f"{', '.join(listed)} under Resource "
                f"{', '.join(r.text for r in s.resources)}: these actions have no resource, so "
                "this grant never applies",
                doc,
                s.index,
                s.sid,
                s.lines,
                s.effect,
            )
        )
        if fix is None:
            fix = edit_policy(
                f'Give {", ".join(listed)} a statement of its own with Resource "*"',
                doc,
                _split(s.index),
            )
    denied = [ev for ev in a.evaluations if ev.resource == "*" and not ev.decision.allowed]
    if denied:
        return CHECK.result(
            Status.FAIL,
            f'{denied[0].action} is denied: it needs an Allow with Resource "*"',
            explanation="Actions such as GetSendQuota act on the account, not on an identity: SES "
            "checks "
            'them against Resource "*".',
            findings=tuple(findings),
            fix=fix,
        )
    if findings:
        return CHECK.result(
            Status.WARN,
            f"{len(findings)} statement(s) grant account-level SES actions on a specific Resource",
            explanation="GetSendQuota, GetSendStatistics, GetAccount and ListIdentities take no "
            "resource. "
            "Granted under an identity ARN they are never allowed: split them into a statement "
            'with Resource "*" (as in AWS\'s two-statement example).',
            findings=tuple(findings),
            fix=fix,
        )
    return CHECK.result(Status.PASS, "no account-level action is granted on a specific Resource")


CHECK = Check(CHECK_ID, TITLE, run)
