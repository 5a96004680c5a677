"""Evaluation order across policy types, each rule with the AWS statement it follows."""

from __future__ import annotations

from sestui.policy import Miss, PolicyKind, PrincipalMatch
from tests.policyhelp import (
    ACCT,
    ADDRESS,
    DOMAIN,
    OTHER,
    ROLE,
    SESSION,
    USER,
    decision,
    doc,
    run,
    stmt,
)

SEND = doc(stmt(resource=DOMAIN))
ALLOW_ALL = doc(stmt(action="*", resource="*"))
DENY_SES = doc(stmt("Deny", "ses:*", "*"))
FULL_ACCESS = doc(stmt(action="*", resource="*"))


def rp(principal: object, effect: str = "Allow", **extra: object) -> dict[str, object]:
    return doc(stmt(effect, "ses:SendRawEmail", DOMAIN, Principal=principal, **extra))


# -- identity policies -------------------------------------------------------------------


def test_identity_allow_allows_and_nothing_denies_implicitly() -> None:
    assert decision(identity=[SEND]) == "Allowed"
    assert decision(identity=[]) == "ImplicitlyDenied"
    assert decision(identity=[doc(stmt(action="ses:SendEmail", resource=DOMAIN))]) == (
        "ImplicitlyDenied"
    )


def test_explicit_deny_anywhere_wins() -> None:
    # "An explicit deny in any of these policies overrides the allow."
    assert decision(identity=[SEND, DENY_SES]) == "ExplicitlyDenied"
    assert decision(identity=[SEND], boundary=doc(stmt(action="*"), stmt("Deny", "ses:*"))) == (
        "ExplicitlyDenied"
    )
    assert decision(identity=[SEND], scps=[[FULL_ACCESS, DENY_SES]]) == "ExplicitlyDenied"
    assert decision(identity=[SEND], resource_policies=[rp({"AWS": USER}, "Deny")]) == (
        "ExplicitlyDenied"
    )


def test_not_action_allow_grants_everything_else() -> None:
    assert decision(identity=[doc(stmt(action=None, NotAction="iam:*"))]) == "Allowed"
    assert decision(identity=[doc(stmt(action=None, NotAction="ses:*"))]) == "ImplicitlyDenied"


def test_not_resource_deny_hits_everything_but_the_listed_resources() -> None:
    deny_others = doc(stmt("Deny", "ses:*", None, NotResource=ADDRESS))
    assert decision(identity=[ALLOW_ALL, deny_others]) == "ExplicitlyDenied"
    assert decision(identity=[ALLOW_ALL, deny_others], resource=ADDRESS) == "Allowed"


def test_non_sending_actions_need_resource_star() -> None:
    # GetSendQuota has no resource type: it is authorized against "*".
    scoped = doc(stmt(action=["ses:GetSendQuota", "ses:SendRawEmail"], resource=DOMAIN))
    assert decision(identity=[scoped], action="ses:GetSendQuota", resource="*") == (
        "ImplicitlyDenied"
    )
    split = doc(stmt(action="ses:GetSendQuota", resource="*"))
    assert decision(identity=[split], action="ses:GetSendQuota", resource="*") == "Allowed"


def test_resource_policy_variable() -> None:
    own = doc(stmt(resource="arn:aws:ses:*:*:identity/${aws:username}@example.com"))
    mine = f"arn:aws:ses:eu-west-1:{ACCT}:identity/mailer@example.com"
    assert decision(identity=[own], resource=mine) == "Allowed"
    assert decision(identity=[own], resource=ADDRESS) == "ImplicitlyDenied"
    # Sessions have no aws:username: the variable is null and the statement does not apply.
    ev = run(identity=[own], resource=mine, principal=SESSION)
    assert ev.decision.value == "ImplicitlyDenied"
    assert "aws:username" in ev.traces[0].missing_keys
    # Variables are literal under the 2008 version.
    old = doc(
        stmt(resource="arn:aws:ses:*:*:identity/${aws:username}@example.com"), version="2008-10-17"
    )
    assert decision(identity=[old], resource=mine) == "ImplicitlyDenied"


# -- SCPs ---------------------------------------------------------------------------------


def test_scp_must_allow_at_every_level() -> None:
    # "every level from the root through each OU down to the account needs an explicit Allow"
    assert decision(identity=[SEND], scps=[[FULL_ACCESS], [FULL_ACCESS], [FULL_ACCESS]]) == (
        "Allowed"
    )
    only_s3 = doc(stmt(action="s3:*"))
    ev = run(identity=[SEND], scps=[[FULL_ACCESS], [only_s3], [FULL_ACCESS]])
    assert ev.decision.value == "ImplicitlyDenied"
    assert ev.deciding is PolicyKind.SCP
    assert [lv.allowed for lv in ev.scp_levels] == [True, False, True]
    # A level with no policy at all (FullAWSAccess detached, nothing attached) blocks everything.
    assert decision(identity=[SEND], scps=[[FULL_ACCESS], []]) == "ImplicitlyDenied"


