"""SMTP credentials belong to one IAM user's access key and work in one region only."""

from __future__ import annotations

from sestui.verdict.analysis import Analysis
from sestui.verdict.model import Check, CheckResult, Status
from sestui.verdict.selection import SendPath

CHECK_ID = "smtp-credentials"
TITLE = "SMTP credentials and region"

_REGION_NOTE = (
    "The SMTP user name is the access key ID; the password is derived from the "
    "secret key and the region, so a password made for one region fails in another "
    "with '535 Authentication Credentials Invalid'."
)


SMTP_KEY_FIX = (
    "create an access key for the user (iam create-access-key) and derive the SMTP password "
    "for the region from its secret key"
)


def no_key_summary(name: str, inactive: bool) -> str:
    what = "only inactive access keys" if inactive else "no access key"
    return f"{name} has {what}: SMTP credentials are derived from an active one"


def run(a: Analysis) -> CheckResult:
    region = a.selection.region
    if a.selection.path is not SendPath.SMTP:
        return CHECK.result(Status.NA, "not an SMTP send")
    p = a.principal
    if not p.is_user:
        return CHECK.result(
            Status.FAIL,
            f"{p.name} is a role: SMTP authenticates only with an IAM user's long-term key",
            explanation="SMTP credentials are derived from an IAM user's access key; a role's "
            "temporary "
            "credentials cannot be, so SES answers '535 Authentication Credentials Invalid'. "
            "Fix: use an IAM user's SMTP credentials or send through the API.",
        )
    if p.has_active_key is None:
        return CHECK.result(
            Status.UNKNOWN,
            f"the access keys of {p.name} were not read: SMTP credentials come from one",
            explanation="SMTP credentials are derived from an IAM user's active access key; "
            "without one SES answers '535 Authentication Credentials Invalid'. "
            "Load a snapshot or a live account (iam:ListAccessKeys) to know.",
        )
    active = [k for k in p.access_keys if k.active]
    if not active:
        return CHECK.result(
            Status.FAIL,
            no_key_summary(p.name, bool(p.access_keys)),
            explanation="SMTP credentials are derived from an IAM user's active access key, so "
            "SES refuses the login with '535 Authentication Credentials Invalid' before any "
            f"policy is read. Fix: {SMTP_KEY_FIX}. " + _REGION_NOTE,
        )
    elsewhere = [k for k in active if k.last_used_region not in (None, "N/A", region)]
    other_service = [k for k in active if k.last_used_service not in (None, "N/A", "ses", "email")]
    notes = []
    for k in other_service:
        notes.append(f"{k.key_id} was last used for {k.last_used_service}")
    if elsewhere:
        k = elsewhere[0]
        return CHECK.result(
            Status.WARN,
            f"key {k.key_id} was last used in {k.last_used_region}, not {region}",
            explanation=f"If these SMTP credentials were made for {k.last_used_region}, derive "
            f"a new password for {region} from the same key. "
            + _REGION_NOTE
            + (" " + "; ".join(notes) if notes else ""),
        )
    used = [k for k in active if k.last_used_region == region]
    summary = (
        f"key {used[0].key_id} was last used in {region}"
        if used
        else f"{len(active)} active key(s); none used yet"
    )
    return CHECK.result(
        Status.PASS, summary, explanation=_REGION_NOTE + (" " + "; ".join(notes) if notes else "")
    )


CHECK = Check(CHECK_ID, TITLE, run)
