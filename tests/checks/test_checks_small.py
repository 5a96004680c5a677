"""Each check failing, passing and unknown on small hand-built accounts; fixes proven."""

from __future__ import annotations

from typing import Any

import pytest

from sestui.account import Account
from sestui.decide import FixKind, Outcome, Overrides, Selection, SelectionError, Status, run
from sestui.verdict.model import Verdict
from tests.accounthelp import ACCT, FULL, REGION, account, allow, arn, deny, doc

SEND = doc(allow("ses:SendRawEmail", arn("identity", "example.com")))


def check(acct: Account, check_id: str, **sel: Any) -> tuple[Verdict, Status]:
    selection = Selection("app", REGION, **({"from_address": "app@example.com"} | sel))
    v = run(acct, selection)
    return v, v.check(check_id).status


def proves(acct: Account, check_id: str, **sel: Any) -> Verdict:
    """Apply the check's fix as an override and return the new verdict."""
    selection = Selection("app", REGION, **({"from_address": "app@example.com"} | sel))
    before = run(acct, selection)
    fix = before.check(check_id).fix
    assert fix is not None, before.check(check_id)
    after = run(acct, selection, Overrides().with_fix(fix))
    assert after.check(check_id).status is not Status.FAIL
    return after


# -- identity-policy ------------------------------------------------------------------------


def test_identity_policy() -> None:
    assert check(account(inline=[SEND]), "identity-policy")[1] is Status.PASS
    v, status = check(account(inline=[doc(allow("ses:SendEmail", "*"))]), "identity-policy")
    assert status is Status.FAIL and v.outcome is Outcome.DENIED
    assert (
        proves(account(inline=[doc(allow("ses:SendEmail", "*"))]), "identity-policy").outcome
        is Outcome.ALLOWED
    )
    v, status = check(account(inline=[FULL, doc(deny("ses:SendRawEmail"))]), "identity-policy")
    assert status is Status.FAIL and "explicitly denies" in v.check("identity-policy").summary
    # An attached policy whose document was not read: unknown, and the verdict is undecided.
    unread = account(attached=["arn:aws:iam::aws:policy/AmazonSESFullAccess"])
    v, status = check(unread, "identity-policy")
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED
    # A policy that does not parse: unknown, located.
    broken = account(
        inline=[
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Perhaps", "Action": "ses:*", "Resource": "*"}],
            }
        ]
    )
    v, status = check(broken, "identity-policy")
    assert status is Status.UNKNOWN and "Statement[0], Effect" in v.check("identity-policy").summary
    assert v.outcome is Outcome.UNDECIDED


# -- non-sending-resource --------------------------------------------------------------------


def test_non_sending_resource() -> None:
    mixed = doc(allow(["ses:GetSendQuota", "ses:SendRawEmail"], arn("identity", "example.com")))
    v, status = check(account(inline=[mixed]), "non-sending-resource")
    assert status is Status.WARN and v.outcome is Outcome.ALLOWED
    v, status = check(
        account(inline=[mixed]), "non-sending-resource", actions=("ses:GetSendQuota",)
    )
    assert status is Status.FAIL and v.outcome is Outcome.DENIED
    after = proves(
        account(inline=[mixed]),
        "non-sending-resource",
        actions=("ses:GetSendQuota", "ses:SendRawEmail"),
    )
    assert after.outcome is Outcome.ALLOWED
    fix = v.check("non-sending-resource").fix
    assert fix is not None and fix.kind is FixKind.REPLACE_POLICY
    # The seed's two-statement split: sending actions keep the identity, quota gets "*".
    assert fix.document["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["ses:SendRawEmail"],
            "Resource": arn("identity", "example.com"),
        },
        {
            "Effect": "Allow",
            "Action": ["ses:GetSendQuota"],
            "Sid": "SesAccountLevelActions",
            "Resource": "*",
        },
    ]
    assert (
        check(account(inline=[SEND, doc(allow("ses:GetSendQuota", "*"))]), "non-sending-resource")[
            1
        ]
        is Status.PASS
    )


# -- sending-authorization -------------------------------------------------------------------

USER_ARN = f"arn:aws:iam::{ACCT}:user/app"


