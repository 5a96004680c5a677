"""`sestui diff` on two snapshots read from moto_server around real changes: a Deny added to one
user, a grant added to another, a sending-authorization policy edited, a verification lost."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sestui.account import load_snapshot, save_snapshot
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from sestui.cli import main
from sestui.matrix.diff import Edit, PolicyChange, PolicyType, diff_accounts, diff_documents
from tests.awsfixtures import as_account, build_account, client, doc, reset_moto_server

pytestmark = pytest.mark.usefixtures("aws_env")

REGIONS = ["eu-west-1", "us-east-1"]


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path, str]]:
    """OLD and NEW snapshots of one moto_server account, read by sestui's own readers."""
    from moto.server import ThreadedMotoServer

    mp = pytest.MonkeyPatch()
    tmp = tmp_path_factory.mktemp("diff")
    for var in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "MOTO_ACCOUNT_ID"):
        mp.delenv(var, raising=False)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_DEFAULT_REGION", "us-east-1")
    mp.setenv("AWS_CONFIG_FILE", str(tmp / "no-config"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "no-credentials"))
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        built = build_account(endpoint_url=endpoint)
        acct = built.account_id
        iam = client("iam", acct, endpoint_url=endpoint)
        for name in ("carol", "dave"):
            iam.create_user(UserName=name)
        for name in ("alice", "bob", "carol", "dave"):
            iam.create_access_key(UserName=name)  # SMTP needs an active key (535 without)
        iam.put_user_policy(
            UserName="dave",
            PolicyName="SendAnything",
            PolicyDocument=doc({"Effect": "Allow", "Action": "ses:SendRawEmail", "Resource": "*"}),
        )
        mp.setenv("AWS_ENDPOINT_URL", endpoint)

        def snap(path: Path) -> None:
            session = AwsSession(region="us-east-1")
            session.add_hook("before-sign.*.*", as_account(acct))
            save_snapshot(read_account(session, regions=REGIONS), path)

        old = tmp / "old.json"
        snap(old)
        # 1. A Deny added to alice.
        iam.put_user_policy(
            UserName="alice",
            PolicyName="NoSes",
            PolicyDocument=doc(
                {"Sid": "StopMail", "Effect": "Deny", "Action": "ses:Send*", "Resource": "*"}
            ),
        )
        # 2. A grant added to carol.
        iam.put_user_policy(
            UserName="carol",
            PolicyName="Grant",
            PolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Action": "ses:SendRawEmail",
                    "Resource": f"arn:aws:ses:eu-west-1:{acct}:identity/billing@example.com",
                }
            ),
        )
        # 3. The sending-authorization policy of example.com edited: it now denies dave too.
        ses = client("sesv2", acct, "eu-west-1", endpoint_url=endpoint)
        ses.update_email_identity_policy(
            EmailIdentity="example.com",
            PolicyName="deny-bob",
            Policy=doc(
                {
                    "Effect": "Deny",
                    "Principal": {
                        "AWS": [
                            f"arn:aws:iam::{acct}:user/bob",
                            f"arn:aws:iam::{acct}:user/dave",
                        ]
                    },
                    "Action": "ses:*",
                    "Resource": f"arn:aws:ses:eu-west-1:{acct}:identity/example.com",
                }
            ),
        )
        # 4. example.org loses its verification (moto has no API for it: set the backend).
        from moto.ses.models import ses_backends

        ses_backends[acct]["us-east-1"].email_identities[
            "example.org"
        ].verification_status = "FAILED"
        # A change that changes no verdict: the group's quota policy grows.
        iam.put_group_policy(
            GroupName="mailers",
            PolicyName="Quota",
            PolicyDocument=doc(
                {
                    "Effect": "Allow",
                    "Action": ["ses:GetSendQuota", "ses:GetSendStatistics"],
                    "Resource": "*",
                }
            ),
        )
        new = tmp / "new.json"
        snap(new)
        yield old, new, acct
    finally:
        reset_moto_server(endpoint)
        server.stop()
        mp.undo()


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_diff_names_each_changed_verdict_and_its_cause(
    snapshots: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, acct = snapshots
    code, out, err = run_cli(capsys, "diff", str(old), str(new), "--format", "json")
    assert code == 1, err
    data = json.loads(out)
    assert data["schema"] == "sestui-diff/1" and data["verdict_changed"] is True
    assert data["regions"] == REGIONS
    cells = {
        (v["region"], v["principal"].rsplit("/", 1)[-1], v["identity"]): (
            v["change"],
            v["before"],
            v["after"],
            v["causes"],
        )
        for v in data["verdicts"]
    }
    assert cells == {
        ("eu-west-1", "alice", "example.com"): (
            "lost",
            "allowed",
            "denied",
            ["user/alice/inline/NoSes"],
        ),
        ("eu-west-1", "carol", "billing@example.com"): (
            "gained",
            "denied",
            "allowed",
            ["user/carol/inline/Grant"],
        ),
        ("eu-west-1", "dave", "example.com"): (
            "lost",
            "allowed",
            "denied",
            ["ses/eu-west-1/example.com/deny-bob"],
        ),
        ("us-east-1", "dave", "example.org"): (
            "lost",
            "allowed",
            "denied",
            [
                "verification/identity:us-east-1:example.org/verification of example.org in us-east-1"
            ],
        ),
    }
    changes = {c["id"]: c for c in data["changes"]}
    edited = changes["ses/eu-west-1/example.com/deny-bob"]
    assert edited["type"] == "sending-authorization" and edited["change"] == "edited"
    (stmt,) = edited["statements"]
    assert stmt["change"] == "edited" and stmt["old_index"] == 0 and stmt["new_index"] == 0
    minus = [x["text"].strip() for x in stmt["lines"] if x["sign"] == "-"]
    plus = [x["text"].strip() for x in stmt["lines"] if x["sign"] == "+"]
    assert minus == [f'"AWS": "arn:aws:iam::{acct}:user/bob"']
    assert f'"arn:aws:iam::{acct}:user/dave"' in plus
    # Line numbers point into the pretty-printed document the policy view shows.
    after = json.dumps(
        json.loads(
            json.dumps(
                load_snapshot(new)[0].regions["eu-west-1"].identities["example.com"].policies[0].raw
            )
        ),
        indent=2,
    ).splitlines()
    assert all(after[x["line"] - 1] == x["text"] for x in stmt["lines"] if x["sign"] == "+")
    deny = changes["user/alice/inline/NoSes"]
    assert deny["change"] == "added" and deny["statements"][0]["sid"] == "StopMail"
    lost = changes[
        "verification/identity:us-east-1:example.org/verification of example.org in us-east-1"
    ]
    assert (lost["kind"], lost["old"], lost["new"]) == ("fact", "SUCCESS", "FAILED")
    quota = changes["group/mailers/inline/Quota"]
    assert quota["affects_verdicts"] is False and quota["change"] == "edited"
    assert all(changes[k]["affects_verdicts"] for v in data["verdicts"] for k in v["causes"])


def test_the_text_report(
    snapshots: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    old, new, _ = snapshots
    code, out, _err = run_cli(capsys, "diff", str(old), str(new))
    assert code == 1
    assert "4 verdicts changed: 3 lost, 1 gained, 0 other" in out
    assert "LOST    user alice → example.com  (allowed → denied)" in out
    assert "GAINED  user carol → billing@example.com  (denied → allowed)" in out
    assert "inline policy NoSes of user alice: added" in out
    assert "added Statement[0] (StopMail), lines 4-9" in out
    assert "verification of example.org in us-east-1: SUCCESS → FAILED" in out
    quiet = out.split("Changes that changed no verdict:")[1]
    assert "inline policy Quota of group mailers: edited (1 statement edited)" in quiet
    assert "NoSes" not in quiet


def test_same_snapshot_exits_0_and_bad_input_exits_2(
    snapshots: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, _, _ = snapshots
    code, out, _ = run_cli(capsys, "diff", str(old), str(old))
    assert code == 0 and "No verdict changed." in out
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "sestui-snapshot/1",\n', "utf-8")
    code, out, err = run_cli(capsys, "diff", str(old), str(bad))
    assert code == 2 and out == "" and "bad.json:2:1: not valid JSON" in err
    code, out, err = run_cli(capsys, "diff", str(old), str(tmp_path / "missing.json"))
    assert code == 2 and "missing.json" in err
    code, _, err = run_cli(capsys, "diff", str(old), str(old), "--regions", "ap-south-1")
    assert code == 2 and "ap-south-1" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--action", "sendrawemail"), "is not an SES action (did you mean ses:SendRawEmail?)"),
        (("--action", "ses:SendRawEmial"), "is not an SES action (did you mean ses:SendRawEmail?)"),
        (("--action", "ses:SendEmail"), "over SMTP every send is ses:SendRawEmail"),
        (("--regions", "eu-wst-1"), "not a region where SES sends (did you mean eu-west-1?)"),
    ],
)
def test_a_misspelt_action_or_region_is_exit_2_not_no_change(
    snapshots: tuple[Path, Path, str],
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    # Matched against nothing, a misspelt action reported "No verdict changed." (exit 0): a
    # daily cron job would have been told all was well.
    old, new, _ = snapshots
    code, out, err = run_cli(capsys, "diff", str(old), str(new), *args)
    assert code == 2 and out == "" and message in err


def test_other_account_is_refused(
    snapshots: tuple[Path, Path, str], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    old, _, acct = snapshots
    data: dict[str, Any] = json.loads(old.read_text("utf-8"))
    text = json.dumps(data).replace(acct, "999988887777")
    other = tmp_path / "other.json"
    other.write_text(text, "utf-8")
    code, out, err = run_cli(capsys, "diff", str(old), str(other))
    assert code == 2 and out == "" and "999988887777" in err


def test_only_touched_principals_are_evaluated(snapshots: tuple[Path, Path, str]) -> None:
    old, new, _ = snapshots
    a, b = load_snapshot(old)[0], load_snapshot(new)[0]
    d = diff_accounts(a, b, regions=("eu-west-1",))
    assert {v.principal_label for v in d.verdicts} == {"user alice", "user carol", "user dave"}
    # An unchanged account evaluates nothing at all.
    same = diff_accounts(a, a)
    assert same.verdicts == () and same.changes == () and same.rows_evaluated == 0


def test_statement_pairing_by_sid_content_and_position() -> None:
    from sestui.account import PolicyDocument
    from sestui.policy import PolicyKind, PolicySource

    def d(*stmts: dict[str, Any]) -> PolicyDocument:
        return PolicyDocument(
            PolicySource(PolicyKind.IDENTITY, "p"),
            {"Version": "2012-10-17", "Statement": list(stmts)},
        )

    keep = {"Sid": "Keep", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    edit = {"Sid": "Edit", "Effect": "Allow", "Action": "ses:SendEmail", "Resource": "*"}
    gone = {"Effect": "Deny", "Action": "iam:*", "Resource": "*"}
    edited = {**edit, "Action": "ses:SendRawEmail"}
    added = {"Sid": "New", "Effect": "Deny", "Action": "ses:*", "Resource": "*"}
    diffs = diff_documents(d(keep, edit, gone), d(edited, keep, added))
    got = [(x.edit, x.sid, x.old_index, x.new_index) for x in diffs]
    assert got == [
        (Edit.EDITED, "Edit", 1, 0),
        (Edit.REMOVED, None, 2, None),
        (Edit.ADDED, "New", None, 2),
    ]
    (edit_diff,) = [x for x in diffs if x.edit is Edit.EDITED]
    assert [(x.sign, x.text.strip()) for x in edit_diff.lines] == [
        ("-", '"Action": "ses:SendEmail",'),
        ("+", '"Action": "ses:SendRawEmail",'),
    ]
    assert diff_documents(d(keep, edit), d(edit, keep)) == ()  # moved, not changed


def test_a_change_that_cannot_touch_the_action_is_not_a_cause() -> None:
    from sestui.account import PolicyDocument
    from sestui.policy import PolicyKind, PolicySource

    src = PolicySource(PolicyKind.IDENTITY, "p")
    a = PolicyDocument(src, {"Version": "2012-10-17", "Statement": []})
    s3 = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    not_s3 = {"Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}
    for stmt, touches in ((s3, False), (not_s3, True)):
        b = PolicyDocument(src, {"Version": "2012-10-17", "Statement": [stmt]})
        change = PolicyChange(
            "k", PolicyType.USER_INLINE, "l", Edit.ADDED, "s", diff_documents(a, b), old=a, new=b
        )
        assert change.touches(("ses:SendRawEmail",)) is touches
