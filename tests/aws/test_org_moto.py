"""Two accounts built in moto and read by the real readers, decided together (delegate send)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from moto import mock_aws

from sestui.account import save_snapshot
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from sestui.cli import main
from tests.awsfixtures import as_account, client

pytestmark = pytest.mark.usefixtures("aws_env")

CENTRAL = "210987654321"
WORKLOAD = "310987654321"
REGION = "eu-west-1"
IDENTITY = f"arn:aws:ses:{REGION}:{CENTRAL}:identity/example.com"


def _session(account_id: str) -> AwsSession:
    s = AwsSession(region="us-east-1")
    s.add_hook("before-sign.*.*", as_account(account_id))
    return s


def _build(owner_policy: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    ses = client("sesv2", CENTRAL, REGION)
    ses.create_email_identity(EmailIdentity="example.com")
    ses.create_email_identity_policy(
        EmailIdentity="example.com", PolicyName="Delegates", Policy=json.dumps(owner_policy)
    )
    iam = client("iam", WORKLOAD)
    for name in ("app", "blocked"):
        iam.create_user(UserName=name)
    allow = {"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": IDENTITY}
    iam.put_user_policy(
        UserName="app",
        PolicyName="SendAsCentral",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    iam.put_user_policy(
        UserName="blocked",
        PolicyName="SendAsCentral",
        PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [allow]}),
    )
    central = read_account(_session(CENTRAL), regions=[REGION])
    workload = read_account(_session(WORKLOAD), regions=[REGION])
    return dict(central), dict(workload)


def _grant(principal: str, effect: str = "Allow") -> dict[str, Any]:
    return {
        "Effect": effect,
        "Principal": {"AWS": principal},
        "Action": "ses:SendRawEmail",
        "Resource": IDENTITY,
    }


def test_moto_accounts_as_two_files_and_as_an_organization(tmp_path: Path, capsys: Any) -> None:
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            _grant(WORKLOAD),
            _grant(f"arn:aws:iam::{WORKLOAD}:user/blocked", "Deny"),
        ],
    }
    with mock_aws():
        central, workload = _build(policy)
    a, b = tmp_path / "central.json", tmp_path / "workload.json"
    save_snapshot(central, a)
    save_snapshot(workload, b)
    org = {
        "format": "sestui-snapshot/2",
        "organization": None,
        "accounts": [
            {
                **{k: v for k, v in d.items() if k != "format"},
                "account": {**d["account"], "Name": n},
            }
            for d, n in ((central, "central"), (workload, "workload"))
        ],
        "unreadable": [],
    }
    o = tmp_path / "org.json"
    o.write_text(json.dumps(org))

    def check(files: list[Path], user: str) -> tuple[int, str]:
        args = ["check", "--user", user, "--region", REGION, "--identity", IDENTITY]
        for f in files:
            args += ["--snapshot", str(f)]
        code = main([*args, "--via", "api-v1"])
        return code, capsys.readouterr().out

    for files in ([a, b], [o]):
        code, out = check(files, "app")
        assert code == 0, out
        code, out = check(files, f"arn:aws:iam::{WORKLOAD}:user/blocked")
        assert code == 1, out
        assert "explicit Deny in a sending-authorization policy" in out
    code, out = check([o], "blocked")
    assert code == 1 and f"{CENTRAL} (central)" in out
