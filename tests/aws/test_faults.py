"""Faults on live reads: throttling, access denied on each read in turn, an opted-out region,
timeouts, expired credentials, a missing endpoint. Every case ends with a usable model (gaps
shown as unknown, never as a pass) or a clear error."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.config import Config
from botocore.exceptions import EndpointConnectionError, ReadTimeoutError

from sestui.account import OrgStatus, account_from_snapshot
from sestui.aws.errors import AwsReadError
from sestui.aws.readers import read_account
from sestui.aws.session import AwsSession
from sestui.decide import Outcome, Selection, Status, run
from tests.awsfixtures import MGMT, as_account, build_account, client, reset_moto_server

REGIONS = ["eu-west-1", "us-east-1"]


class _Raw:
    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


def error_response(service: str, code: str, status: int = 400) -> AWSResponse:
    if service in ("iam", "sts"):  # query protocol: XML errors
        body = (
            f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected"
            f"</Message></Error><RequestId>r</RequestId></ErrorResponse>"
        ).encode()
        headers = {"Content-Type": "text/xml"}
    else:  # JSON protocols
        body = json.dumps({"__type": code, "message": "injected"}).encode()
        headers = {"Content-Type": "application/json", "x-amzn-ErrorType": code}
    return AWSResponse("https://injected", status, HTTPHeaders.from_dict(headers), _Raw(body))


Fault = Callable[[Any], Any]


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    srv.start()
    host, port = srv.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    yield endpoint
    srv.stop()


@pytest.fixture(scope="module")
def built(server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    # Built once per module: every test here only reads the account (faults are injected into
    # the replies, never into moto's state).
    with pytest.MonkeyPatch.context() as env:
        for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            env.delenv(var, raising=False)
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        empty = tmp_path_factory.mktemp("aws")
        env.setenv("AWS_CONFIG_FILE", str(empty / "no-config"))
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(empty / "no-credentials"))
        account_id = build_account(org="member", endpoint_url=server).account_id
        # alice sends over SMTP below: she needs an active access key (535 without one).
        client("iam", account_id, endpoint_url=server).create_access_key(UserName="alice")
    yield account_id
    reset_moto_server(server)


@pytest.fixture
def account(built: str, server: str, aws_env: None, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL", server)
    return built


def read(account_id: str, faults: dict[str, Fault], *, attempts: int = 3) -> dict[str, Any]:
    """Read with faults injected per `service.Operation` (by the before-send hook)."""
    config = Config(
        retries={"mode": "standard", "max_attempts": attempts}, connect_timeout=2, read_timeout=2
    )
    member, org = (
        AwsSession(region="us-east-1", config=config),
        AwsSession(region="us-east-1", config=config),
    )
    member.add_hook("before-sign.*.*", as_account(account_id))
    org.add_hook("before-sign.*.*", as_account(MGMT))
    for key, fault in faults.items():
        service, operation = key.split(".")
        for session in (member, org):
            session.add_hook(f"before-send.{service}.{operation}", fault)
    return dict(read_account(member, regions=REGIONS, org_session=org))


def always(service: str, code: str, status: int = 400) -> Fault:
    return lambda request, **_: error_response(service, code, status)


def test_throttling_bursts_are_retried_and_the_read_completes(account: str) -> None:
    left = {"n": 4}

    def throttle(request: Any, **_: Any) -> AWSResponse | None:
        if left["n"] > 0:
            left["n"] -= 1
            return error_response("sesv2", "TooManyRequestsException", 429)
        return None

    data = read(account, {"sesv2.ListEmailIdentities": throttle}, attempts=6)
    assert left["n"] == 0
    # moto_server lacks GetAccount and ListEmailTemplates: those (and only those) are gaps.
    assert {g["message"] for g in data["gaps"]} == {"not supported by this endpoint"}
    assert {g["what"].split(" in ")[0] for g in data["gaps"]} == {
        "sandbox and sending status",
        "templates",
    }
    model = account_from_snapshot(data)
    assert set(model.regions["eu-west-1"].identities) == {"example.com", "billing@example.com"}


DENIALS = [
    ("sesv2.ListEmailIdentities", "SES identities in eu-west-1", "ses:ListEmailIdentities"),
    ("sesv2.GetEmailIdentity", "identity example.com", "ses:GetEmailIdentity"),
    ("sesv2.ListConfigurationSets", "configuration sets in eu-west-1", "ses:ListConfigurationSets"),
    ("sesv2.ListEmailTemplates", "templates in eu-west-1", "ses:ListEmailTemplates"),
    ("sesv2.GetAccount", "sandbox and sending status in eu-west-1", "ses:GetAccount"),
    ("iam.ListAccessKeys", "access keys of bob", "iam:ListAccessKeys"),
    ("organizations.DescribeOrganization", "SCPs", "organizations:DescribeOrganization"),
    ("organizations.ListParents", "SCPs", "organizations:ListPoliciesForTarget"),
    ("organizations.ListPoliciesForTarget", "SCPs", "organizations:ListPoliciesForTarget"),
    ("organizations.DescribePolicy", "SCPs", "organizations:ListPoliciesForTarget"),
]


@pytest.mark.parametrize(("operation", "what", "permission"), DENIALS, ids=[d[0] for d in DENIALS])
def test_access_denied_on_each_read_is_a_gap_not_a_pass(
    account: str, operation: str, what: str, permission: str
) -> None:
    service = operation.split(".")[0]
    code = "AccessDenied" if service == "iam" else "AccessDeniedException"
    data = read(account, {operation: always(service, code, 403)})
    gaps = [g for g in data["gaps"] if g["what"].startswith(what)]
    assert gaps, data["gaps"]
    assert gaps[0]["permission"] == permission and "access denied" in gaps[0]["message"]
    model = account_from_snapshot(data)  # a usable model
    sel = Selection("alice", "eu-west-1", from_address="a@example.com")
    verdict = run(model, sel)
    if service == "organizations":
        assert model.organization.levels is None
        assert verdict.check("scp").status is Status.UNKNOWN
    if operation == "sesv2.ListEmailIdentities":
        assert "eu-west-1" not in model.regions
        assert verdict.check("verification").status is Status.UNKNOWN
    if operation == "sesv2.GetEmailIdentity":
        assert not model.regions["eu-west-1"].identities["example.com"].policies_known
        assert verdict.check("sending-authorization").status is Status.UNKNOWN
    if operation == "sesv2.GetAccount":
        assert verdict.check("sandbox").status is Status.UNKNOWN
    # Never a false pass: when a read that bears on authorization failed, alice's send (allowed
    # by her policies) is undecided, not allowed. Her access keys bear on it too: she sends over
    # SMTP, whose password is derived from an active key. Sandbox status, configuration-set and
    # template lists only warn (their checks say unknown) and leave the verdict alone.
    bears = operation in (
        "sesv2.ListEmailIdentities",
        "sesv2.GetEmailIdentity",
        "iam.ListAccessKeys",
    ) or (service == "organizations")
    assert (verdict.outcome is Outcome.UNDECIDED) == bears, verdict.reasons


def test_iam_denied_is_a_clear_error(account: str) -> None:
    with pytest.raises(AwsReadError, match="cannot read IAM"):
        read(account, {"iam.GetAccountAuthorizationDetails": always("iam", "AccessDenied", 403)})


def test_an_opted_out_region_is_recorded_and_the_others_are_read(account: str) -> None:
    # The endpoint URL is the moto server for every region: tell regions apart by the signer.
    def by_region(request: Any, **_: Any) -> AWSResponse | None:
        auth = request.headers.get("Authorization", b"")
        auth = auth.decode() if isinstance(auth, bytes) else auth
        if "/us-east-1/" in auth:
            return error_response("sesv2", "UnrecognizedClientException", 403)
        return None

    faults: dict[str, Callable[[Any], Any]] = {"sesv2.ListEmailIdentities": by_region}
    data = read(account, faults)
    gap = next(g for g in data["gaps"] if g["where"] == "us-east-1 sesv2")
    assert "region not enabled" in gap["message"] and gap["permission"] is None
    model = account_from_snapshot(data)
    assert "us-east-1" not in model.regions and "eu-west-1" in model.regions


def test_timeouts_and_missing_endpoints_become_gaps(account: str) -> None:
    def timeout(request: Any, **_: Any) -> None:
        raise ReadTimeoutError(endpoint_url=request.url)

    def no_endpoint(request: Any, **_: Any) -> None:
        raise EndpointConnectionError(endpoint_url=request.url)

    data = read(
        account, {"sesv2.GetAccount": timeout, "sesv2.ListEmailTemplates": no_endpoint}, attempts=2
    )
    messages = {g["what"]: g["message"] for g in data["gaps"]}
    assert messages["sandbox and sending status in eu-west-1"] == "timed out"
    assert messages["templates in eu-west-1"] == "no endpoint for this service in the region"
    model = account_from_snapshot(data)
    assert model.regions["eu-west-1"].templates is None  # unknown, not empty


def test_credentials_expiring_mid_load_stop_with_a_clear_error(account: str) -> None:
    seen = {"n": 0}

    def expire(request: Any, **_: Any) -> AWSResponse | None:
        seen["n"] += 1
        return error_response("sesv2", "ExpiredTokenException", 403) if seen["n"] > 1 else None

    with pytest.raises(AwsReadError, match="stopped working during the read"):
        read(account, {"sesv2.GetEmailIdentity": expire})


def test_an_organization_less_account_is_not_a_gap(account: str) -> None:
    data = read(
        account,
        {
            "organizations.DescribeOrganization": always(
                "organizations", "AWSOrganizationsNotInUseException"
            )
        },
    )
    assert account_from_snapshot(data).organization.status is OrgStatus.NONE
    assert not [g for g in data["gaps"] if g["what"] == "SCPs"]
