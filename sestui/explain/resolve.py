"""What a pasted error says beyond its ARNs: the send path it came from, and what it means when
it says denied while everything sestui read says allowed."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from sestui.account import Account, IamPrincipal, OrgStatus
from sestui.account.accountset import AccountSet
from sestui.verdict.model import Outcome, Verdict
from sestui.verdict.selection import SendPath

# SDK/CLI form of an API error: "An error occurred (CODE) when calling the OP operation".
_API_FORM = re.compile(r"an error occurred \((\w+)\) when calling the (\w+) operation", re.I)
# SES v2 is a REST-JSON service: its errors are `AccessDeniedException`; SES v1 (Query
# protocol) answers `AccessDenied` (API references, "Common Errors" of each version).
_V2_HINTS = re.compile(r"accessdeniedexception|sesv2|ses ?v2|\bsendbulkemail\b", re.I)
_V1_ONLY_OPS = frozenset({"sendrawemail", "sendtemplatedemail", "sendbulktemplatedemail"})
# An SMTP reply: a 4xx/5xx code at the start, or as smtplib/JavaMail/Nodemailer quote it.
_SMTP_REPLY = re.compile(
    r"^\s*[45]\d\d[ -]|\(\s*[45]\d\d\s*,|\bsmtp\w*\b|\bresponsecode\W+[45]\d\d|"
    r"\b[45]\d\d[ -](?:access denied|message rejected|authentication)",
    re.I,
)


@dataclass(frozen=True, slots=True)
class SendForm:
    path: SendPath
    reason: str  # why this path, shown to the user


def send_form(text: str) -> SendForm:
    """The send path a pasted error came from, and why; `--via` overrides it when given."""
    flat = " ".join(text.split())
    api = _API_FORM.search(flat)
    if api is not None:
        code, operation = api.group(1), api.group(2)
        if code.lower() == "accessdeniedexception" or operation.lower() == "sendbulkemail":
            return SendForm(
                SendPath.API_V2, f"the API, v2: the message is an {code} from {operation}"
            )
        if operation.lower() in _V1_ONLY_OPS or code.lower() == "accessdenied":
            return SendForm(
                SendPath.API_V1, f"the API, v1: the message is an {code} from {operation}"
            )
        return SendForm(SendPath.API_V1, f"the API: {code} from {operation}; v1 assumed")
    if _V2_HINTS.search(flat):
        return SendForm(SendPath.API_V2, "the API, v2: the message is an AccessDeniedException")
    if _SMTP_REPLY.search(flat) or "`" in flat:
        return SendForm(SendPath.SMTP, "SMTP: the message is an SMTP reply")
    if re.search(r"\baccessdenied\b|\bnot authorized to perform:", flat, re.I):
        return SendForm(SendPath.API_V1, "the API, v1: the message has the API's AccessDenied form")
    return SendForm(SendPath.SMTP, "SMTP assumed: the message names no API operation")


def unseen(
    account: Account, principal: IamPrincipal, delegate_owner: str | None, *, loaded: bool = False
) -> list[str]:
    """What could deny a send that every policy sestui read allows (`loaded`: the delegate
    owner's account is loaded too, so its policy was read)."""
    out = []
    if not principal.is_user:
        out.append(
            "session policies passed at AssumeRole (a session gets only what both the role's "
            "policies and the session policy allow)"
        )
    out.append("a VPC endpoint policy, if the send went through an interface endpoint for SES")
    if account.source and not account.source.startswith("live"):
        out.append(f"a change made after the {account.source} was taken (re-read the account)")
    org = account.organization
    if org.status is OrgStatus.UNKNOWN or (org.status is OrgStatus.MEMBER and org.levels is None):
        out.append("an SCP: the organization's policies were not read")
    if delegate_owner and not loaded:
        out.append(f"account {delegate_owner}'s sending-authorization policy (not loaded)")
    out.append(
        "another account: the credentials that sent may not be the ones the message names in "
        "this account (check with sts get-caller-identity)"
    )
    return out


def contradicted(verdict: Verdict, things: list[str]) -> Verdict:
    """The pasted error says access denied, every policy read allows the send: that is the
    finding. Also when the account as read refuses the send for a reason no policy gives (the
    identity not verified in the region, a configuration set that does not exist): SES would
    answer that with another error, not an access denial."""
    if verdict.outcome is Outcome.ALLOWED:
        otherwise = ""
    elif (
        verdict.outcome is Outcome.DENIED
        and verdict.deciding is None
        and all(e.decision.allowed for e in verdict.evaluations)
    ):
        otherwise = f" (as read, SES would refuse it with another error: {verdict.summary})"
    else:
        return verdict
    return replace(
        verdict,
        outcome=Outcome.UNDECIDED,
        summary="the error says denied, but every policy sestui read allows this send"
        + otherwise
        + ": the cause is in what sestui cannot see",
        reasons=tuple(f"not visible to sestui: {t}" for t in things),
    )


def where_verified(accounts: AccountSet, region: str, names: Sequence[str]) -> list[str]:
    """Where each identity a not-verified error names is verified, among the loaded accounts
    (several: only the accounts that verify it are named), and whether the region is in the
    sandbox (recipients must then be verified too)."""
    several = len(accounts) > 1
    states = [(a, a.regions[region]) for a in accounts if region in a.regions]
    if not states:
        return []
    out = []
    for name in names:
        found = [(a, s.resolve(name).identity) for a, s in states]
        hits = [(a, i) for a, i in found if i is not None]
        for account, identity in hits:
            whose = f" in account {account.title}" if several else ""
            out.append(f"{name}: verified via {identity.name}{whose}")
        if not hits:
            anywhere = (
                f" in any of the {len(states)} loaded accounts that use it"
                if len(states) > 1
                else f" in account {states[0][0].title}"
                if several
                else ""
            )
            out.append(f"{name}: not verified in {region}{anywhere}")
    for account, state in states:
        if state.sending.sandbox:
            whose = f" for account {account.title}" if several else ""
            out.append(f"{region} is in the sandbox{whose}: recipients must be verified")
    return out
