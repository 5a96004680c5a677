"""The snapshot's secret check looks at credential values, not at words in policy documents."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from moto import mock_aws

from sestui.cli import main
from tests.awsfixtures import MGMT, build_account, client, doc

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def _policy_with_secret_words() -> str:
    # Condition keys and a Sid named like credentials: someone's policy, not a secret of ours.
    return doc(
        {
            "Sid": "SessionTokenAndPasswordRules",
            "Effect": "Allow",
            "Action": "ses:SendRawEmail",
            "Resource": "*",
            "Condition": {
                "StringEquals": {
                    "SessionToken": "abc",
                    "Password": "def",
                    "aws:PrincipalTag/SessionToken": "yes",
                    "aws:PrincipalTag/Password": "set",
                    "aws:PrincipalTag/SecretAccessKey": "none",
                }
            },
        }
    )


@pytest.mark.usefixtures("aws_env")
def test_policy_words_do_not_stop_snapshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snap.json"
    with mock_aws():
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)  # moto's mock sets its own first
        build_account()
        iam = client("iam", MGMT)
        iam.put_user_policy(
            UserName="bob", PolicyName="Password", PolicyDocument=_policy_with_secret_words()
        )
        iam.create_policy(PolicyName="SessionToken", PolicyDocument=_policy_with_secret_words())
        iam.tag_user(UserName="bob", Tags=[{"Key": "SessionToken", "Value": "Password"}])
        code = main(["snapshot", "--regions", "eu-west-1", "-o", str(out)])
    assert code == 0, capsys.readouterr().err
    text = out.read_text()
    assert '"SessionToken": "abc"' in text and '"Password": "def"' in text
    assert SECRET not in text


@pytest.mark.usefixtures("aws_env")
def test_the_read_s_own_secret_is_refused_wherever_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snap.json"
    with mock_aws():
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET)  # moto's mock sets its own first
        build_account()
        # Someone pasted the very key sestui reads with into a tag: it must not reach a file.
        client("iam", MGMT).tag_user(UserName="bob", Tags=[{"Key": "note", "Value": SECRET}])
        code = main(["snapshot", "--regions", "eu-west-1", "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert "refusing to write a secret into a snapshot: a credential of the read" in err
    assert SECRET not in err and not out.exists()


def test_words_alone_are_not_secrets(tmp_path: Path) -> None:
    from sestui.account import save_snapshot
    from sestui.demo.build import build

    snap = build()
    snap["iam"]["UserDetailList"][0]["UserPolicyList"] = [
        {"PolicyName": "p", "PolicyDocument": json.loads(_policy_with_secret_words())}
    ]
    save_snapshot(snap, tmp_path / "s.json")
    assert "SessionTokenAndPasswordRules" in (tmp_path / "s.json").read_text()
