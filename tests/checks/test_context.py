"""The request context AWS builds (one row per rule of the global condition keys reference), and
verdicts that hold whatever the unknown request values are: `sestui check` on snapshots built here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sestui.account import account_from_snapshot
from sestui.cli import main
from sestui.decide import Selection, SendPath
from sestui.verdict.analysis import find_principal
from sestui.verdict.context import ABSENT, RULES, Facts, Unknown, build, table_markdown
from tests.accounthelp import ACCT, REGION, allow, deny, doc, snapshot
from tests.paths import ROOT

UNKNOWN = "unknown"
ORG = "o-a1b2c3d4e5"
USER_ARN = f"arn:aws:iam::{ACCT}:user/app"
ROLE_ARN = f"arn:aws:iam::{ACCT}:role/sender"


def _org_levels() -> list[list[dict[str, Any]]]:
    return [[doc(allow("*", "*"))], [doc(allow("*", "*"))], [doc(allow("*", "*"))]]


def _context(
    kind: str, path: SendPath, *, org: str = "member", org_id: str | None = ORG, **sel: Any
) -> tuple[dict[str, Any], dict[str, Unknown]]:
    """(known keys lower-cased, unknown keys) of a send by the user `app` or the role `sender`."""
    data = snapshot(
        tags={"team": "mail"},
        roles={"sender": {"tags": {"team": "ops"}}},
        org=org,
        org_id=org_id,
        scp_levels=_org_levels() if org == "member" else None,
    )
    if org == "member":
        data["organizations"]["levels"][0]["Id"] = "r-ab12"
        data["organizations"]["levels"][1]["Id"] = "ou-ab12-11111111"
        data["organizations"]["levels"][1]["Type"] = "ORGANIZATIONAL_UNIT"
    acct = account_from_snapshot(data)
    selection = Selection(
        "sender" if kind == "role" else "app",
        REGION,
        identity="example.com",
        path=path,
        role=kind == "role",
        current_time="2026-11-28T10:00:00Z",
        **sel,
    )
    principal = find_principal(acct, selection)
    rc = build(Facts(selection, principal, acct, None, "example.com"))
    return {k.lower(): v for k, v in rc.known.items()}, dict(rc.unknown)


SMTP, V1, V2 = SendPath.SMTP, SendPath.API_V1, SendPath.API_V2

# (principal, path, key, expected: a value, ABSENT, or UNKNOWN), each with the AWS rule it checks
# (IAM User Guide, "AWS global condition context keys"; SES Developer Guide, "Controlling access").
CONTEXT_ROWS: list[tuple[str, SendPath, str, object]] = [
    # aws:MultiFactorAuthPresent: "not present ... made using access keys" (long-term keys: every
    # SMTP send and API sends by IAM users); present, true or false, with temporary credentials.
    ("user", SMTP, "aws:multifactorauthpresent", ABSENT),
    ("user", V2, "aws:multifactorauthpresent", ABSENT),
    ("role", V2, "aws:multifactorauthpresent", UNKNOWN),
    # aws:MultiFactorAuthAge: only with temporary credentials obtained with MFA.
    ("user", SMTP, "aws:multifactorauthage", ABSENT),
    ("user", V1, "aws:multifactorauthage", ABSENT),
    ("role", V2, "aws:multifactorauthage", UNKNOWN),
    # aws:TokenIssueTime: only for temporary credentials.
    ("user", V2, "aws:tokenissuetime", ABSENT),
    ("role", V2, "aws:tokenissuetime", UNKNOWN),
    # aws:ViaAWSService: "always included"; false unless a service calls on the principal's behalf.
    ("user", SMTP, "aws:viaawsservice", "false"),
    ("role", V2, "aws:viaawsservice", "false"),
    # aws:PrincipalIsAWSService: always included; false for IAM principals.
    ("user", V2, "aws:principalisawsservice", "false"),
    # aws:SecureTransport: always included; SES API is HTTPS only; SMTP assumed after STARTTLS.
    ("user", V2, "aws:securetransport", "true"),
    ("user", SMTP, "aws:securetransport", "true"),
    # aws:PrincipalType: "User" for an IAM user, "AssumedRole" for a role session.
    ("user", SMTP, "aws:principaltype", "User"),
    ("role", V2, "aws:principaltype", "AssumedRole"),
    # aws:PrincipalArn: the user's ARN; for a role session the role's ARN, not the session's.
    ("user", SMTP, "aws:principalarn", USER_ARN),
    ("role", V2, "aws:principalarn", ROLE_ARN),
    # aws:PrincipalAccount: always included, the principal's account.
    ("user", SMTP, "aws:principalaccount", ACCT),
    ("role", V2, "aws:principalaccount", ACCT),
    # aws:userid: the user's unique ID; for a role session "role-id:caller-specified-role-name".
    ("user", SMTP, "aws:userid", "AIDAEXAMPLE"),
    ("role", V2, "aws:userid", UNKNOWN),
    # aws:username: "This key is not included in the request context for ... assumed roles".
    ("user", SMTP, "aws:username", "app"),
    ("role", V2, "aws:username", ABSENT),
    # aws:PrincipalTag/key: the tags attached to the principal; a tag it lacks is not present.
    ("user", SMTP, "aws:principaltag/team", "mail"),
    ("user", SMTP, "aws:principaltag/cost-center", ABSENT),
    ("role", V2, "aws:principaltag/team", "ops"),
    # aws:PrincipalOrgID / aws:PrincipalOrgPaths: present when the account is in an organization.
    ("user", SMTP, "aws:principalorgid", ORG),
    ("user", SMTP, "aws:principalorgpaths", [f"{ORG}/r-ab12/ou-ab12-11111111/"]),
    ("role", V2, "aws:resourceorgid", ORG),
    # aws:ResourceAccount: the account owning the SES identity.
    ("user", SMTP, "aws:resourceaccount", ACCT),
    # aws:RequestedRegion: the region called; aws:CurrentTime / aws:EpochTime: the request time.
    ("user", SMTP, "aws:requestedregion", REGION),
    ("user", V2, "aws:currenttime", "2026-11-28T10:00:00Z"),
    ("user", V2, "aws:epochtime", "1795860000"),
    # aws:SourceIp: present on calls over public endpoints; its value is unknown until given.
    ("user", SMTP, "aws:sourceip", UNKNOWN),
    # aws:SourceVpc / aws:SourceVpce: only through a VPC endpoint (assumed not used).
    ("user", V2, "aws:sourcevpce", ABSENT),
    ("user", V2, "aws:sourcevpc", ABSENT),
    # aws:SourceArn / aws:CalledVia: only when a service makes the request on your behalf.
    ("user", V2, "aws:sourcearn", ABSENT),
    ("user", V2, "aws:calledvia", ABSENT),
    # ses:ApiVersion: "1" or "2" by the API called; SMTP is version 2 of SendRawEmail.
    ("user", SMTP, "ses:apiversion", "2"),
    ("user", V1, "ses:apiversion", "1"),
    ("role", V2, "ses:apiversion", "2"),
    # ses:FromAddress / ses:Recipients: every send carries them; unknown until given.
    ("user", SMTP, "ses:fromaddress", UNKNOWN),
    ("user", SMTP, "ses:recipients", UNKNOWN),
    # ses:FromDisplayName / ses:FeedbackAddress: may be absent; unknown until given.
    ("user", V2, "ses:fromdisplayname", UNKNOWN),
    ("user", V2, "ses:feedbackaddress", UNKNOWN),
]


@pytest.mark.parametrize(("kind", "path", "key", "expected"), CONTEXT_ROWS)
def test_request_context_row(kind: str, path: SendPath, key: str, expected: object) -> None:
    known, unknown = _context(kind, path)
    if expected is ABSENT:
        assert key not in known and key not in unknown
    elif expected == UNKNOWN:
        assert key in unknown and key not in known
    else:
        assert known.get(key) == expected and key not in unknown


def test_unknown_completions_follow_aws() -> None:
    _, unknown = _context("role", V2)
    assert unknown["aws:multifactorauthpresent"].choices == ("true", "false")
    assert not unknown["aws:multifactorauthpresent"].may_be_absent
    assert unknown["aws:multifactorauthage"].may_be_absent  # absent when MFA was not used
    assert unknown["aws:userid"].prefix == "AROASENDER:"
    _, unknown = _context("user", SMTP)
    assert not unknown["ses:fromaddress"].may_be_absent  # a send always has a From address
    assert unknown["ses:fromaddress"].fits("x@mail.example.com")
    assert not unknown["ses:fromaddress"].fits("x@example.org")
    assert unknown["ses:recipients"].multi and not unknown["ses:recipients"].may_be_absent
    assert unknown["ses:fromdisplayname"].may_be_absent


@pytest.mark.parametrize(
    ("org", "org_id", "expected"),
    [
        ("none", None, ABSENT),  # not in an organization: aws:PrincipalOrgID is not present
        ("member", ORG, ORG),  # read: the organization's ID
        ("member", None, UNKNOWN),  # in an organization whose ID was not read
        ("unknown", None, UNKNOWN),  # Organizations not read at all
    ],
)
def test_principal_org_id(org: str, org_id: str | None, expected: object) -> None:
    known, unknown = _context("user", SMTP, org=org, org_id=org_id)
    if expected is ABSENT:
        assert "aws:principalorgid" not in known and "aws:principalorgid" not in unknown
    elif expected == UNKNOWN:
        assert "aws:principalorgid" in unknown
        assert unknown["aws:principalorgid"].may_be_absent == (org == "unknown")
    else:
        assert known["aws:principalorgid"] == expected


def test_given_values_are_known() -> None:
    known, unknown = _context(
        "user",
        SMTP,
        recipients=("a@example.org",),
        source_ip="203.0.113.9",
        extra_context=(("aws:MultiFactorAuthPresent", "true"),),
    )
    assert known["ses:recipients"] == ["a@example.org"]
    assert known["aws:sourceip"] == "203.0.113.9"
    assert known["aws:multifactorauthpresent"] == "true"
    assert not {"ses:recipients", "aws:sourceip"} & set(unknown)


def test_a_given_tag_key_is_not_unknown() -> None:
    selection = Selection(
        "app", REGION, identity="example.com", extra_context=(("aws:ResourceTag/env", "prod"),)
    )
    acct = account_from_snapshot(snapshot())
    rc = build(Facts(selection, find_principal(acct, selection), acct, None, "example.com"))
    assert rc.unknown_of("aws:resourcetag/env") is None  # given: known
    assert rc.unknown_of("aws:resourcetag/team") is not None  # the identity's tags are not read
    assert rc.unknown_of("aws:principaltag/team") is None  # the user has no such tag: absent


def test_readme_holds_the_table() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert table_markdown() in readme
    assert len(RULES) >= 25


# --- verdicts through `sestui check` ---------------------------------------------------------

# AWS's published example "IAM: Allows IAM users to self-manage an MFA device", as AWS prints it.
FORCE_MFA = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowListActions",
            "Effect": "Allow",
            "Action": ["iam:ListUsers", "iam:ListVirtualMFADevices"],
            "Resource": "*",
        },
        {
            "Sid": "AllowUserToCreateVirtualMFADevice",
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice"],
            "Resource": "arn:aws:iam::*:mfa/*",
        },
        {
            "Sid": "AllowUserToManageTheirOwnMFA",
            "Effect": "Allow",
            "Action": [
                "iam:EnableMFADevice",
                "iam:GetMFADevice",
                "iam:ListMFADevices",
                "iam:ResyncMFADevice",
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Sid": "AllowUserToDeactivateTheirOwnMFAOnlyWhenUsingMFA",
            "Effect": "Allow",
            "Action": ["iam:DeactivateMFADevice"],
            "Resource": ["arn:aws:iam::*:user/${aws:username}"],
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        },
        {
            "Sid": "BlockMostAccessUnlessSignedInWithMFA",
            "Effect": "Deny",
            "NotAction": [
                "iam:CreateVirtualMFADevice",
                "iam:EnableMFADevice",
                "iam:ListMFADevices",
                "iam:ListUsers",
                "iam:ListVirtualMFADevices",
                "iam:ResyncMFADevice",
            ],
            "Resource": "*",
            "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}
SEND = doc(allow("ses:SendRawEmail", "*"), allow("ses:SendEmail", "*"))


def check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any], *args: str
) -> tuple[int, dict[str, Any]]:
    """Run `sestui check --format json` on the snapshot; (exit code, verdict)."""
    if "--from" not in args and "--identity" not in args:
        args = (*args, "--identity", "example.com")
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    code = main(["check", "--snapshot", str(path), "--region", REGION, "--format", "json", *args])
    out = capsys.readouterr().out
    return code, json.loads(out)["verdict"]


def check_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any], *args: str
) -> tuple[int, str]:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    capsys.readouterr()
    code = main(["check", "--snapshot", str(path), "--region", REGION, *args])
    return code, capsys.readouterr().out


# (case id, snapshot arguments, check arguments, exit code, deciding keys), one per rule.
CLI_ROWS: list[tuple[str, dict[str, Any], list[str], int, list[str]]] = [
    # Force-MFA: SMTP and API sends by IAM users use access keys, so aws:MultiFactorAuthPresent is
    # absent, BoolIfExists is true, and the Deny applies: AWS refuses.
    ("mfa-user-smtp", {"inline": [SEND, FORCE_MFA]}, ["--user", "app"], 1, []),
    ("mfa-user-api", {"inline": [SEND, FORCE_MFA]}, ["--user", "app", "--via", "api-v2"], 1, []),
    (
        "mfa-user-api-from",
        {"inline": [SEND, FORCE_MFA]},
        [
            "--user",
            "app",
            "--via",
            "api-v1",
            "--from",
            "a@example.com",
            "--action",
            "ses:SendEmail",
        ],
        1,
        [],
    ),
    # A role session carries the key, true or false: it decides.
    (
        "mfa-role",
        {"roles": {"sender": {"inline": [SEND, FORCE_MFA]}}},
        ["--role", "sender", "--via", "api-v2"],
        3,
        ["aws:multifactorauthpresent"],
    ),
    (
        "mfa-role-with-mfa",
        {"roles": {"sender": {"inline": [SEND, FORCE_MFA]}}},
        ["--role", "sender", "--via", "api-v2", "--context", "aws:MultiFactorAuthPresent=true"],
        0,
        [],
    ),
    # ABAC: an Allow on a principal tag the user does not carry does not apply (the tag is absent,
    # a fact: GetAccountAuthorizationDetails returns every tag).
    (
        "abac-missing-tag",
        {
            "inline": [
                doc(
                    allow(
                        "ses:SendRawEmail",
                        "*",
                        Condition={"StringEquals": {"aws:PrincipalTag/team": "mail"}},
                    )
                )
            ]
        },
        ["--user", "app"],
        1,
        [],
    ),
    (
        "abac-tag-present",
        {
            "tags": {"team": "mail"},
            "inline": [
                doc(
                    allow(
                        "ses:SendRawEmail",
                        "*",
                        Condition={"StringEquals": {"aws:PrincipalTag/team": "mail"}},
                    )
                )
            ],
        },
        ["--user", "app"],
        0,
        [],
    ),
    # ABAC through a policy variable: ${aws:PrincipalTag/team} resolves to null when the tag is
    # absent, and the condition does not match.
    (
        "abac-variable-missing-tag",
        {
            "inline": [
                doc(
                    allow(
                        "ses:SendRawEmail",
                        "*",
                        Condition={"StringLike": {"ses:FromAddress": "${aws:PrincipalTag/team}@*"}},
                    )
                )
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        1,
        [],
    ),
    # aws:username is absent for a role session: an Allow that needs it never applies.
    (
        "username-role",
        {
            "roles": {
                "sender": {"inline": [doc(allow(Condition={"StringLike": {"aws:username": "*"}}))]}
            }
        },
        ["--role", "sender", "--via", "api-v2"],
        1,
        [],
    ),
    # Data perimeter SCP (AWS's network perimeter example): deny outside the corporate network
    # unless an AWS service calls on the principal's behalf. A direct call has
    # aws:ViaAWSService false, so only aws:SourceIp decides.
    (
        "perimeter-ip-unknown",
        {"org": "member", "scp_levels": "perimeter-ip"},
        ["--user", "app"],
        3,
        ["aws:sourceip"],
    ),
    (
        "perimeter-ip-inside",
        {"org": "member", "scp_levels": "perimeter-ip"},
        ["--user", "app", "--source-ip", "203.0.113.7"],
        0,
        [],
    ),
    (
        "perimeter-ip-outside",
        {"org": "member", "scp_levels": "perimeter-ip"},
        ["--user", "app", "--source-ip", "198.51.100.7"],
        1,
        [],
    ),
    # Identity perimeter on aws:PrincipalOrgID: the organization ID was read, so it is decided.
    (
        "perimeter-org-same",
        {"org": "member", "org_id": ORG, "scp_levels": "perimeter-org"},
        ["--user", "app"],
        0,
        [],
    ),
    (
        "perimeter-org-other",
        {"org": "member", "org_id": "o-zzzzzzzzzz", "scp_levels": "perimeter-org"},
        ["--user", "app"],
        1,
        [],
    ),
    (
        "perimeter-org-unread",
        {"org": "member", "scp_levels": "perimeter-org"},
        ["--user", "app"],
        3,
        ["aws:principalorgid"],
    ),
    # A send always has a From address and recipients: Null on them is decided.
    (
        "null-from-deny",
        {
            "inline": [
                SEND,
                doc(deny(Condition={"Null": {"ses:FromAddress": "true"}})),
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        0,
        [],
    ),
    (
        "null-recipients-deny",
        {
            "inline": [
                SEND,
                doc(deny(Condition={"Null": {"ses:Recipients": "false"}})),
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        1,
        [],
    ),
    (
        "null-from-allow",
        {"inline": [doc(allow(Condition={"Null": {"ses:FromAddress": "false"}}))]},
        ["--user", "app", "--identity", "example.com"],
        0,
        [],
    ),
    # A Deny reading an unset key when nothing allows: denied whatever the key holds.
    (
        "deny-unset-nothing-allows",
        {"inline": [doc(deny(Condition={"StringNotLike": {"ses:FromAddress": "*@example.com"}}))]},
        ["--user", "app", "--identity", "example.com"],
        1,
        [],
    ),
    # An Allow on From at the identity's own domain holds for every possible From address.
    (
        "from-within-identity",
        {"inline": [doc(allow(Condition={"StringLike": {"ses:FromAddress": "*@example.com"}}))]},
        ["--user", "app", "--identity", "example.com"],
        0,
        [],
    ),
    # ... one naming a single address depends on which address sends.
    (
        "from-one-address",
        {
            "inline": [
                doc(allow(Condition={"StringEquals": {"ses:FromAddress": "news@example.com"}}))
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        3,
        ["ses:fromaddress"],
    ),
    # Only the keys that decide are named: the From condition holds for every From.
    (
        "only-deciding-keys",
        {
            "inline": [
                doc(
                    allow(Condition={"StringLike": {"ses:FromAddress": "*@example.com"}}),
                    deny(Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
                )
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        3,
        ["aws:sourceip"],
    ),
    # Recipients: ForAllValues on an unknown non-empty list depends on the recipients.
    (
        "recipients-unknown",
        {
            "inline": [
                doc(
                    allow(
                        Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}
                    )
                )
            ]
        },
        ["--user", "app", "--identity", "example.com"],
        3,
        ["ses:recipients"],
    ),
    (
        "recipients-given",
        {
            "inline": [
                doc(
                    allow(
                        Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}
                    )
                )
            ]
        },
        ["--user", "app", "--identity", "example.com", "--recipient", "a@example.com"],
        0,
        [],
    ),
    # aws:userid of a role session is ROLEID:session-name: a condition on the session decides.
    (
        "userid-role-session",
        {
            "roles": {
                "sender": {
                    "inline": [doc(allow(Condition={"StringLike": {"aws:userid": "AROA*:alice"}}))]
                }
            }
        },
        ["--role", "sender", "--via", "api-v2"],
        3,
        ["aws:userid"],
    ),
    # ${aws:username} resolves to null for a role session: a From condition built on it fails.
    (
        "username-variable-role",
        {
            "roles": {
                "sender": {
                    "inline": [
                        doc(
                            allow(
                                Condition={
                                    "StringEquals": {
                                        "ses:FromAddress": "${aws:username}@example.com"
                                    }
                                }
                            )
                        )
                    ]
                }
            }
        },
        ["--role", "sender", "--via", "api-v2"],
        1,
        [],
    ),
    # An IAM user's MultiFactorAuthAge is absent: NumericLessThan on it is false.
    (
        "mfa-age-user",
        {"inline": [doc(allow(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}))]},
        ["--user", "app", "--via", "api-v2"],
        1,
        [],
    ),
    # ses:FromAddress exists only on actions that send a message: GetSendQuota lacks it, so a
    # Deny "unless From is ours" (StringNotLike: true on a missing key) refuses it.
    (
        "from-key-only-on-sends",
        {
            "inline": [
                doc(
                    allow("ses:*"),
                    deny(Condition={"StringNotLike": {"ses:FromAddress": "*@example.com"}}),
                )
            ]
        },
        ["--user", "app", "--from", "a@example.com", "--action", "ses:SendRawEmail"],
        0,
        [],
    ),
    (
        "from-key-absent-on-get-send-quota",
        {
            "inline": [
                doc(
                    allow("ses:*"),
                    deny(Condition={"StringNotLike": {"ses:FromAddress": "*@example.com"}}),
                )
            ]
        },
        [
            "--user",
            "app",
            "--from",
            "a@example.com",
            "--action",
            "ses:GetSendQuota",
            "--via",
            "api-v2",
        ],
        1,
        [],
    ),
    # aws:SecureTransport is true for SES (HTTPS API, SMTP after STARTTLS).
    (
        "secure-transport",
        {
            "inline": [
                SEND,
                doc(deny(Condition={"Bool": {"aws:SecureTransport": "false"}})),
            ]
        },
        ["--user", "app"],
        0,
        [],
    ),
]

_SCPS = {
    "perimeter-ip": [
        [doc(allow("*", "*"))],
        [
            doc(
                allow("*", "*"),
                {
                    "Sid": "EnforceNetworkPerimeter",
                    "Effect": "Deny",
                    "Action": "*",
                    "Resource": "*",
                    "Condition": {
                        "NotIpAddressIfExists": {"aws:SourceIp": ["203.0.113.0/24"]},
                        "BoolIfExists": {"aws:ViaAWSService": "false"},
                    },
                },
            )
        ],
    ],
    "perimeter-org": [
        [doc(allow("*", "*"))],
        [
            doc(
                allow("*", "*"),
                {
                    "Sid": "EnforceIdentityPerimeter",
                    "Effect": "Deny",
                    "Action": "ses:*",
                    "Resource": "*",
                    "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
                },
            )
        ],
    ],
}


@pytest.mark.parametrize(
    ("case", "spec", "args", "code", "keys"), CLI_ROWS, ids=[r[0] for r in CLI_ROWS]
)
def test_check_verdict(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    spec: dict[str, Any],
    args: list[str],
    code: int,
    keys: list[str],
) -> None:
    spec = dict(spec)
    if isinstance(spec.get("scp_levels"), str):
        spec["scp_levels"] = _SCPS[spec["scp_levels"]]
    if "inline" not in spec:
        spec["inline"] = [SEND]
    data = snapshot(**spec)
    got, verdict = check(tmp_path, capsys, data, *args)
    assert (got, verdict["missing_keys"]) == (code, keys), verdict["summary"]
    assert verdict["exit_code"] == code


def test_text_says_what_was_assumed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = snapshot(
        inline=[doc(allow(Condition={"StringLike": {"ses:FromAddress": "*@example.com"}}))]
    )
    code, out = check_text(tmp_path, capsys, data, "--user", "app", "--identity", "example.com")
    assert code == 0 and out.startswith("ALLOWED")
    assert "assumed: ses:fromaddress: any address at example.com" in out


def test_undecided_names_only_deciding_keys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = snapshot(
        inline=[
            doc(
                allow(Condition={"StringLike": {"ses:FromAddress": "*@example.com"}}),
                deny(Condition={"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}),
            )
        ]
    )
    code, out = check_text(tmp_path, capsys, data, "--user", "app", "--identity", "example.com")
    assert code == 3
    assert "undecided: the decision hangs on request values left unset: aws:sourceip" in out
    assert "left unset: aws:sourceip, ses:fromaddress" not in out


def test_matrix_fast_path_equals_exact_on_context_policies() -> None:
    """The who-can-send matrix settles unknown keys as `sestui check` does, cell by cell."""
    from collections import Counter

    from sestui.decide import Outcome
    from sestui.matrix.exact import who_can_send

    from_news = {"StringEquals": {"ses:FromAddress": "news@example.com"}}
    recipients = {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}
    policies: dict[str, list[dict[str, Any]]] = {
        "plain": [SEND],
        "mfa": [SEND, FORCE_MFA],
        "abac": [doc(allow(Condition={"StringEquals": {"aws:PrincipalTag/team": "mail"}}))],
        "from-news": [doc(allow(Condition=from_news))],
        "from-domain": [doc(allow(Condition={"StringLike": {"ses:FromAddress": "*@example.com"}}))],
        "null-from": [SEND, doc(deny(Condition={"Null": {"ses:FromAddress": "true"}}))],
        "tied": [doc(allow(Condition=recipients), deny(Condition=recipients))],
        "ip": [doc(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}))],
        "ip-and-from": [
            doc(allow(Condition={"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}})),
            doc(allow(Condition=from_news)),
        ],
    }
    data = snapshot(
        inline=policies["plain"],
        identities=[{"name": "example.com"}, {"name": "news@example.com"}, {"name": "other.org"}],
        org="member",
        org_id=ORG,
        scp_levels=_SCPS["perimeter-org"],
        roles={f"role-{k}": {"inline": v, "tags": {"team": "mail"}} for k, v in policies.items()},
    )
    users = data["iam"]["UserDetailList"]
    for name, docs in policies.items():
        entry = json.loads(json.dumps(users[0]))
        entry.update(
            UserName=name,
            UserId=f"AIDA{name.upper()}",
            Arn=f"arn:aws:iam::{ACCT}:user/{name}",
            UserPolicyList=[
                {"PolicyName": f"p{i}", "PolicyDocument": d} for i, d in enumerate(docs)
            ],
        )
        users.append(entry)
    acct = account_from_snapshot(data)
    seen: Counter[Outcome] = Counter()
    runs = [(path, ()) for path in SendPath] + [
        (SendPath.API_V2, ("ses:SendEmail", "ses:GetSendQuota")),
        (SendPath.API_V2, ("ses:SendBulkEmail",)),
    ]
    for path, actions in runs:
        kwargs: dict[str, Any] = {"path": path, "actions": actions, "now": "2026-11-28T10:00:00Z"}
        fast = who_can_send(acct, REGION, **kwargs)
        exact = who_can_send(acct, REGION, exact=True, **kwargs)
        assert fast.cells == exact.cells
        seen.update(c for row in fast.cells for c in row)
    assert seen[Outcome.ALLOWED] and seen[Outcome.DENIED] and seen[Outcome.UNDECIDED]
