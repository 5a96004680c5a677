"""Fixes as AWS CLI commands: each kind applied to moto with the command's own parameters flips
the verdict after re-reading the account; the shell text parses, quotes, and writes the document
byte for byte."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore import xform_name
from moto import mock_aws

from sestui.account import Account, account_from_snapshot
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from sestui.cli import main
from sestui.decide import Fix, FixKind, Outcome, Selection, SendPath, run
from sestui.report.commands import (
    AwsCall,
    CommandUnavailable,
    _delimiter,
    _flag,
    fix_call,
    fix_command,
    render_shell,
)
from sestui.verdict.analysis import find_principal
from tests.awsfixtures import MGMT, build_account, doc

pytestmark = pytest.mark.usefixtures("aws_env")

EU = "eu-west-1"
DOMAIN = f"arn:aws:ses:{EU}:{MGMT}:identity/example.com"
WRONG_REGION = f"arn:aws:ses:us-east-1:{MGMT}:identity/example.com"


def read() -> Account:
    session = AwsSession(region="us-east-1")
    return account_from_snapshot(read_account(session, regions=[EU]))


def allow(resource: str, action: str = "ses:SendRawEmail") -> str:
    return doc({"Effect": "Allow", "Action": action, "Resource": resource})


def setup(iam: Any, ses: Any) -> None:
    """One principal per kind of fix, each denied for one reason."""
    iam.create_user(UserName="erin")  # no policy at all: a new inline policy
    iam.create_user(UserName="frank")
    iam.put_user_policy(UserName="frank", PolicyName="Wrong", PolicyDocument=allow(WRONG_REGION))
    iam.create_role(
        RoleName="sender",
        AssumeRolePolicyDocument=doc(
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ),
    )
    iam.put_role_policy(RoleName="sender", PolicyName="Wrong", PolicyDocument=allow(WRONG_REGION))
    iam.create_group(GroupName="ops")
    iam.put_group_policy(GroupName="ops", PolicyName="OpsMail", PolicyDocument=allow(WRONG_REGION))
    iam.create_user(UserName="gina")
    iam.add_user_to_group(GroupName="ops", UserName="gina")
    arn = iam.create_policy(PolicyName="WrongRegion", PolicyDocument=allow(WRONG_REGION))
    iam.create_user(UserName="hank")
    iam.attach_user_policy(UserName="hank", PolicyArn=arn["Policy"]["Arn"])
    boundary = iam.create_policy(PolicyName="S3Only", PolicyDocument=allow("*", "s3:*"))
    iam.create_user(UserName="ivan")
    iam.put_user_policy(UserName="ivan", PolicyName="All", PolicyDocument=allow("*"))
    from moto.iam.models import iam_backends

    iam_backends[MGMT]["global"].users["ivan"].permissions_boundary = {  # type: ignore[attr-defined]
        "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
        "PermissionsBoundaryArn": boundary["Policy"]["Arn"],
    }
    iam.create_user(UserName="jack")
    iam.put_user_policy(UserName="jack", PolicyName="All", PolicyDocument=allow("*"))
    for user in ("erin", "frank", "gina", "hank", "ivan", "jack"):
        iam.create_access_key(UserName=user)  # they send over SMTP: each needs an active key
    ses.create_email_identity_policy(
        EmailIdentity="example.com",
        PolicyName="deny-jack",
        Policy=doc(
            {
                "Sid": "NoJack",
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{MGMT}:user/jack"},
                "Action": "ses:*",
                "Resource": DOMAIN,
            }
        ),
    )


CASES = [
    # principal, role?, the fix's kind and the policy it replaces, the expected call
    ("erin", False, FixKind.ADD_IDENTITY_POLICY, None, ("iam", "put_user_policy")),
    ("frank", False, FixKind.REPLACE_POLICY, "Wrong", ("iam", "put_user_policy")),
    ("sender", True, FixKind.REPLACE_POLICY, "Wrong", ("iam", "put_role_policy")),
    ("gina", False, FixKind.REPLACE_POLICY, "OpsMail", ("iam", "put_group_policy")),
    ("hank", False, FixKind.REPLACE_POLICY, "WrongRegion", ("iam", "create_policy_version")),
    ("ivan", False, FixKind.REPLACE_POLICY, "S3Only", ("iam", "create_policy_version")),
    ("jack", False, FixKind.REPLACE_POLICY, "deny-jack", ("sesv2", "update_email_identity_policy")),
]


def selection(name: str, role: bool) -> Selection:
    # A role cannot send over SMTP: check it on the API.
    path = SendPath.API_V2 if role else SendPath.SMTP
    return Selection(name, EU, identity="example.com", path=path, role=role)


def the_fix(account: Account, sel: Selection, kind: FixKind, replaces: str | None) -> Fix:
    verdict = run(account, sel)
    assert verdict.outcome is Outcome.DENIED, verdict.summary
    fixes = [c.fix for c in verdict.checks if c.fix is not None and c.fix.kind is kind]
    fixes = [f for f in fixes if replaces is None or f.replaces.source.name == replaces]  # type: ignore[union-attr]
    assert fixes, [c.fix.title for c in verdict.checks if c.fix]
    return fixes[0]


@pytest.mark.parametrize(("name", "role", "kind", "replaces", "expected"), CASES)
def test_each_kind_of_fix_applied_with_its_command_flips_the_verdict(
    name: str, role: bool, kind: FixKind, replaces: str | None, expected: tuple[str, str]
) -> None:
    with mock_aws():
        build_account()
        iam = boto3.client("iam", region_name="us-east-1")
        ses = boto3.client("sesv2", region_name=EU)
        setup(iam, ses)
        account = read()
        sel = selection(name, role)
        principal = find_principal(account, sel)
        fix = the_fix(account, sel, kind, replaces)
        call = fix_call(fix, account, principal, EU)
        assert (call.service, call.operation) == expected
        # The SDK request with exactly the command's parameters (its CLI options are the
        # API's member names in the CLI's spelling, checked against the service model).
        client = boto3.client(call.service, region_name=call.region or "us-east-1")  # type: ignore[call-overload]
        model = client.meta.service_model.operation_model(
            "".join(w.title() for w in call.operation.split("_"))
        )
        assert xform_name(model.name) == call.operation
        assert set(call.sdk_params()) <= set(model.input_shape.members)
        for member in model.input_shape.members:
            assert _flag(member) == "--" + xform_name(member, "-")
        getattr(client, call.operation)(**call.sdk_params())
        after = read()
        assert run(after, sel).outcome is Outcome.ALLOWED
        shell = fix_command(fix, account, principal, EU)
        assert f"aws {call.service} {call.operation.replace('_', '-')}" in shell


def test_a_new_inline_policy_never_overwrites_an_existing_name() -> None:
    with mock_aws():
        build_account()
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="kim")
        for n in ("sestui-ses-sending", "sestui-ses-sending-2"):
            iam.put_user_policy(UserName="kim", PolicyName=n, PolicyDocument=allow("*", "s3:*"))
        account = read()
        sel = selection("kim", False)
        fix = the_fix(account, sel, FixKind.ADD_IDENTITY_POLICY, None)
        call = fix_call(fix, account, find_principal(account, sel), EU)
        assert dict(call.params)["PolicyName"] == "sestui-ses-sending-3"


def test_aws_managed_policies_have_no_command() -> None:
    from sestui.account import PolicyDocument
    from sestui.policy import PolicyKind, PolicySource

    managed = PolicyDocument(
        PolicySource(
            PolicyKind.IDENTITY, "AmazonSESReadOnlyAccess", "arn:aws:iam::aws:policy/X", None
        ),
        {"Version": "2012-10-17", "Statement": []},
    )
    fix = Fix("t", FixKind.REPLACE_POLICY, {"Version": "2012-10-17", "Statement": []}, managed)
    with mock_aws():
        build_account()
        account = read()
        alice = account.principal("alice")
        assert alice is not None
        with pytest.raises(CommandUnavailable, match="AWS-managed"):
            fix_call(fix, account, alice, EU)


HOSTILE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Q",
            "Effect": "Allow",
            "Action": "ses:SendRawEmail",
            "Resource": "*",
            "Condition": {
                "StringLike": {
                    "ses:FromAddress": ["$(touch pwned)", "`id`", "it's", '"x"', "${HOME}", "\\n"]
                }
            },
        }
    ],
}


def run_bash(script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script], cwd=cwd, capture_output=True, text=True, timeout=30, check=False
    )


def test_the_shell_text_parses_quotes_and_writes_the_document_byte_for_byte(
    tmp_path: Path,
) -> None:
    name = "it's a $(name) `x`"
    call = AwsCall(
        "sesv2",
        "update_email_identity_policy",
        (("EmailIdentity", "o'brien@example.com"), ("PolicyName", name)),
        "Policy",
        json.dumps(HOSTILE, indent=2),
        "eu-west-1",
    )
    text = render_shell(call, "Stop denying; it's $(safe)")
    checked = subprocess.run(
        ["bash", "-n"], input=text, text=True, capture_output=True, check=False
    )
    assert checked.returncode == 0, checked.stderr
    # Run it with `aws` replaced by a function that prints its arguments, one per line.
    result = run_bash("aws() { printf '%s\\n' \"$@\"; }\n" + text, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "sesv2",
        "update-email-identity-policy",
        "--email-identity",
        "o'brien@example.com",
        "--policy-name",
        name,
        "--policy",
        "file://sestui-fix-policy.json",
        "--region",
        "eu-west-1",
    ]
    written = (tmp_path / "sestui-fix-policy.json").read_bytes()
    assert written == (json.dumps(HOSTILE, indent=2) + "\n").encode()
    assert json.loads(written) == HOSTILE
    assert not (tmp_path / "pwned").exists()


def test_the_delimiter_never_occurs_in_the_document() -> None:
    assert _delimiter('{\n  "a": 1\n}') == "SESTUI_POLICY"
    assert _delimiter("SESTUI_POLICY\nSESTUI_POLICY_1\n") == "SESTUI_POLICY_2"


def test_check_format_commands_prints_the_fixes(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "check",
            "--demo",
            "--user",
            "eu-mailer",
            "--region",
            EU,
            "--identity",
            "example.com",
            "--format",
            "commands",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1  # the exit code is still the verdict's
    assert "aws iam put-user-policy \\\n  --user-name eu-mailer" in out
    assert "--policy-name SendFromExampleCom" in out
    assert subprocess.run(["bash", "-n"], input=out, text=True, check=False).returncode == 0


@pytest.mark.skipif(shutil.which("aws") is None, reason="needs the AWS CLI")
def test_the_real_aws_cli_applies_a_fix_to_moto_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The shell text itself, run by bash and the AWS CLI against moto_server."""
    import logging

    from moto.server import ThreadedMotoServer

    from tests.awsfixtures import reset_moto_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        build_account()
        iam = boto3.client("iam", region_name="us-east-1")
        ses = boto3.client("sesv2", region_name=EU)
        setup(iam, ses)
        for name, kind, replaces in (
            ("jack", FixKind.REPLACE_POLICY, "deny-jack"),
            ("frank", FixKind.REPLACE_POLICY, "Wrong"),
        ):
            account = read()
            sel = selection(name, False)
            fix = the_fix(account, sel, kind, replaces)
            text = fix_command(fix, account, find_principal(account, sel), EU)
            done = run_bash(text, tmp_path)
            assert done.returncode == 0, done.stderr
            assert run(read(), sel).outcome is Outcome.ALLOWED
    finally:
        reset_moto_server(endpoint)
        server.stop()


def test_alternative_fixes_are_numbered_and_a_denial_without_a_fix_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from sestui.cli import main

    base = ["check", "--demo", "--region", "eu-west-1", "--format", "commands"]
    assert main([*base, "--user", "eu-mailer", "--identity", "example.com"]) == 1
    out = capsys.readouterr().out
    # Two failing checks, two alternatives: pasted whole, both would be applied.
    assert "# 2 alternative fixes, one per failing check: choose ONE" in out
    assert "# --- fix 1 of 2 ---" in out and "# --- fix 2 of 2 ---" in out
    assert out.count("# apply in account 111122223333") == 2
    notify = "arn:aws:ses:eu-west-1:222233334444:identity/notify.example.org"
    assert main([*base, "--user", "batch-app", "--identity", notify]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# no fix sestui can write as a command: ")
    assert "explicit Deny in a service control policy of account 666677778888" in out
