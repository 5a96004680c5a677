"""The organization read (`snapshot --org-role`): real boto3 against moto (in-process and server)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.compat import HTTPHeaders
from botocore.exceptions import ClientError
from moto import mock_aws

from sestui.account import FORMAT, OrgStatus, account_from_snapshot
from sestui.account.formats import FORMAT_2 as ORG_FORMAT
from sestui.aws.guard import ALLOWED, ReadOnlyViolation, has_guard
from sestui.aws.orgread import OrgReader, read_organization
from sestui.aws.permissions import (
    ORG_MANAGEMENT_ACTIONS,
    ORG_MEMBER_ACTIONS,
    org_management_policy,
    org_member_policy,
    org_member_trust_policy,
)
from sestui.aws.session import AwsSession
from sestui.cli import main
from sestui.policy import PolicyKind, PolicySet, PolicySource, Request, evaluate, parse_policy
from tests.awsfixtures import MGMT, client, reset_moto_server
from tests.orgfixtures import ROLE, Org, build_org, refuse_assume_role
from tests.paths import ROOT

pytestmark = pytest.mark.usefixtures("aws_env")
REGIONS = ["eu-west-1", "us-east-1"]


@pytest.fixture(scope="module")
def built_org() -> Iterator[dict[str, Org]]:
    """One organization per module (building it takes most of a test's time): the tests only
    read it. moto keeps its data between the tests (`stop(remove_data=False)`); a test that
    changes the organization, or another mock that resets moto's data, makes the next test build
    it again. The data is removed when the module's tests are done."""
    built: dict[str, Org] = {}
    yield built
    if built:
        mock = mock_aws()
        mock.start(reset=False)
        mock.stop()  # removes the data


def _still_there(org: Org) -> bool:
    try:
        accounts = client("organizations", MGMT).list_accounts()["Accounts"]
    except ClientError:  # AWSOrganizationsNotInUseException: moto's data was reset
        return False
    return {a["Id"] for a in accounts} == {MGMT, org.central, org.workload}


@pytest.fixture
def org(built_org: dict[str, Org], request: pytest.FixtureRequest) -> Iterator[Org]:
    mock = mock_aws()
    mock.start(reset=False)
    changes = request.node.get_closest_marker("changes_org") is not None
    try:
        if "org" not in built_org or not _still_there(built_org["org"]):
            mock.stop()
            mock.start(reset=True)
            built_org["org"] = build_org()
        yield built_org["org"]
    finally:
        if changes:
            built_org.clear()  # built again for the next test
        mock.stop(remove_data=False)


def decode(entry: dict[str, Any]) -> Any:
    """Until the sestui-snapshot/2 decoder lands: each account through today's decoder."""
    assert "format" not in entry
    return account_from_snapshot({"format": FORMAT, **entry})


def scp_names(account: Any) -> list[list[str]]:
    return [[d.source.name for d in level.policies] for level in account.organization.levels]


def test_the_org_read_reads_every_account_with_its_own_scp_chain(org: Org) -> None:
    progress: list[Any] = []
    secrets: list[str] = []
    targets: list[str] = []

    def record(params: Any = None, model: Any = None, **_: Any) -> None:
        if model.name == "ListPoliciesForTarget":
            targets.append(json.loads(params["body"])["TargetId"])

    session = AwsSession(region="us-east-1")
    session.add_hook("before-call.*.*", record)
    data = read_organization(
        session, ROLE, regions=REGIONS, progress=progress.append, secrets=secrets
    )

    assert data["format"] == ORG_FORMAT == "sestui-snapshot/2"
    assert data["source"] == f"org read by profile default, role {ROLE}"
    assert data["organization"] == {"Id": org.id, "ManagementAccountId": MGMT}
    assert data["unreadable"] == []
    assert set(data) == {"format", "source", "organization", "accounts", "unreadable"}
    ids = [a["account"]["Id"] for a in data["accounts"]]
    assert ids == sorted([MGMT, org.central, org.workload])
    by_id = {a["account"]["Id"]: a for a in data["accounts"]}
    for account_id, entry in by_id.items():
        assert entry["account"]["Name"] == org.names[account_id]
    # The management account is read with the credentials as they are; the others as the role.
    assert by_id[MGMT]["account"]["Caller"] == f"arn:aws:sts::{MGMT}:user/moto"
    for member in (org.central, org.workload):
        caller = by_id[member]["account"]["Caller"]
        assert caller.startswith(f"arn:aws:sts::{member}:assumed-role/{ROLE}/")
        assert by_id[member]["source"].endswith(f"role arn:aws:iam::{member}:role/{ROLE}")

    mgmt, central, workload = (decode(by_id[i]) for i in (MGMT, org.central, org.workload))
    # Each account's own IAM, not another's.
    assert [p.name for p in mgmt.principals if p.type.value == "user"] == ["admin"]
    assert [p.name for p in central.principals if p.type.value == "user"] == ["mail-ops"]
    assert [p.name for p in workload.principals if p.type.value == "user"] == ["app"]
    assert ROLE in [r.name for r in central.principals if r.type.value == "role"]
    assert len(central.principal("mail-ops").access_keys) == 1
    # SES: central's identity and its sending-authorization policy; the workload's own identity.
    (policy,) = central.regions["eu-west-1"].identities["example.com"].policies
    assert policy.source.name == "workload-app"
    principal = policy.policy.statements[0].principal
    assert f"arn:aws:iam::{org.workload}:user/app" in str(principal)
    assert set(central.regions["us-east-1"].identities) == set()
    assert set(workload.regions["us-east-1"].identities) == {"app@workload.example"}
    assert set(mgmt.regions["eu-west-1"].identities) == set()
    # SCP chains: the OU's SCP only for the account in that OU.
    assert mgmt.organization.status is OrgStatus.MANAGEMENT
    assert central.organization.status is OrgStatus.MEMBER
    assert [lv.type for lv in central.organization.levels] == ["ROOT", "ACCOUNT"]
    assert scp_names(central) == [["FullAWSAccess", "DenyLeaveOrg"], ["FullAWSAccess"]]
    assert [lv.type for lv in workload.organization.levels] == [
        "ROOT",
        "ORGANIZATIONAL_UNIT",
        "ACCOUNT",
    ]
    assert [lv.name for lv in workload.organization.levels] == ["Root", "Workloads", "workload"]
    assert scp_names(workload) == [
        ["FullAWSAccess", "DenyLeaveOrg"],
        ["FullAWSAccess", "WorkloadsNoBulk"],
        ["FullAWSAccess"],
    ]
    assert workload.organization.organization_id == org.id
    # Read once from the organization: the root's SCPs are listed once for both members.
    assert sorted(targets) == sorted([org.root, org.ou, org.central, org.workload])

    # A region that fails inside an account stays a gap of that account (moto lacks GetAccount).
    for account in (mgmt, central, workload):
        assert {g.what for g in account.gaps} >= {
            f"sandbox and sending status in {r}" for r in REGIONS
        }
    # Progress per account, every account finished; secrets of the role sessions collected.
    labels = {p.account for p in progress if p.account}
    assert labels == {f"{org.names[i]} ({i})" for i in ids}
    finished = [p.account for p in progress if p.message.startswith("read (")]
    assert sorted(finished) == sorted(labels)
    assert {p.region for p in progress if p.service == "sesv2"} == set(REGIONS)
    assert len(secrets) == 1 + 2 * 2  # "testing", then each role's secret key and token


def test_an_account_whose_role_cannot_be_assumed_is_unreadable_and_the_others_are_read(
    org: Org,
) -> None:
    session = AwsSession(region="us-east-1")
    refused = f"arn:aws:iam::{org.workload}:role/{ROLE}"
    session.add_hook("before-call.sts.AssumeRole", refuse_assume_role(refused))
    data = read_organization(session, ROLE, regions=["eu-west-1"])
    assert [a["account"]["Id"] for a in data["accounts"]] == sorted([MGMT, org.central])
    assert data["unreadable"] == [
        {
            "account": {"Id": org.workload, "Name": "workload"},
            "what": "the account",
            "where": f"sts assume-role {refused}",
            "permission": "sts:AssumeRole",
            "message": "access denied (AccessDenied)",
        }
    ]
    central = decode(next(a for a in data["accounts"] if a["account"]["Id"] == org.central))
    assert central.principal("mail-ops") is not None
    assert "example.com" in central.regions["eu-west-1"].identities


def test_an_account_whose_iam_cannot_be_read_is_unreadable(org: Org) -> None:
    from botocore.awsrequest import AWSResponse

    session = AwsSession(region="us-east-1")

    def deny_central_iam(model: Any = None, request_signer: Any = None, **_: Any) -> Any:
        # Only the central role's session: its access key is not the management one.
        key = request_signer._credentials.access_key
        if model.name != "GetAccountAuthorizationDetails" or seen.get(key) != "central":
            return None
        return AWSResponse("https://iam.amazonaws.com/", 403, HTTPHeaders(), None), {
            "Error": {"Code": "AccessDenied", "Message": "no"},
            "ResponseMetadata": {"HTTPStatusCode": 403},
        }

    seen: dict[str, str] = {}
    original = AwsSession.assume

    def assume(self: AwsSession, arn: str, session_name: str = "sestui-read") -> AwsSession:
        assumed = original(self, arn, session_name)
        key = assumed.access_key_id
        assert key is not None
        seen[key] = "central" if org.central in arn else "other"
        return assumed

    session.add_hook("before-call.iam.GetAccountAuthorizationDetails", deny_central_iam)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(AwsSession, "assume", assume)
        data = read_organization(session, ROLE, regions=["eu-west-1"])
    assert [a["account"]["Id"] for a in data["accounts"]] == sorted([MGMT, org.workload])
    (entry,) = data["unreadable"]
    assert entry["account"] == {"Id": org.central, "Name": "central"}
    assert entry["where"] == "iam"
    assert entry["permission"] == "iam:GetAccountAuthorizationDetails"
    assert entry["message"] == "access denied (AccessDenied)"


def test_accounts_restricts_the_read_and_is_read_sequentially_the_same(org: Org) -> None:
    wanted = (org.workload,)
    concurrent = read_organization(
        AwsSession(region="us-east-1"), ROLE, accounts=wanted, regions=REGIONS
    )
    sequential = read_organization(
        AwsSession(region="us-east-1"), ROLE, accounts=wanted, regions=REGIONS, workers=1
    )
    assert [a["account"]["Id"] for a in concurrent["accounts"]] == [org.workload]

    def strip(d: dict[str, Any]) -> dict[str, Any]:
        for a in d["accounts"]:
            a.pop("created")
            a["account"].pop("Caller")  # the session name differs
            for role in a["iam"]["RoleDetailList"]:
                role.pop("RoleLastUsed", None)  # moto marks the role used by the first read
        return d

    assert strip(concurrent) == strip(sequential)


# -- the CLI ------------------------------------------------------------------------------------


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(args)
    return code, capsys.readouterr().err


def test_cli_writes_the_org_snapshot(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "org.json"
    code, err = run(
        ["snapshot", "--org-role", ROLE, "--regions", "eu-west-1", "-o", str(out)], capsys
    )
    assert code == 0, err
    assert "3 accounts read, 0 unreadable" in err
    assert f"central ({org.central})" in err  # progress per account
    data = json.loads(out.read_text())
    assert data["format"] == "sestui-snapshot/2"
    assert [decode(a).account_id for a in data["accounts"]] == sorted(
        [MGMT, org.central, org.workload]
    )
    assert out.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--accounts", "999999999999"], "999999999999 is not an account of organization o-"),
        (["--accounts", "12345"], "'12345' is not a 12-digit account ID"),
        (["--accounts", ","], "--accounts names no account"),
        (["--org-role", "arn:aws:iam::1:role/x"], "is not a role name"),
        (["--org-profile", "other"], "--org-profile does not go with --org-role"),
        (["--regions", "xx-nowhere-1"], "'xx-nowhere-1' is not a region where SES is offered"),
    ],
)
def test_cli_refuses_what_it_cannot_read_exactly(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], says: str
) -> None:
    out = tmp_path / "org.json"
    base = ["snapshot", "--org-role", ROLE, "--regions", "eu-west-1", "-o", str(out)]
    code, err = run(base + args, capsys)
    assert code == 2
    assert says in err and "Traceback" not in err
    assert not out.exists()


