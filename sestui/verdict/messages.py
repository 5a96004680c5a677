"""The exact error text SES would return for a denial, so users can compare it with theirs."""

from __future__ import annotations

from collections.abc import Sequence

from sestui.policy import Decision, PolicyKind
from sestui.verdict.analysis import Analysis
from sestui.verdict.model import ResourceEvaluation
from sestui.verdict.selection import SendPath

_KIND_WORDS = {
    PolicyKind.SCP: "service control policy",
    PolicyKind.IDENTITY: "identity-based policy",
    PolicyKind.RESOURCE: "resource-based policy",
    PolicyKind.BOUNDARY: "permissions boundary",
}


def reason_suffix(ev: ResourceEvaluation) -> str:
    kind = ev.evaluation.deciding or PolicyKind.IDENTITY
    words = _KIND_WORDS[kind]
    if ev.decision is Decision.EXPLICITLY_DENIED:
        return f"with an explicit deny in a {words}"
    return f"because no {words} allows the {ev.action} action"


def error_text(a: Analysis, ev: ResourceEvaluation) -> str:
    path = a.selection.path
    if path is SendPath.SMTP:
        return (
            f"554 Access denied: User `{a.request_arn}' is not authorized to perform "
            f"`{ev.action}' on resource `{ev.resource}'"
        )
    operation = ev.action.split(":", 1)[1]
    if path is SendPath.API_V2:
        operation = "SendBulkEmail" if operation.lower().startswith("sendbulk") else "SendEmail"
        code = "AccessDeniedException"
    else:
        code = "AccessDenied"
    return (
        f"An error occurred ({code}) when calling the {operation} operation: User: "
        f"{a.request_arn} is not authorized to perform: {ev.action} on resource: "
        f"{ev.resource} {reason_suffix(ev)}"
    )


def unverified_text(a: Analysis, names: Sequence[str] = ()) -> str:
    listed = ", ".join(names) if names else (a.from_address or a.identity_name)
    text = (
        f"Email address is not verified. The following identities failed the check in region "
        f"{a.selection.region.upper()}: {listed}"
    )
    if a.selection.path is SendPath.SMTP:
        return f"554 Message rejected: {text}"
    # The API raises MessageRejected with the same text (SendEmail, "Errors").
    operation = a.selection.effective_actions[0].split(":", 1)[-1]
    if a.selection.path is SendPath.API_V2:
        operation = "SendBulkEmail" if operation.lower().startswith("sendbulk") else "SendEmail"
    return f"An error occurred (MessageRejected) when calling the {operation} operation: {text}"
