"""An account in the SES sandbox may send only to verified recipients."""

from __future__ import annotations

from sestui.verdict.analysis import Analysis
from sestui.verdict.messages import unverified_text
from sestui.verdict.model import Check, CheckResult, Status

CHECK_ID = "sandbox"
TITLE = "Sandbox and sending status"


# "In the sandbox you can only send to verified addresses and domains, or to the Amazon SES
# mailbox simulator" (Request production access; Using the mailbox simulator).
SIMULATOR_DOMAIN = "simulator.amazonses.com"


def sandbox_unverified(a: Analysis) -> tuple[str, ...]:
    """Recipients given that no verified identity covers, when the region is in the sandbox."""
    state = a.identity_region  # a delegate send: the identity owner's account decides
    if state is None or not state.sending.sandbox or not a.selection.recipients:
        return ()
    return tuple(
        r
        for r in a.selection.recipients
        if r.rpartition("@")[2].lower() != SIMULATOR_DOMAIN and state.resolve(r).identity is None
    )


def run(a: Analysis) -> CheckResult:
    region = a.selection.region
    if a.identity_region is None:
        return CHECK.result(Status.UNKNOWN, f"{region} was not read")
    sending = a.identity_region.sending
    if sending.sending_enabled is False:
        return CHECK.result(
            Status.WARN,
            f"sending is paused for this account in {region}",
            explanation="SES answers 'Account is paused' (a different error): see the "
            f"enforcement status ({sending.enforcement_status or 'unknown'}).",
        )
    if sending.sandbox is None:
        return CHECK.result(
            Status.UNKNOWN, f"sandbox status in {region} unknown (needs ses:GetAccount)"
        )
    if not sending.sandbox:
        return CHECK.result(Status.PASS, f"production access in {region}")
    recipients = a.selection.recipients
    if recipients:
        unverified = sandbox_unverified(a)
        if unverified:
            return CHECK.result(
                Status.FAIL,
                f"sandbox: {len(unverified)} recipient(s) not verified in {region}: "
                + ", ".join(unverified),
                explanation=f"In the sandbox SES rejects unverified recipients with: "
                f"{unverified_text(a, unverified)}. Verify them, or request production access.",
            )
        return CHECK.result(Status.PASS, f"sandbox in {region}, and every recipient is verified")
    return CHECK.result(
        Status.WARN,
        f"{region} is in the sandbox",
        explanation="Recipients must be verified identities too, or SES answers 'Email "
        "address is not verified' naming them. Request production access.",
    )


CHECK = Check(CHECK_ID, TITLE, run)