def test_cli_accounts_names_every_foreign_id_and_substitutes_none(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "org.json"
    ids = f"{org.central},999999999999,111111111111"
    code, err = run(["snapshot", "--org-role", ROLE, "--accounts", ids, "-o", str(out)], capsys)
    assert code == 2
    assert "999999999999, 111111111111 are not accounts of organization" in err
    assert not out.exists()


def test_cli_accounts_without_org_role_and_no_organization(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "org.json"
    code, err = run(["snapshot", "--accounts", MGMT, "-o", str(out)], capsys)
    assert code == 2 and "--accounts needs --org-role" in err
    with mock_aws():
        code, err = run(
            ["snapshot", "--org-role", ROLE, "--regions", "eu-west-1", "-o", str(out)], capsys
        )
    assert code == 2
    assert f"account {MGMT} (the credentials of --profile) is not in an organization" in err
    assert not out.exists()


def test_cli_against_moto_server(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # The server shares moto's data with the in-process mock: drop the module's organization
        # (the next test builds it again).
        reset_moto_server(endpoint)
        org = build_org(endpoint_url=endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        out = tmp_path / "org.json"
        code, err = run(
            ["snapshot", "--org-role", ROLE, "--regions", ",".join(REGIONS), "-o", str(out)],
            capsys,
        )
        assert code == 0, err
        data = json.loads(out.read_text())
        accounts = {a["account"]["Id"]: decode(a) for a in data["accounts"]}
        assert set(accounts) == {MGMT, org.central, org.workload}
        assert scp_names(accounts[org.workload])[1] == ["FullAWSAccess", "WorkloadsNoBulk"]
        assert "example.com" in accounts[org.central].regions["eu-west-1"].identities
    finally:
        reset_moto_server(endpoint)
        server.stop()


# -- read-only: the guard and the least privilege ----------------------------------------------


@pytest.mark.changes_org  # if the guard let a call through
def test_every_session_and_client_of_the_org_read_is_guarded(org: Org) -> None:
    reader = OrgReader(AwsSession(region="us-east-1"), ROLE, regions=["eu-west-1"])
    reader.read()
    assert len(reader.sessions) == 3  # the management session and two assumed roles
    for session in reader.sessions:
        assert session.clients() and all(has_guard(c) for c in session.clients())
    assumed = reader.sessions[1]
    with pytest.raises(ReadOnlyViolation, match="iam:CreateUser"):
        assumed.client("iam").create_user(UserName="intruder")
    with pytest.raises(ReadOnlyViolation, match="organizations:CreateAccount"):
        reader.sessions[0].client("organizations").create_account(
            Email="x@example.com", AccountName="x"
        )
    with pytest.raises(ReadOnlyViolation, match="sts:GetSessionToken"):
        assumed.client("sts").get_session_token()


SIGNING = {"iam": "iam", "sesv2": "ses", "organizations": "organizations", "sts": "sts"}


def allows(policy: dict[str, Any], action: str, resource: str = "*") -> bool:
    parsed = parse_policy(policy, PolicySource(PolicyKind.IDENTITY, "p"))
    request = Request.build(f"arn:aws:iam::{MGMT}:user/reader", action, resource)
    return evaluate(request, PolicySet(identity=(parsed,))).decision.allowed


def may_assume(identity: dict[str, Any], role_arn: str) -> bool:
    """Cross-account: the caller's identity policy and the role's trust policy (the resource
    side; a trust policy has no Resource of its own, the role is it)."""
    trust = org_member_trust_policy(MGMT)
    trust["Statement"][0]["Resource"] = role_arn
    request = Request.build(f"arn:aws:iam::{MGMT}:user/reader", "sts:AssumeRole", role_arn)
    policies = PolicySet(
        identity=(parse_policy(identity, PolicySource(PolicyKind.IDENTITY, "p")),),
        resource=(parse_policy(trust, PolicySource(PolicyKind.RESOURCE, "trust")),),
    )
    return evaluate(request, policies).decision.allowed


def test_the_least_privilege_of_the_org_read_is_exactly_what_it_calls(org: Org) -> None:
    calls: dict[str, set[str]] = {"management": set(), "member": set()}

    def record(model: Any = None, request_signer: Any = None, **_: Any) -> None:
        # The management session signs with its own key; each role with temporary ones.
        who = "management" if request_signer._credentials.access_key == mgmt_key else "member"
        calls[who].add(f"{SIGNING[model.service_model.service_name]}:{model.name}")

    session = AwsSession(region="us-east-1")
    mgmt_key = session.access_key_id
    session.add_hook("before-call.*.*", record)  # copied onto each assumed session
    data = read_organization(session, ROLE, regions=REGIONS)
    assert len(data["accounts"]) == 3
    management, member = org_management_policy(ROLE), org_member_policy()
    assert calls["management"] and calls["member"]
    for action in calls["management"] - {"sts:AssumeRole"}:
        assert allows(management, action), action
    assert may_assume(management, f"arn:aws:iam::{org.central}:role/{ROLE}")
    assert not may_assume(management, f"arn:aws:iam::{org.central}:role/Admin")
    for action in calls["member"]:
        assert allows(member, action), action
    assert not any(allows(member, a) for a in ("organizations:ListAccounts", "sts:AssumeRole"))
    # The two policies together are the guard's allow-list for the org read: everything but the
    # simulator (`--verify`) and DescribeAccount (names come from ListAccounts).
    listed = {a for names in ORG_MANAGEMENT_ACTIONS.values() for a in names} | {"sts:AssumeRole"}
    listed |= {a for names in ORG_MEMBER_ACTIONS.values() for a in names}
    guard = {a.replace("sesv2:", "ses:") for a in ALLOWED}
    not_org = {
        "iam:SimulatePrincipalPolicy",
        "iam:SimulateCustomPolicy",
        "organizations:DescribeAccount",
    }
    assert listed == guard - not_org
    # Every listed action is one the read made (moto: no AWS-managed policy to fetch here).
    made = calls["management"] | calls["member"]
    assert listed - made <= {"iam:GetPolicy", "iam:GetPolicyVersion", "ses:GetAccount"} | {
        "organizations:DescribeOrganizationalUnit"
    }


def test_readme_shows_the_org_policies() -> None:
    readme = (ROOT / "README.md").read_text()
    for policy in (org_management_policy(), org_member_policy(), org_member_trust_policy()):
        assert json.dumps(policy, indent=2) in readme


def test_the_writer_validates_every_account_and_refuses_secrets(org: Org, tmp_path: Path) -> None:
    from sestui.account import SnapshotError
    from sestui.sources import save_org_snapshot

    secrets: list[str] = []
    data = read_organization(
        AwsSession(region="us-east-1"), ROLE, regions=["eu-west-1"], secrets=secrets
    )
    out = tmp_path / "org.json"
    save_org_snapshot(data, out, secrets=secrets)
    assert json.loads(out.read_text()) == json.loads(json.dumps(data, default=str))
    text = out.read_text()
    assert not any(s in text for s in secrets if len(s) >= 16)

    bad = tmp_path / "bad.json"
    leaked = json.loads(json.dumps(data, default=str))
    leaked["accounts"][2]["source"] = f"token {secrets[-1]}"  # a role's session token
    with pytest.raises(SnapshotError, match="refusing to write a secret"):
        save_org_snapshot(leaked, bad, secrets=secrets)
    broken = json.loads(json.dumps(data, default=str))
    broken["accounts"][1]["account"]["Id"] = "12"
    with pytest.raises(SnapshotError, match=r"accounts\[1\]\.account\.Id"):
        save_org_snapshot(broken, bad, secrets=secrets)
    keyed = json.loads(json.dumps(data, default=str))
    keyed["accounts"][0]["access_keys"][0]["SecretAccessKey"] = "x" * 40
    with pytest.raises(SnapshotError, match=r"accounts\[0\]\.access_keys\[0\]"):
        save_org_snapshot(keyed, bad, secrets=secrets)
    assert not bad.exists()


def test_an_scp_level_that_cannot_be_read_makes_that_accounts_scps_unknown(org: Org) -> None:
    from botocore.awsrequest import AWSResponse

    def refuse_ou(model: Any = None, params: Any = None, **_: Any) -> Any:
        if json.loads(params["body"]).get("TargetId") != org.ou:
            return None
        return AWSResponse("https://organizations.amazonaws.com/", 400, HTTPHeaders(), None), {
            "Error": {"Code": "AccessDeniedException", "Message": "no"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    session = AwsSession(region="us-east-1")
    session.add_hook("before-call.organizations.ListPoliciesForTarget", refuse_ou)
    data = read_organization(session, ROLE, regions=["eu-west-1"])
    assert data["unreadable"] == []
    by_id = {a["account"]["Id"]: decode(a) for a in data["accounts"]}
    workload = by_id[org.workload].organization
    assert workload.status is OrgStatus.MEMBER and workload.levels is None
    assert workload.unknown_reason is not None
    assert "access denied (AccessDeniedException)" in workload.unknown_reason
    assert "organizations:ListPoliciesForTarget" in workload.unknown_reason
    assert any(
        g.what == "SCPs" and g.permission == "organizations:ListPoliciesForTarget"
        for g in by_id[org.workload].gaps
    )
    # The account outside that OU keeps its whole chain.
    assert scp_names(by_id[org.central]) == [["FullAWSAccess", "DenyLeaveOrg"], ["FullAWSAccess"]]


@pytest.mark.changes_org
def test_a_closed_account_is_not_read_and_asking_for_it_is_exit_2(
    org: Org, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orgs = client("organizations", MGMT)
    created = orgs.create_account(Email="old@example.com", AccountName="old")
    closed = created["CreateAccountStatus"]["AccountId"]
    orgs.close_account(AccountId=closed)  # moto: SUSPENDED at once
    progress: list[Any] = []
    data = read_organization(
        AwsSession(region="us-east-1"), ROLE, regions=["eu-west-1"], progress=progress.append
    )
    assert closed not in {a["account"]["Id"] for a in data["accounts"]}
    assert len(data["accounts"]) == 3 and data["unreadable"] == []
    assert any(f"not active, not read: {closed} (SUSPENDED)" in p.message for p in progress)
    out = tmp_path / "org.json"
    code, err = run(["snapshot", "--org-role", ROLE, "--accounts", closed, "-o", str(out)], capsys)
    assert code == 2
    assert f"--accounts: {closed} (SUSPENDED) is not active in organization {org.id}" in err
    assert not out.exists()


# -- failures that stop the whole read: exit 2, nothing written --------------------------------


def test_a_closed_endpoint_or_no_credentials_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}"  # nothing listens once the block ends
    out = tmp_path / "org.json"
    argv = ["snapshot", "--org-role", ROLE, "--regions", "eu-west-1", "-o", str(out)]
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    code, err = run(argv, capsys)
    assert code == 2 and f"cannot connect to the AWS endpoint {url}/" in err
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    code, err = run(argv, capsys)
    assert code == 2 and "no AWS credentials found" in err
    assert "Traceback" not in err and not out.exists()


def test_list_accounts_refused_is_a_clear_error(org: Org) -> None:
    from botocore.awsrequest import AWSResponse

    from sestui.aws.errors import AwsReadError

    def refuse(**_: Any) -> Any:
        return AWSResponse("https://organizations.amazonaws.com/", 400, HTTPHeaders(), None), {
            "Error": {"Code": "AccessDeniedException", "Message": "no"},
            "ResponseMetadata": {"HTTPStatusCode": 400},
        }

    session = AwsSession(region="us-east-1")
    session.add_hook("before-call.organizations.ListAccounts", refuse)
    with pytest.raises(AwsReadError) as caught:
        read_organization(session, ROLE, regions=["eu-west-1"])
    assert str(caught.value) == (
        "cannot list the organization's accounts (organizations:ListAccounts): access denied "
        "(AccessDeniedException); use the credentials of the management account or of a "
        "delegated administrator (--profile)"
    )


@pytest.mark.parametrize("workers", [1, 4])
def test_the_pool_is_bounded_and_used(org: Org, workers: int) -> None:
    import threading
    import time

    lock = threading.Lock()
    in_flight = [0, 0]  # now, most

    def start(**_: Any) -> None:
        with lock:
            in_flight[0] += 1
            in_flight[1] = max(in_flight[1], in_flight[0])
        time.sleep(0.01)  # let calls overlap when the pool allows it

    def end(**_: Any) -> None:
        with lock:
            in_flight[0] -= 1

    session = AwsSession(region="us-east-1")
    session.add_hook("before-call.*.*", start)
    session.add_hook("after-call.*.*", end)
    session.add_hook("after-call-error.*.*", end)  # moto raises NotImplementedError for some
    data = read_organization(session, ROLE, regions=REGIONS, workers=workers)
    assert len(data["accounts"]) == 3
    # Never more calls at once than the pool (the two organization calls after the probe may
    # overlap, whatever the pool); and a pool of 4 is used to the full.
    assert in_flight[1] <= max(2, workers)
    if workers > 2:
        assert in_flight[1] == workers