def test_scp_allow_never_grants_on_its_own() -> None:
    assert decision(identity=[], scps=[[FULL_ACCESS]]) == "ImplicitlyDenied"


def test_scp_region_restriction_with_conditional_allow_and_deny() -> None:
    region_deny = doc(
        stmt(
            "Deny",
            "*",
            "*",
            Condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "us-west-2"]}},
        )
    )
    ctx = {"aws:RequestedRegion": "eu-west-1"}
    assert decision(identity=[SEND], scps=[[FULL_ACCESS, region_deny]], context=ctx) == (
        "ExplicitlyDenied"
    )
    ctx_ok = {"aws:RequestedRegion": "us-east-1"}
    assert decision(identity=[SEND], scps=[[FULL_ACCESS, region_deny]], context=ctx_ok) == "Allowed"
    # SCP Allow statements may carry conditions (current SCP syntax).
    cond_allow = doc(
        stmt(action="ses:*", Condition={"StringEquals": {"aws:RequestedRegion": "eu-west-1"}})
    )
    assert decision(identity=[SEND], scps=[[cond_allow]], context=ctx) == "Allowed"
    assert decision(identity=[SEND], scps=[[cond_allow]], context=ctx_ok) == "ImplicitlyDenied"


def test_no_scp_levels_means_no_restriction() -> None:
    # The management account (or no organization) is passed as scp_levels=None.
    assert decision(identity=[SEND], scps=None) == "Allowed"


# -- permissions boundary -----------------------------------------------------------------


def test_boundary_must_also_allow() -> None:
    assert decision(identity=[SEND], boundary=doc(stmt(action="s3:*"))) == "ImplicitlyDenied"
    ev = run(identity=[SEND], boundary=doc(stmt(action="s3:*")))
    assert ev.deciding is PolicyKind.BOUNDARY and ev.boundary_allows is False
    assert decision(identity=[SEND], boundary=doc(stmt(action="ses:*"))) == "Allowed"
    # A boundary never grants by itself.
    assert decision(identity=[], boundary=doc(stmt(action="*"))) == "ImplicitlyDenied"


# -- resource (sending-authorization) policies ---------------------------------------------


def test_same_account_user_arn_allows_on_its_own_even_past_the_boundary() -> None:
    # "Resource-based policies that grant permissions to an IAM user ARN … are not limited by an
    # implicit deny in an identity-based policy or permissions boundary."
    ev = run(identity=[], resource_policies=[rp({"AWS": USER})])
    assert ev.decision.value == "Allowed"
    assert ev.deciding is PolicyKind.RESOURCE and ev.resource_grant is PrincipalMatch.PRINCIPAL
    assert (
        decision(
            identity=[], boundary=doc(stmt(action="s3:*")), resource_policies=[rp({"AWS": USER})]
        )
        == "Allowed"
    )


def test_same_account_root_only_delegates() -> None:
    # Naming the account "delegates authority to the account": an identity policy must allow.
    for who in ({"AWS": f"arn:aws:iam::{ACCT}:root"}, {"AWS": ACCT}):
        assert decision(identity=[], resource_policies=[rp(who)]) == "ImplicitlyDenied"
        assert decision(identity=[SEND], resource_policies=[rp(who)]) == "Allowed"


def test_role_arn_in_resource_policy_is_limited_by_the_boundary() -> None:
    # A session's role ARN: allowed without an identity policy, but the boundary still limits.
    role_rp = [rp({"AWS": ROLE})]
    assert decision(identity=[], principal=SESSION, resource_policies=role_rp) == "Allowed"
    assert (
        decision(
            identity=[],
            principal=SESSION,
            resource_policies=role_rp,
            boundary=doc(stmt(action="s3:*")),
        )
        == "ImplicitlyDenied"
    )
    # The role's path is not part of the session ARN; the role name decides.
    pathed = [rp({"AWS": f"arn:aws:iam::{ACCT}:role/service/lambda-notify"})]
    assert decision(identity=[], principal=SESSION, resource_policies=pathed) == "Allowed"
    # The session ARN itself names the session directly.
    assert decision(identity=[], principal=SESSION, resource_policies=[rp({"AWS": SESSION})]) == (
        "Allowed"
    )


def test_cross_account_needs_both_sides() -> None:
    foreign = f"arn:aws:iam::{OTHER}:user/partner"
    grant = [rp({"AWS": f"arn:aws:iam::{OTHER}:root"})]
    assert decision(principal=foreign, identity=[SEND], resource_policies=grant) == "Allowed"
    assert decision(principal=foreign, identity=[], resource_policies=grant) == "ImplicitlyDenied"
    assert decision(principal=foreign, identity=[SEND], resource_policies=[]) == "ImplicitlyDenied"
    named = [rp({"AWS": foreign})]
    assert decision(principal=foreign, identity=[], resource_policies=named) == "ImplicitlyDenied"
    assert decision(principal=foreign, identity=[SEND], resource_policies=named) == "Allowed"