def sa(*statements: dict[str, Any]) -> dict[str, Any]:
    return doc(*statements)


def test_sending_authorization() -> None:
    denying = [
        {
            "name": "example.com",
            "policies": {
                "p": sa(
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": [USER_ARN, f"arn:aws:iam::{ACCT}:user/x"]},
                        "Action": "ses:*",
                        "Resource": arn("identity", "example.com"),
                    }
                )
            },
        }
    ]
    v, status = check(account(inline=[FULL], identities=denying), "sending-authorization")
    assert status is Status.FAIL and v.outcome is Outcome.DENIED
    after = proves(account(inline=[FULL], identities=denying), "sending-authorization")
    assert after.outcome is Outcome.ALLOWED
    fix = v.check("sending-authorization").fix
    assert fix is not None
    assert fix.document["Statement"][0]["Principal"] == {"AWS": f"arn:aws:iam::{ACCT}:user/x"}
    # A policy that names the user allows on its own, without any IAM permission.
    granting = [
        {
            "name": "example.com",
            "policies": {
                "p": sa(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": USER_ARN},
                        "Action": "ses:SendRawEmail",
                        "Resource": arn("identity", "example.com"),
                    }
                )
            },
        }
    ]
    v, status = check(account(inline=[], identities=granting), "sending-authorization")
    assert status is Status.PASS and v.outcome is Outcome.ALLOWED
    assert check(account(inline=[SEND]), "sending-authorization")[1] is Status.PASS
    unread = [{"name": "example.com", "policies_known": False}]
    v, status = check(account(inline=[SEND], identities=unread), "sending-authorization")
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED
    # The address's policy takes precedence over the domain's Deny.
    both = [
        {
            "name": "example.com",
            "policies": {
                "d": sa(
                    {
                        "Effect": "Deny",
                        "Principal": {"AWS": ACCT},
                        "Action": "ses:*",
                        "Resource": arn("identity", "example.com"),
                    }
                )
            },
        },
        {
            "name": "app@example.com",
            "policies": {
                "a": sa(
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": USER_ARN},
                        "Action": "ses:*",
                        "Resource": arn("identity", "app@example.com"),
                    }
                )
            },
        },
    ]
    v, status = check(account(identities=both), "sending-authorization")
    assert (
        status is Status.PASS and "takes precedence" in v.check("sending-authorization").explanation
    )
    assert v.outcome is Outcome.ALLOWED


# -- identity-resolution ---------------------------------------------------------------------


def test_identity_resolution() -> None:
    ids = [{"name": "example.com"}, {"name": "app@example.com"}]
    v, status = check(account(inline=[SEND], identities=ids), "identity-resolution")
    assert status is Status.FAIL and v.identity_arn == arn("identity", "app@example.com")
    assert proves(account(inline=[SEND], identities=ids), "identity-resolution").outcome is (
        Outcome.ALLOWED
    )
    # A subdomain verified on its own wins over the parent domain.
    ids = [{"name": "example.com"}, {"name": "mail.example.com"}]
    v, status = check(
        account(inline=[SEND], identities=ids),
        "identity-resolution",
        from_address="a@mail.example.com",
    )
    assert status is Status.FAIL and (v.identity_arn or "").endswith("identity/mail.example.com")
    # Wrong region in the ARN.
    wrong = doc(allow("ses:SendRawEmail", arn("identity", "example.com", "us-west-2")))
    v, status = check(account(inline=[wrong]), "identity-resolution")
    assert (
        status is Status.FAIL and "us-west-2" in v.check("identity-resolution").findings[0].reason
    )
    assert proves(account(inline=[wrong]), "identity-resolution").outcome is Outcome.ALLOWED
    assert check(account(inline=[SEND]), "identity-resolution")[1] is Status.PASS
    v, status = check(account(inline=[SEND], ses=False), "identity-resolution")
    assert status is Status.UNKNOWN


# -- resources -------------------------------------------------------------------------------


