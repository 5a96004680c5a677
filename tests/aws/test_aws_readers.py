"""Live readers against moto (in-process and moto_server) and botocore's Stubber."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import Stubber
from moto import mock_aws

from sestui.account import OrgStatus, account_from_snapshot, load_snapshot, save_snapshot
from sestui.aws.readers import AccountReader, read_account
from sestui.aws.session import AwsSession
from tests.awsfixtures import MGMT, as_account, build_account, reset_moto_server

pytestmark = pytest.mark.usefixtures("aws_env")


def session_for(account_id: str) -> AwsSession:
    s = AwsSession(region="us-east-1")
    s.add_hook("before-sign.*.*", as_account(account_id))
    return s


def check_model(data: Mapping[str, Any], account_id: str) -> None:
    account = account_from_snapshot(data)
    assert account.account_id == account_id
    alice = account.principal("alice")
    bob = account.principal("bob")
    assert alice is not None and bob is not None
    assert alice.path == "/eng/" and alice.groups == ("mailers",)
    assert alice.tag("team") == "mail"
    pp = account.policies_for(alice)
    assert [d.source.describe() for d in pp.identity] == [
        "identity policy Quota (via group mailers)",
        "identity policy SendFromExample (via group mailers)",
    ]
    sends = pp.identity[1].policy.statements[0]
    assert sends.resources[0].text == f"arn:aws:ses:eu-west-1:{account_id}:identity/example.com"
    bobs = account.policies_for(bob)
    assert [d.source.name for d in bobs.identity] == ["BobInline"]
    assert bobs.boundary is not None and bobs.boundary.source.name == "Boundary"
    assert len(bob.access_keys) == 1 and bob.access_keys[0].last_used_region == "N/A"
    role = account.principal("notifier")
    assert role is not None and role.trusted_services == ("lambda.amazonaws.com",)
    assert [d.source.name for d in account.policies_for(role).identity] == ["Notify"]
    eu = account.regions["eu-west-1"]
    assert set(eu.identities) == {"example.com", "billing@example.com"}
    assert eu.identities["billing@example.com"].kind.value == "EMAIL_ADDRESS"
    assert eu.identities["example.com"].verified
    (deny,) = eu.identities["example.com"].policies
    assert deny.source.name == "deny-bob" and deny.policy.statements[0].effect.value == "Deny"
    assert eu.configuration_sets == ("tracking",)
    assert set(account.regions["us-east-1"].identities) == {"example.org"}
    # moto lacks sesv2 GetAccount: recorded as a gap, the status stays unknown (not "fine").
    assert eu.sending.sandbox is None
    assert any(g.what == "sandbox and sending status in eu-west-1" for g in account.gaps)


def test_member_account_with_org_profile_reads_the_whole_scp_chain(tmp_path: Path) -> None:
    with mock_aws():
        built = build_account(org="member")
        progress: list[Any] = []
        data = read_account(
            session_for(built.account_id),
            regions=["eu-west-1", "us-east-1"],
            org_session=session_for(MGMT),
            progress=progress.append,
        )
        check_model(data, built.account_id)
        account = account_from_snapshot(data)
        org = account.organization
        assert org.status is OrgStatus.MEMBER and org.management_account_id == MGMT
        assert org.levels is not None
        assert [lv.type for lv in org.levels] == [
            "ROOT",
            "ORGANIZATIONAL_UNIT",
            "ORGANIZATIONAL_UNIT",
            "ACCOUNT",
        ]
        assert [lv.name for lv in org.levels][1:3] == ["Workloads", "Prod"]
        names = [[d.source.name for d in lv.policies] for lv in org.levels]
        assert names[0] == ["FullAWSAccess", "DenyLeaveOrg"]
        assert "RegionGuard" in names[1] and "NoBulk" in names[3]
        region_guard = next(d for d in org.levels[1].policies if d.source.name == "RegionGuard")
        assert region_guard.policy.statements[0].conditions[0].key == "aws:RequestedRegion"
        assert {p.region for p in progress if p.service == "sesv2"} == {"eu-west-1", "us-east-1"}
        assert progress[-1].regions_done == 2 and progress[-1].calls > 10

        # Round trip: live -> snapshot file -> load gives an equal model.
        path = tmp_path / "snap.json"
        save_snapshot(data, path)
        loaded, _ = load_snapshot(path)
        assert replace(loaded, source="") == replace(account, source="")


def test_member_account_without_org_access_records_scps_as_unknown() -> None:
    with mock_aws():
        built = build_account(org="member")
        data = read_account(session_for(built.account_id), regions=["eu-west-1"])
        org = account_from_snapshot(data).organization
        assert org.status is OrgStatus.MEMBER and org.levels is None
        assert org.unknown_reason is not None and "--org-profile" in org.unknown_reason
        assert any(g["what"] == "SCPs" for g in data["gaps"])


def test_management_account_and_no_organization() -> None:
    with mock_aws():
        build_account(org="management")
        data = read_account(session_for(MGMT), regions=["eu-west-1", "us-east-1"])
        check_model(data, MGMT)
        assert account_from_snapshot(data).organization.status is OrgStatus.MANAGEMENT
    with mock_aws():
        build_account(org="none")
        data = read_account(session_for(MGMT), regions=["eu-west-1"])
        assert account_from_snapshot(data).organization.status is OrgStatus.NONE


def test_moto_server_over_http(monkeypatch: pytest.MonkeyPatch) -> None:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        built = build_account(org="management", endpoint_url=endpoint)
        monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
        session = session_for(built.account_id)
        data = read_account(session, regions=["eu-west-1", "us-east-1"])
        check_model(data, built.account_id)
        assert all(c.meta.endpoint_url == endpoint for c in session.clients())
    finally:
        # The server shares this process's backends: clear them for the tests that follow.
        reset_moto_server(endpoint)
        server.stop()


# -- Stubber: what moto lacks -------------------------------------------------------------------

ACCT = "210987654321"


def stubbed_reader(regions: list[str]) -> tuple[AccountReader, dict[str, Stubber]]:
    session = AwsSession(region="us-east-1")
    stubs = {}
    for service, region in [("sts", None), ("iam", None), ("organizations", None)] + [
        ("sesv2", r) for r in regions
    ]:
        stub = Stubber(session.client(service, region))
        stubs[f"{service}:{region}" if region else service] = stub
    return AccountReader(session, regions=regions), stubs


def user(name: str) -> dict[str, Any]:
    return {
        "UserName": name,
        "UserId": "AIDA" + name.upper().ljust(17, "X"),
        "Path": "/",
        "Arn": f"arn:aws:iam::{ACCT}:user/{name}",
        "CreateDate": "2026-01-01T00:00:00Z",
        "UserPolicyList": [],
        "GroupList": [],
        "AttachedManagedPolicies": [
            {
                "PolicyName": "AmazonSESFullAccess",
                "PolicyArn": "arn:aws:iam::aws:policy/AmazonSESFullAccess",
            }
        ],
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "PermissionsBoundaryPolicy",
            "PermissionsBoundaryArn": f"arn:aws:iam::{ACCT}:policy/B",
        },
    }


def test_stubbed_pagination_aws_managed_documents_sandbox_and_access_denied() -> None:
    reader, stubs = stubbed_reader(["eu-west-1"])
    stubs["sts"].add_response(
        "get_caller_identity",
        {"UserId": "AIDAX", "Account": ACCT, "Arn": f"arn:aws:iam::{ACCT}:user/ops"},
    )
    iam = stubs["iam"]
    boundary_doc = (
        "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22"
        "%3A%22Allow%22%2C%22Action%22%3A%22s3%3A%2A%22%2C%22Resource%22%3A%22%2A%22"
        "%7D%5D%7D"
    )
    iam.add_response(
        "get_account_authorization_details",
        {
            "UserDetailList": [user("u1")],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [],
            "IsTruncated": True,
            "Marker": "m1",
        },
    )
    iam.add_response(
        "get_account_authorization_details",
        {
            "UserDetailList": [user("u2")],
            "GroupDetailList": [],
            "RoleDetailList": [],
            "Policies": [
                {
                    "PolicyName": "B",
                    "Arn": f"arn:aws:iam::{ACCT}:policy/B",
                    "DefaultVersionId": "v2",
                    "PolicyVersionList": [
                        {"Document": boundary_doc, "VersionId": "v2", "IsDefaultVersion": True}
                    ],
                }
            ],
            "IsTruncated": False,
        },
        expected_params={"Filter": ["User", "Role", "Group", "LocalManagedPolicy"], "Marker": "m1"},
    )
    iam.add_response(
        "get_policy",
        {
            "Policy": {
                "PolicyName": "AmazonSESFullAccess",
                "Arn": "arn:aws:iam::aws:policy/AmazonSESFullAccess",
                "DefaultVersionId": "v3",
            }
        },
    )
    iam.add_response(
        "get_policy_version",
        {
            "PolicyVersion": {
                "Document": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ses:*"],'
                '"Resource":"*"}]}',
                "VersionId": "v3",
                "IsDefaultVersion": True,
            }
        },
        expected_params={
            "PolicyArn": "arn:aws:iam::aws:policy/AmazonSESFullAccess",
            "VersionId": "v3",
        },
    )
    for name in ("u1", "u2"):
        iam.add_response(
            "list_access_keys",
            {
                "AccessKeyMetadata": [
                    {
                        "UserName": name,
                        "AccessKeyId": f"AKIA{name.upper()}EXAMPLE0000",
                        "Status": "Active",
                    }
                ],
                "IsTruncated": False,
            },
        )
        iam.add_response(
            "get_access_key_last_used",
            {"UserName": name, "AccessKeyLastUsed": {"ServiceName": "ses", "Region": "us-east-1"}},
        )
    ses = stubs["sesv2:eu-west-1"]
    ses.add_response(
        "list_email_identities",
        {
            "EmailIdentities": [{"IdentityType": "DOMAIN", "IdentityName": "example.com"}],
            "NextToken": "t1",
        },
    )
    ses.add_response(
        "list_email_identities",
        {"EmailIdentities": [{"IdentityType": "EMAIL_ADDRESS", "IdentityName": "a@example.com"}]},
        expected_params={"PageSize": 1000, "NextToken": "t1"},
    )
    ses.add_response(
        "get_email_identity",
        {
            "IdentityType": "DOMAIN",
            "VerifiedForSendingStatus": True,
            "VerificationStatus": "SUCCESS",
            "Policies": {"p": '{"Version":"2012-10-17","Statement":[]}'},
            "ConfigurationSetName": "default-set",
        },
    )
    ses.add_client_error("get_email_identity", "AccessDeniedException", "not allowed", 403)
    ses.add_response("list_configuration_sets", {"ConfigurationSets": ["default-set"]})
    ses.add_response("list_email_templates", {"TemplatesMetadata": [{"TemplateName": "welcome"}]})
    ses.add_response(
        "get_account",
        {
            "ProductionAccessEnabled": False,
            "SendingEnabled": True,
            "EnforcementStatus": "HEALTHY",
            "DedicatedIpAutoWarmupEnabled": False,
        },
    )
    stubs["organizations"].add_client_error(
        "describe_organization", "AccessDeniedException", "no", 403
    )
    for stub in stubs.values():
        stub.activate()
    data = reader.read()
    for stub in stubs.values():
        stub.assert_no_pending_responses()

    account = account_from_snapshot(data)
    assert [p.name for p in account.principals] == ["u1", "u2"]
    u1 = account.principal("u1")
    assert u1 is not None
    pp = account.policies_for(u1)
    assert pp.identity[0].source.name == "AmazonSESFullAccess" and pp.unknown == ()
    assert pp.boundary is not None and pp.boundary.policy.statements[0].actions == ("s3:*",)
    assert u1.access_keys[0].last_used_service == "ses"
    eu = account.regions["eu-west-1"]
    assert eu.sending.sandbox is True
    assert eu.templates == ("welcome",)
    assert eu.identities["example.com"].default_configuration_set == "default-set"
    assert not eu.identities["a@example.com"].policies_known
    gap_whats = {g.what: g for g in account.gaps}
    assert gap_whats["SCPs"].permission == "organizations:DescribeOrganization"
    address_gap = next(g for g in account.gaps if "a@example.com" in g.what)
    assert address_gap.permission == "ses:GetEmailIdentity"
    assert "access denied" in address_gap.message
    assert account.organization.status is OrgStatus.UNKNOWN


def test_sessions_share_one_data_loader_and_it_does_not_grow(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The service models are parsed once per process: a reload or a second read reuses them.
    from sestui.aws.session import AwsSession

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sessions = [AwsSession(region="eu-west-1") for _ in range(5)]
    loaders = {id(s.session._session.get_component("data_loader")) for s in sessions}
    assert len(loaders) == 1
    sessions[-1].client("sesv2")  # a client is created through it
    paths = sessions[-1].session._session.get_component("data_loader").search_paths
    assert len(paths) == len(set(paths)), "boto3's data folder is listed once, not once per session"
    # A different data path (AWS_DATA_PATH) is a loader of its own, with that path searched.
    monkeypatch.setenv("AWS_DATA_PATH", "/nonexistent/sestui-models")
    other = AwsSession(region="eu-west-1").session._session.get_component("data_loader")
    assert id(other) not in loaders and "/nonexistent/sestui-models" in other.search_paths