def test_resource_policy_for_someone_else_does_not_apply() -> None:
    ev = run(identity=[], resource_policies=[rp({"AWS": f"arn:aws:iam::{ACCT}:user/other"})])
    assert ev.decision.value == "ImplicitlyDenied"
    (trace,) = ev.of_kind(PolicyKind.RESOURCE)
    assert trace.misses == (Miss.PRINCIPAL,)
    assert decision(identity=[], resource_policies=[rp({"Service": "ses.amazonaws.com"})]) == (
        "ImplicitlyDenied"
    )


def test_resource_policy_deny_beats_identity_allow_in_the_same_account() -> None:
    assert decision(identity=[ALLOW_ALL], resource_policies=[rp({"AWS": ACCT}, "Deny")]) == (
        "ExplicitlyDenied"
    )


def test_not_principal_deny_always_denies_a_principal_with_a_boundary() -> None:
    # "a NotPrincipal + Deny statement will always deny any IAM principal that has a
    # permissions boundary policy attached, regardless of the values"
    np_deny = doc(stmt("Deny", "ses:*", DOMAIN, NotPrincipal={"AWS": [USER, ACCT]}))
    assert decision(identity=[ALLOW_ALL], resource_policies=[np_deny]) == "Allowed"
    ev = run(identity=[ALLOW_ALL], boundary=ALLOW_ALL, resource_policies=[np_deny])
    assert ev.decision.value == "ExplicitlyDenied"
    assert ev.denials()[0].forced_by_boundary
    other = f"arn:aws:iam::{ACCT}:user/other"
    assert (
        decision(
            identity=[ALLOW_ALL],
            principal=other,
            resource_policies=[doc(stmt("Deny", "ses:*", DOMAIN, NotPrincipal={"AWS": USER}))],
        )
        == "ExplicitlyDenied"
    )


def test_wildcard_principal_with_condition() -> None:
    cond = {"StringEquals": {"aws:PrincipalAccount": ACCT}}
    assert decision(identity=[], resource_policies=[rp("*", Condition=cond)]) == "Allowed"
    assert (
        decision(
            identity=[],
            principal=f"arn:aws:iam::{OTHER}:user/x",
            resource_policies=[rp("*", Condition=cond)],
        )
        == "ImplicitlyDenied"
    )


# -- derived context keys -----------------------------------------------------------------


def test_principal_keys_are_derived_unless_given() -> None:
    cond = {
        "StringEquals": {
            "aws:username": "mailer",
            "aws:PrincipalAccount": ACCT,
            "aws:PrincipalType": "User",
            "aws:PrincipalArn": USER,
        }
    }
    assert decision(identity=[doc(stmt(Condition=cond))]) == "Allowed"
    session_cond = {"ArnEquals": {"aws:PrincipalArn": ROLE}, "Null": {"aws:username": "true"}}
    assert decision(principal=SESSION, identity=[doc(stmt(Condition=session_cond))]) == "Allowed"
    # A context value wins over the derived one.
    with_path = {"ArnEquals": {"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/svc/lambda-notify"}}
    assert (
        decision(
            principal=SESSION,
            identity=[doc(stmt(Condition=with_path))],
            context={"aws:PrincipalArn": f"arn:aws:iam::{ACCT}:role/svc/lambda-notify"},
        )
        == "Allowed"
    )


# -- the trace -----------------------------------------------------------------------------


def test_trace_names_denials_near_misses_and_missing_keys() -> None:
    identity = [
        doc(
            stmt(action=["ses:GetSendQuota"], resource="*"),
            stmt(
                action=["ses:SendRawEmail"],
                resource=f"arn:aws:ses:us-east-1:{ACCT}:identity/example.com",
            ),
            stmt(
                action="ses:SendRawEmail",
                resource=DOMAIN,
                Condition={"StringLike": {"ses:FromAddress": "*@example.com"}},
            ),
            stmt(
                "Deny",
                "ses:SendRawEmail",
                DOMAIN,
                Condition={"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}},
            ),
        )
    ]
    ev = run(identity=identity)
    # The Deny applies because the source IP is unknown (negated operator on a missing key).
    assert ev.decision.value == "ExplicitlyDenied"
    assert [t.statement.index for t in ev.denials()] == [3]
    assert [t.statement.index for t in ev.near_misses()] == [1, 2]
    assert ev.near_misses()[0].misses == (Miss.RESOURCE,)
    assert ev.near_misses()[1].misses == (Miss.CONDITION,)
    assert ev.missing_keys() == {"ses:fromaddress", "aws:sourceip"}
    assert "request lacks ses:fromaddress" in ev.near_misses()[1].reason()
    assert ev.traces[0].misses == (Miss.ACTION,)
    ok = run(
        identity=identity, context={"ses:FromAddress": "a@example.com", "aws:SourceIp": "10.1.2.3"}
    )
    assert ok.decision.value == "Allowed"
    assert [t.statement.index for t in ok.allows()] == [2]
    assert ok.traces[2].statement.lines.first > ok.traces[1].statement.lines.last