def test_configuration_set_and_template_resources() -> None:
    ids = [{"name": "example.com", "config_set": "tracking"}]
    v, status = check(account(inline=[SEND], identities=ids, config_sets=["tracking"]), "resources")
    assert status is Status.FAIL
    assert v.error_text is not None and "configuration-set/tracking" in v.error_text
    assert (
        proves(
            account(inline=[SEND], identities=ids, config_sets=["tracking"]), "resources"
        ).outcome
        is Outcome.ALLOWED
    )
    # Explicitly no configuration set: only the identity is checked.
    v, status = check(account(inline=[SEND], identities=ids), "resources", configuration_set="")
    assert status is Status.NA and v.outcome is Outcome.ALLOWED
    templated = dict(actions=("ses:SendTemplatedEmail",), template="welcome")
    send_t = doc(allow("ses:SendTemplatedEmail", arn("identity", "example.com")))
    welcome = ["welcome"]  # the region has the template (else: TemplateDoesNotExist)
    v, status = check(account(inline=[send_t], templates=welcome), "resources", **templated)
    assert status is Status.FAIL and "template/welcome" in v.check("resources").summary
    assert (
        proves(account(inline=[send_t], templates=welcome), "resources", **templated).outcome
        is Outcome.ALLOWED
    )
    v, status = check(
        account(inline=[doc(allow("ses:*", "*"))]), "resources", configuration_set="missing"
    )
    # A configuration set the request names that does not exist: SES refuses the send.
    assert status is Status.FAIL and "does not exist" in v.check("resources").summary
    assert v.outcome is Outcome.DENIED
    assert v.summary == "configuration set missing does not exist in eu-west-1"
    assert v.error_text == "554 Configuration set does not exist"
    # An identity's default set that is gone: what SES does is not documented, so a warning.
    gone = [{"name": "example.com", "config_set": "deleted"}]
    v, status = check(
        account(inline=[doc(allow("ses:*", "*"))], identities=gone, config_sets=["other"]),
        "resources",
    )
    assert status is Status.WARN and "deleted does not exist" in v.check("resources").summary
    assert v.outcome is Outcome.ALLOWED


# -- permissions-boundary --------------------------------------------------------------------


def test_permissions_boundary() -> None:
    assert check(account(inline=[SEND]), "permissions-boundary")[1] is Status.NA
    no_ses = doc(allow("s3:*", "*"))
    v, status = check(account(inline=[FULL], boundary=no_ses), "permissions-boundary")
    assert status is Status.FAIL and v.outcome is Outcome.DENIED
    assert proves(account(inline=[FULL], boundary=no_ses), "permissions-boundary").outcome is (
        Outcome.ALLOWED
    )
    assert (
        check(account(inline=[FULL], boundary=doc(allow("ses:*", "*"))), "permissions-boundary")[1]
        is Status.PASS
    )
    v, status = check(account(inline=[FULL], boundary_known=False), "permissions-boundary")
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED


# -- scp -------------------------------------------------------------------------------------


def test_scp() -> None:
    assert check(account(inline=[SEND]), "scp")[1] is Status.NA
    assert check(account(inline=[SEND], org="management"), "scp")[1] is Status.NA
    v, status = check(
        account(inline=[SEND], org="member", unknown_reason="use --org-profile"), "scp"
    )
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED
    assert "--org-profile" in v.check("scp").summary
    ok = [[FULL], [FULL]]
    assert check(account(inline=[SEND], org="member", scp_levels=ok), "scp")[1] is Status.PASS
    region_guard = doc(
        deny("*", "*", Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}})
    )
    levels = [[FULL], [FULL, region_guard]]
    v, status = check(account(inline=[SEND], org="member", scp_levels=levels), "scp")
    assert status is Status.FAIL and "region restriction" in v.check("scp").summary
    assert v.deciding is not None and v.deciding.value == "scp"
    assert proves(account(inline=[SEND], org="member", scp_levels=levels), "scp").outcome is (
        Outcome.ALLOWED
    )
    missing_allow = [[FULL], [doc(allow("s3:*", "*"))]]
    v, status = check(account(inline=[SEND], org="member", scp_levels=missing_allow), "scp")
    assert status is Status.FAIL and "no SCP attached to" in v.check("scp").findings[-1].reason
    assert (
        proves(account(inline=[SEND], org="member", scp_levels=missing_allow), "scp").outcome
        is Outcome.ALLOWED
    )


# -- conditions ------------------------------------------------------------------------------


def test_conditions() -> None:
    cond = doc(
        allow(
            "ses:SendRawEmail",
            "*",
            Condition={"StringEquals": {"ses:FromAddress": "noreply@example.com"}},
        )
    )
    v, status = check(account(inline=[cond]), "conditions")
    assert status is Status.FAIL and "noreply@example.com" in v.check("conditions").summary
    assert proves(account(inline=[cond]), "conditions").outcome is Outcome.ALLOWED
    assert check(account(inline=[cond]), "conditions", from_address="noreply@example.com")[1] is (
        Status.PASS
    )
    ip = doc(
        allow("ses:SendRawEmail", "*", Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})
    )
    v, status = check(account(inline=[ip]), "conditions")
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED
    assert v.check("conditions").missing_keys == ("aws:sourceip",)
    v, _ = check(account(inline=[ip]), "conditions", source_ip="203.0.113.5")
    assert v.outcome is Outcome.ALLOWED
    v, _ = check(account(inline=[ip]), "conditions", source_ip="198.51.100.1")
    assert v.outcome is Outcome.DENIED
    recipients = doc(
        allow(
            "ses:SendRawEmail",
            "*",
            Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}},
        )
    )
    v, _ = check(account(inline=[recipients]), "conditions", recipients=("x@other.org",))
    assert v.outcome is Outcome.DENIED
    assert check(account(inline=[SEND]), "conditions")[1] is Status.NA


# -- verification and sandbox ----------------------------------------------------------------


def test_verification() -> None:
    v, status = check(
        account(inline=[FULL], identities=[{"name": "example.com", "status": "PENDING"}]),
        "verification",
    )
    assert status is Status.FAIL and v.outcome is Outcome.DENIED
    assert v.error_text is not None and "Email address is not verified" in v.error_text
    assert check(account(inline=[FULL]), "verification")[1] is Status.PASS
    v, status = check(account(inline=[FULL], ses=False), "verification")
    assert status is Status.UNKNOWN and v.outcome is Outcome.UNDECIDED


def test_sandbox() -> None:
    assert check(account(inline=[FULL], sandbox=False), "sandbox")[1] is Status.PASS
    assert check(account(inline=[FULL], sandbox=True), "sandbox")[1] is Status.WARN
    v, status = check(
        account(inline=[FULL], sandbox=True), "sandbox", recipients=("team@example.com",)
    )
    assert status is Status.PASS  # the recipient's domain is verified
    v, status = check(
        account(inline=[FULL], sandbox=True), "sandbox", recipients=("someone@gmail.com",)
    )
    # Recipients given that are not verified: a path that can never deliver (issue 10 §4).
    assert status is Status.FAIL and "someone@gmail.com" in v.check("sandbox").explanation
    assert v.outcome is Outcome.DENIED
    assert check(account(inline=[FULL], sandbox=None), "sandbox")[1] is Status.UNKNOWN


def test_smtp_credentials() -> None:
    key = {
        "UserName": "app",
        "AccessKeyId": "AKIAEXAMPLEKEY000001",
        "Status": "Active",
        "AccessKeyLastUsed": {"ServiceName": "ses", "Region": "us-east-1"},
    }
    nokey = account(inline=[FULL], access_keys=[])
    assert check(nokey, "smtp-credentials")[1] is Status.FAIL
    assert run(nokey, Selection("app", REGION, from_address="a@example.com")).outcome is (
        Outcome.DENIED
    )
    assert check(account(inline=[FULL], access_keys=[key]), "smtp-credentials")[1] is Status.WARN
    here = dict(key, AccessKeyLastUsed={"ServiceName": "ses", "Region": REGION})
    assert check(account(inline=[FULL], access_keys=[here]), "smtp-credentials")[1] is Status.PASS


def test_unknown_principal_is_a_selection_error() -> None:
    with pytest.raises(SelectionError, match="no user or role 'ghost'"):
        run(account(inline=[FULL]), Selection("ghost", REGION, from_address="a@example.com"))
