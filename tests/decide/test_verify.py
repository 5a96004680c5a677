"""`--verify`: the simulation request built from a selection, AWS's answer compared with sestui's
(botocore's Stubber with the real shapes), and the request on the wire (a local IAM endpoint)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import parse_qs

import botocore.session
import pytest
from botocore.config import Config
from botocore.stub import Stubber

from sestui.account import Account, account_from_snapshot
from sestui.aws.guard import refuse_writes
from sestui.aws.permissions import verify_policy
from sestui.aws.session import RETRIES, AwsSession
from sestui.aws.simulate import simulate_principal_policy, verify
from sestui.cli import main
from sestui.decide import Outcome, Selection, run
from sestui.decide.verify import VerifyStatus, build_request, compare
from sestui.demo.build import build
from sestui.policy import PolicyKind, PolicySet, PolicySource, Request, evaluate, parse_policy
from sestui.report.verdict import render_json, render_text
from sestui.verdict.analysis import Analysis, analyze
from tests.paths import ROOT

if TYPE_CHECKING:
    from botocore.config import _RetryDict

ACCT = "111122223333"
EU = "eu-west-1"
BILLING = f"arn:aws:iam::{ACCT}:user/billing-app"
BILLING_ID = f"arn:aws:ses:{EU}:{ACCT}:identity/billing@example.com"
NEWS_ID = f"arn:aws:ses:{EU}:{ACCT}:identity/news.example.com"
NEWS_CS = f"arn:aws:ses:{EU}:{ACCT}:configuration-set/newsletter-tracking"
DOMAIN_ID = f"arn:aws:ses:{EU}:{ACCT}:identity/example.com"
ROLE = f"arn:aws:iam::{ACCT}:role/service-role/order-notifier"
DOMAIN_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "DomainPolicyMustNotBeSent",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "ses:*",
            "Resource": DOMAIN_ID,
        }
    ],
}


@pytest.fixture(scope="module")
def account() -> Account:
    """The demo account, whose domain example.com also has a policy (the address's applies)."""
    data = build()
    for ident in data["ses"]["regions"][EU]["identities"]:
        if ident["IdentityName"] == "example.com":
            ident["Policies"] = {"domain-wide": json.dumps(DOMAIN_POLICY)}
    return account_from_snapshot(data, "snapshot test.json")


def billing(account: Account, **extra: Any) -> Analysis:
    sel = Selection(
        "billing-app",
        EU,
        from_address="billing@example.com",
        recipients=("a@example.org", "b@example.org"),
        source_ip="203.0.113.7",
        display_name="Billing",
        current_time="2026-11-02T10:00:00Z",
        **extra,
    )
    return analyze(account, sel)


def result(
    action: str,
    resource: str,
    decision: str,
    *,
    matched: list[dict[str, Any]] | None = None,
    missing: list[str] | None = None,
    orgs: bool = True,
    boundary: bool | None = None,
) -> dict[str, Any]:
    """One EvaluationResults item, as SimulatePrincipalPolicy returns it."""
    out: dict[str, Any] = {
        "EvalActionName": action,
        "EvalResourceName": resource,
        "EvalDecision": decision,
        "MatchedStatements": matched or [],
        "MissingContextValues": missing or [],
        "OrganizationsDecisionDetail": {"AllowedByOrganizations": orgs},
        "EvalDecisionDetails": {},
        "ResourceSpecificResults": [],
    }
    if boundary is not None:
        out["PermissionsBoundaryDecisionDetail"] = {"AllowedByPermissionsBoundary": boundary}
    return out


ONCE: _RetryDict = {"mode": "standard", "max_attempts": 1}
RESOURCE_MATCH = {
    "SourcePolicyId": "PolicyInputList.1",
    "SourcePolicyType": "resource",
    "StartPosition": {"Line": 1, "Column": 38},
    "EndPosition": {"Line": 1, "Column": 312},
}


# -- the request ------------------------------------------------------------------------------


def test_request_carries_principal_actions_resources_policy_caller_and_typed_context(
    account: Account,
) -> None:
    api = build_request(billing(account)).api()
    assert api["PolicySourceArn"] == BILLING
    assert api["ActionNames"] == ["ses:SendRawEmail"]
    assert api["ResourceArns"] == [BILLING_ID]
    # The address's policy applies, not the domain's.
    policy = json.loads(api["ResourcePolicy"])
    assert policy["Statement"][0]["Sid"] == "BillingAppOnly"
    assert "DomainPolicyMustNotBeSent" not in api["ResourcePolicy"]
    assert api["CallerArn"] == BILLING
    assert "ResourceOwner" not in api  # same account: the ARNs name their owner
    entries = {e["ContextKeyName"]: e for e in api["ContextEntries"]}
    expect = {
        "ses:FromAddress": (["billing@example.com"], "string"),
        "ses:Recipients": (["a@example.org", "b@example.org"], "stringList"),
        "aws:SourceIp": (["203.0.113.7"], "ip"),
        "ses:FromDisplayName": (["Billing"], "string"),
        "aws:CurrentTime": (["2026-11-02T10:00:00Z"], "date"),
        "aws:EpochTime": ([str(int(datetime(2026, 11, 2, 10, tzinfo=UTC).timestamp()))], "numeric"),
        "aws:SecureTransport": (["true"], "boolean"),
        "aws:RequestedRegion": ([EU], "string"),
        "ses:ApiVersion": (["2"], "string"),
        "aws:username": (["billing-app"], "string"),
        "aws:PrincipalType": (["User"], "string"),
    }
    for key, (values, kind) in expect.items():
        assert (entries[key]["ContextKeyValues"], entries[key]["ContextKeyType"]) == (values, kind)


def test_every_resource_of_the_request_is_simulated(account: Account) -> None:
    a = analyze(account, Selection("newsletter", EU, from_address="x@news.example.com"))
    assert build_request(a).api()["ResourceArns"] == [NEWS_ID, NEWS_CS]


def test_a_role_is_simulated_without_caller_or_resource_policy_and_says_so(
    account: Account,
) -> None:
    a = analyze(account, Selection("order-notifier", EU, from_address="o@example.com", role=True))
    request = build_request(a)
    api = request.api()
    assert api["PolicySourceArn"] == ROLE
    assert "CallerArn" not in api and "ResourcePolicy" not in api
    assert any("without the sending-authorization policy" in n for n in request.notes)


# -- AWS's answer through the guarded client (botocore's Stubber) ----------------------------------


@pytest.fixture
def stubbed(aws_env: None) -> Iterator[tuple[AwsSession, Stubber]]:
    session = AwsSession(region="us-east-1")
    stubber = Stubber(session.client("iam"))
    with stubber:
        yield session, stubber
    stubber.assert_no_pending_responses()


def test_agreement_in_one_line_and_the_local_exit_code(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    a = billing(account)
    api = build_request(a).api()
    response = {
        "EvaluationResults": [
            result("ses:SendRawEmail", BILLING_ID, "allowed", matched=[RESOURCE_MATCH])
        ],
        "IsTruncated": False,
    }
    stubber.add_response("simulate_principal_policy", response, api)
    v = verify(a, session=session, source="snapshot test.json")
    assert v.status is VerifyStatus.AGREES
    assert v.headline.startswith("AWS's simulator agrees: 1 of 1")
    assert v.exit_code(Outcome.ALLOWED) == 0
    verdict = run(account, a.selection)
    text = render_text(verdict, a.selection, "user billing-app", verify=v)
    assert text.startswith("ALLOWED")
    assert [line for line in text.splitlines() if "simulator" in line] == [f"  ✓ {v.headline}"]


def test_disagreement_is_the_headline_with_both_reasons_and_exit_3(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    a = analyze(account, Selection("newsletter", EU, from_address="x@news.example.com"))
    identity_match = {
        "SourcePolicyId": "NewsOnly",
        "SourcePolicyType": "user",
        "StartPosition": {"Line": 1, "Column": 1},
        "EndPosition": {"Line": 9, "Column": 2},
    }
    response = {
        "EvaluationResults": [
            result("ses:SendRawEmail", NEWS_ID, "allowed", matched=[identity_match]),
            result("ses:SendRawEmail", NEWS_CS, "allowed", matched=[identity_match]),
        ],
        "IsTruncated": False,
    }
    stubber.add_response("simulate_principal_policy", response, build_request(a).api())
    v = verify(a, session=session, source="snapshot test.json")
    assert v.status is VerifyStatus.DISAGREES
    assert v.exit_code(Outcome.DENIED) == 3
    cs = next(c for c in v.cells if c.resource == NEWS_CS)
    assert (cs.local, cs.aws, cs.agrees) == ("implicitDeny", "allowed", False)
    assert "no identity policy allows" in cs.local_reason
    assert any("snapshot test.json" in e for e in v.explanations)
    verdict = run(account, a.selection)
    text = render_text(verdict, a.selection, "user newsletter", verify=v)
    first = text.splitlines()[0]
    assert first.startswith("DISAGREES") and "configuration-set/newsletter-tracking" in first
    assert "sestui: implicitDeny — no identity policy allows" in text
    assert "AWS:    allowed — matched user NewsOnly, lines 1-9" in text
    out = json.loads(render_json(verdict, a.selection, a.principal.arn, v))
    assert out["verify"]["status"] == "disagrees" and out["verify"]["exit_code"] == 3
    assert out["verdict"]["exit_code"] == 1  # the local verdict is still reported as it is
    row = next(r for r in out["verify"]["results"] if r["resource"] == NEWS_CS)
    assert row["aws_matched_statements"][0] == {
        "policy_id": "NewsOnly",
        "policy_type": "user",
        "start": [1, 1],
        "end": [9, 2],
    }


def test_missing_context_values_are_shown_and_explain(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    a = billing(account)
    response = {
        "EvaluationResults": [
            result("ses:SendRawEmail", BILLING_ID, "implicitDeny", missing=["ses:FeedbackAddress"])
        ],
        "IsTruncated": False,
    }
    stubber.add_response("simulate_principal_policy", response, build_request(a).api())
    v = verify(a, session=session)
    assert v.status is VerifyStatus.DISAGREES
    assert v.cells[0].missing == ("ses:FeedbackAddress",)
    assert any(e.startswith("AWS had no value for ses:FeedbackAddress") for e in v.explanations)
    assert any("ses:fromaddress" in e for e in v.explanations)  # the policy tests an SES key
    text = render_text(run(account, a.selection), a.selection, "billing-app", verify=v)
    assert "missing context values: ses:FeedbackAddress" in text


def test_a_role_verifies_without_caller_and_compares_without_the_resource_policy(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    # The role may SendEmail on example.com; the domain's policy denies everyone.
    sel = Selection(
        "order-notifier", EU, from_address="o@example.com", actions=("ses:SendEmail",), role=True
    )
    a = analyze(account, sel)
    api = build_request(a).api()
    stubber.add_response(
        "simulate_principal_policy",
        {
            "EvaluationResults": [result("ses:SendEmail", DOMAIN_ID, "allowed")],
            "IsTruncated": False,
        },
        api,  # Stubber checks these are the exact parameters: no CallerArn, no ResourcePolicy
    )
    v = verify(a, session=session)
    assert run(account, sel).outcome is Outcome.DENIED  # by the domain's policy
    # AWS was not given that policy, so neither is sestui's side of the comparison.
    assert v.status is VerifyStatus.AGREES
    assert v.cells[0].local == "allowed"
    assert v.notes and "accepts only an IAM user" in v.notes[0]
    text = render_text(run(account, sel), sel, "role order-notifier", verify=v)
    assert "note: simulated without the sending-authorization policy (domain-wide)" in text


def test_access_denied_is_could_not_verify_and_keeps_the_exit_code(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    a = billing(account)
    stubber.add_client_error(
        "simulate_principal_policy",
        service_error_code="AccessDenied",
        service_message="User: arn:aws:iam::111122223333:user/x is not authorized to perform: "
        "iam:SimulatePrincipalPolicy",
        http_status_code=403,
    )
    v = verify(a, session=session)
    assert v.status is VerifyStatus.UNVERIFIED
    assert v.headline == (
        "could not verify: access denied (AccessDenied) — the caller needs "
        "iam:SimulatePrincipalPolicy"
    )
    assert v.exit_code(Outcome.DENIED) == 1 and v.exit_code(Outcome.ALLOWED) == 0


def test_throttling_then_success(account: Account, stubbed: tuple[AwsSession, Stubber]) -> None:
    session, stubber = stubbed
    a = billing(account)
    api = build_request(a).api()
    for _ in range(2):
        stubber.add_client_error(
            "simulate_principal_policy", "Throttling", "Rate exceeded", 400, expected_params=api
        )
    stubber.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": [result("ses:SendRawEmail", BILLING_ID, "allowed")]},
        api,
    )
    pauses: list[float] = []
    v = verify(a, session=session, sleep=pauses.append)
    assert v.status is VerifyStatus.AGREES
    assert pauses == [0.5, 1.0]


def test_throttling_that_never_ends_is_could_not_verify(
    account: Account, stubbed: tuple[AwsSession, Stubber]
) -> None:
    session, stubber = stubbed
    a = billing(account)
    for _ in range(5):
        stubber.add_client_error("simulate_principal_policy", "Throttling", "Rate exceeded", 400)
    v = verify(a, session=session, sleep=lambda _: None)
    assert v.headline == "could not verify: AWS kept throttling the simulator (Throttling)"


def test_pages_are_merged(stubbed: tuple[AwsSession, Stubber]) -> None:
    session, stubber = stubbed
    first = result("ses:SendRawEmail", NEWS_ID, "allowed")
    second = result("ses:SendRawEmail", NEWS_CS, "implicitDeny")
    request = {"PolicySourceArn": BILLING, "ActionNames": ["ses:SendRawEmail"]}
    stubber.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": [first], "IsTruncated": True, "Marker": "m1"},
        request,
    )
    stubber.add_response(
        "simulate_principal_policy",
        {"EvaluationResults": [second], "IsTruncated": False},
        {**request, "Marker": "m1"},
    )
    got = simulate_principal_policy(session, request)
    assert [r["EvalResourceName"] for r in got["EvaluationResults"]] == [NEWS_ID, NEWS_CS]


def test_resource_specific_results_are_read_per_resource(account: Account) -> None:
    a = analyze(account, Selection("newsletter", EU, from_address="x@news.example.com"))
    response = {
        "EvaluationResults": [
            {
                "EvalActionName": "ses:SendRawEmail",
                "EvalResourceName": "*",
                "EvalDecision": "implicitDeny",
                "ResourceSpecificResults": [
                    {"EvalResourceName": NEWS_ID, "EvalResourceDecision": "allowed"},
                    {"EvalResourceName": NEWS_CS, "EvalResourceDecision": "implicitDeny"},
                ],
            }
        ]
    }
    v = compare(a, build_request(a), response)
    assert v.status is VerifyStatus.AGREES
    assert [c.aws for c in v.cells] == ["allowed", "implicitDeny"]


def test_no_answer_for_the_request_is_could_not_verify(account: Account) -> None:
    a = billing(account)
    v = compare(a, build_request(a), {"EvaluationResults": []})
    assert v.status is VerifyStatus.UNVERIFIED and v.exit_code(Outcome.ALLOWED) == 0


# -- the request on the wire, through AWS_ENDPOINT_URL_IAM ---------------------------------------


XML = """<SimulatePrincipalPolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <SimulatePrincipalPolicyResult>
    <IsTruncated>false</IsTruncated>
    <EvaluationResults>
      <member>
        <EvalActionName>ses:SendRawEmail</EvalActionName>
        <EvalResourceName>{resource}</EvalResourceName>
        <EvalDecision>{decision}</EvalDecision>
        <MatchedStatements>
          <member>
            <SourcePolicyId>PolicyInputList.1</SourcePolicyId>
            <SourcePolicyType>resource</SourcePolicyType>
            <StartPosition><Line>1</Line><Column>38</Column></StartPosition>
            <EndPosition><Line>1</Line><Column>312</Column></EndPosition>
          </member>
        </MatchedStatements>
        <MissingContextValues/>
        <EvalDecisionDetails/>
        <OrganizationsDecisionDetail>
          <AllowedByOrganizations>true</AllowedByOrganizations>
        </OrganizationsDecisionDetail>
        <ResourceSpecificResults/>
      </member>
    </EvaluationResults>
  </SimulatePrincipalPolicyResult>
  <ResponseMetadata><RequestId>7a62c49f-347e-4fc4-9331-6e8eEXAMPLE</RequestId></ResponseMetadata>
</SimulatePrincipalPolicyResponse>
"""


class _QueryEndpoint:
    """A local AWS query-protocol endpoint on 127.0.0.1: each POST's form (and Authorization
    header) goes to `answer`, whose (status, XML body) is the reply."""

    def __init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                form = parse_qs(self.rfile.read(length).decode())
                status, body = fake.answer(form, self.headers.get("Authorization", ""))
                data = body.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, form: dict[str, list[str]], authorization: str) -> tuple[int, str]:
        raise NotImplementedError

    def __enter__(self) -> Self:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeIam(_QueryEndpoint):
    """A local IAM query endpoint that records each request body and answers SimulatePrincipal-
    Policy with one result."""

    def __init__(self, decision: str) -> None:
        self.bodies: list[dict[str, list[str]]] = []
        self.decision = decision
        super().__init__()

    def answer(self, form: dict[str, list[str]], authorization: str) -> tuple[int, str]:
        self.bodies.append(form)
        return 200, XML.format(resource=BILLING_ID, decision=self.decision)


def demo_snapshot(tmp_path: Path) -> str:
    path = tmp_path / "acct.json"
    path.write_text(json.dumps(build()))
    return str(path)


CLI = ["check", "--user", "billing-app", "--region", EU, "--from", "billing@example.com"]


@pytest.mark.usefixtures("aws_env")
def test_the_request_on_the_wire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = demo_snapshot(tmp_path)
    with FakeIam("allowed") as iam:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", iam.url)
        code = main(
            [
                *CLI,
                "--snapshot",
                snapshot,
                "--recipient",
                "a@example.org",
                "--source-ip",
                "203.0.113.7",
                "--verify",
            ]
        )
    out = capsys.readouterr().out
    assert code == 0, out
    assert "✓ AWS's simulator agrees: 1 of 1" in out
    (form,) = iam.bodies
    field = {k: v[0] for k, v in form.items()}
    assert field["Action"] == "SimulatePrincipalPolicy"
    assert field["PolicySourceArn"] == BILLING
    assert field["ActionNames.member.1"] == "ses:SendRawEmail"
    assert field["ResourceArns.member.1"] == BILLING_ID
    assert json.loads(field["ResourcePolicy"])["Statement"][0]["Sid"] == "BillingAppOnly"
    assert field["CallerArn"] == BILLING
    context = {}
    for k, v in field.items():
        if k.startswith("ContextEntries.member.") and k.endswith(".ContextKeyName"):
            n = k.split(".")[2]
            context[v] = (
                field[f"ContextEntries.member.{n}.ContextKeyType"],
                field[f"ContextEntries.member.{n}.ContextKeyValues.member.1"],
            )
    assert context["ses:FromAddress"] == ("string", "billing@example.com")
    assert context["ses:Recipients"] == ("stringList", "a@example.org")
    assert context["aws:SourceIp"] == ("ip", "203.0.113.7")
    assert context["aws:SecureTransport"] == ("boolean", "true")
    assert context["aws:RequestedRegion"] == ("string", EU)


@pytest.mark.usefixtures("aws_env")
def test_a_disagreement_on_the_wire_exits_3_and_json_has_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = demo_snapshot(tmp_path)
    with FakeIam("explicitDeny") as iam:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", iam.url)
        code = main([*CLI, "--snapshot", snapshot, "--verify", "--format", "json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 3
    assert out["verdict"]["outcome"] == "allowed"
    assert out["verify"]["status"] == "disagrees"
    assert out["verify"]["results"][0]["aws"] == "explicitDeny"
    assert out["verify"]["request"]["CallerArn"] == BILLING


@pytest.mark.usefixtures("aws_env")
def test_an_unreachable_endpoint_is_could_not_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    snapshot = demo_snapshot(tmp_path)
    with FakeIam("allowed") as iam:
        url = iam.url  # the port is free again once the server is closed
    monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", url)
    # One attempt: botocore's retries of a refused connection would only make the test slow.
    monkeypatch.setattr("sestui.aws.session.RETRIES", RETRIES.merge(Config(retries=ONCE)))
    code = main([*CLI, "--snapshot", snapshot, "--verify"])
    out = capsys.readouterr().out
    assert code == 0
    assert "? could not verify: cannot reach IAM" in out
    assert "(the verdict above stands)" in out


def test_verify_is_not_offered_with_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--all", "--region", EU, "--verify"]) == 2
    assert "not offered with --all" in capsys.readouterr().err


def test_the_demo_account_is_not_sent_to_aws(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CLI, "--demo", "--verify"]) == 0
    assert "could not verify: the demo account is not a real AWS account" in (
        capsys.readouterr().out
    )


def test_the_readme_shows_the_optional_simulate_permission() -> None:
    readme = (ROOT / "README.md").read_text()
    assert json.dumps(verify_policy(), indent=2) in readme
    policy = parse_policy(verify_policy(), PolicySource(PolicyKind.IDENTITY, "SestuiVerify"))
    request = Request.build(BILLING, "iam:SimulatePrincipalPolicy", BILLING)
    assert evaluate(request, PolicySet(identity=(policy,))).decision.allowed


def test_the_guard_lets_the_simulate_calls_through() -> None:
    model = botocore.session.get_session().get_service_model("iam")
    for name in ("SimulatePrincipalPolicy", "SimulateCustomPolicy"):
        refuse_writes(model=model.operation_model(name))  # raises if refused


@pytest.mark.parametrize(
    ("user", "expect"),
    [
        ("dev-sandbox", "AWS's permissions boundary decision differs from sestui's"),
        ("old-crm", "AWS says the SCPs allow, unlike the SCPs sestui read"),
    ],
)
def test_a_different_boundary_or_scp_decision_is_named(
    account: Account, user: str, expect: str
) -> None:
    a = analyze(account, Selection(user, EU, from_address="a@example.com"))
    allowed_all = {
        "EvaluationResults": [
            result(e.action, e.resource, "allowed", boundary=True) for e in a.evaluations
        ]
    }
    v = compare(a, build_request(a), allowed_all)
    assert v.status is VerifyStatus.DISAGREES
    assert expect in v.explanations
    if user == "old-crm":
        assert v.cells[0].local_reason.startswith("explicit Deny in service control policy")
        assert any(e.startswith("the SCPs test global condition keys") for e in v.explanations)


@pytest.mark.usefixtures("aws_env")
def test_explain_verify_keeps_the_denial_when_aws_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    denial = (
        f"554 Access denied: User `arn:aws:iam::{ACCT}:user/iam-user-name' is not authorized "
        f"to perform `ses:SendRawEmail' on resource `{BILLING_ID}'"
    )
    snapshot = demo_snapshot(tmp_path)
    with FakeIam("implicitDeny") as iam:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", iam.url)
        code = main(["explain", denial, "--snapshot", snapshot, "--verify"])
    out = capsys.readouterr().out
    assert code == 1
    assert "✓ AWS's simulator agrees: 1 of 1 action × resource decisions match (denied)" in out
    (form,) = iam.bodies
    assert form["PolicySourceArn"] == [f"arn:aws:iam::{ACCT}:user/iam-user-name"]
    assert form["ResourceArns.member.1"] == [BILLING_ID]


@pytest.mark.usefixtures("aws_env")
def test_no_credentials_is_could_not_verify(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup
    code = main([*CLI, "--snapshot", demo_snapshot(tmp_path), "--verify", "--format", "json"])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out)["verify"]["status"] == "unverified"
    assert "sestui: could not verify: no AWS credentials found" in captured.err


# -- cross-account: the simulator runs in the caller's account ---------------------------------

STS_IDENTITY = """<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::{account}:user/admin</Arn><UserId>AIDAEXAMPLE</UserId>
    <Account>{account}</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</GetCallerIdentityResponse>
"""

STS_ASSUMED = """<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleResult>
    <Credentials>
      <AccessKeyId>ASIAEXAMPLEASSUMED01</AccessKeyId>
      <SecretAccessKey>assumed-secret</SecretAccessKey>
      <SessionToken>assumed-token</SessionToken>
      <Expiration>2099-01-01T00:00:00Z</Expiration>
    </Credentials>
    <AssumedRoleUser>
      <Arn>{arn}</Arn><AssumedRoleId>AROAEXAMPLE:sestui-verify</AssumedRoleId>
    </AssumedRoleUser>
  </AssumeRoleResult>
  <ResponseMetadata><RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId></ResponseMetadata>
</AssumeRoleResponse>
"""

STS_DENIED = """<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error><Type>Sender</Type><Code>AccessDenied</Code>
  <Message>not authorized to perform: sts:AssumeRole</Message></Error>
  <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
</ErrorResponse>
"""


class FakeAws(_QueryEndpoint):
    """A local STS + IAM query endpoint: GetCallerIdentity answers `account`, AssumeRole answers
    or refuses, SimulatePrincipalPolicy answers `decision` for `resource` (the simulator's own
    cross-account logic is not modelled by moto: the answer is injected here)."""

    def __init__(self, account: str, decision: str, resource: str, assumable: bool) -> None:
        self.calls: list[tuple[str, dict[str, str], str]] = []
        self.account, self.decision, self.resource = account, decision, resource
        self.assumable = assumable
        super().__init__()

    def answer(self, form: dict[str, list[str]], authorization: str) -> tuple[int, str]:
        fields = {k: v[0] for k, v in form.items()}
        action = fields.get("Action", "")
        self.calls.append((action, fields, authorization))
        if action == "GetCallerIdentity":
            return 200, STS_IDENTITY.format(account=self.account)
        if action == "AssumeRole" and self.assumable:
            role = fields["RoleArn"]
            target = role.split(":")[4]
            name = role.rsplit("/", 1)[1]
            arn = f"arn:aws:sts::{target}:assumed-role/{name}/{fields['RoleSessionName']}"
            return 200, STS_ASSUMED.format(arn=arn)
        if action == "AssumeRole":
            return 403, STS_DENIED
        return 200, XML.format(resource=self.resource, decision=self.decision)

    def actions(self) -> list[str]:
        return [a for a, _, _ in self.calls]

    def simulation(self) -> dict[str, str]:
        (form,) = [f for a, f, _ in self.calls if a == "SimulatePrincipalPolicy"]
        return form


def _org_check(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    credentials_account: str,
    decision: str = "allowed",
    assumable: bool = True,
    extra: tuple[str, ...] = (),
) -> tuple[int, str, FakeAws]:
    from tests.orghelp import (
        CENTRAL,
        IDENTITY_ARN,
        REGION,
        WORKLOAD,
        central,
        delegates,
        grant,
        organization,
        user_arn,
        workload,
        write,
    )

    app = user_arn(WORKLOAD, "app")
    org = write(tmp_path / "org.json", organization(central(delegates(grant(app))), workload()))
    assert CENTRAL != WORKLOAD
    with FakeAws(credentials_account, decision, IDENTITY_ARN, assumable) as aws:
        monkeypatch.setenv("AWS_ENDPOINT_URL_IAM", aws.url)
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", aws.url)
        code = main(
            [
                "check",
                "--snapshot",
                org,
                "--user",
                app,
                "--region",
                REGION,
                "--identity",
                IDENTITY_ARN,
                "--via",
                "api-v1",
                "--verify",
                *extra,
            ]
        )
    return code, capsys.readouterr().out, aws


@pytest.mark.usefixtures("aws_env")
def test_cross_account_verify_assumes_the_role_in_the_callers_account_and_agrees(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.orghelp import CENTRAL, IDENTITY_ARN, WORKLOAD, user_arn

    code, out, aws = _org_check(
        tmp_path, monkeypatch, capsys, credentials_account=CENTRAL, extra=("--org-role", "Audit")
    )
    assert code == 0, out
    assert "✓ AWS's simulator agrees" in out
    assert aws.actions() == ["GetCallerIdentity", "AssumeRole", "SimulatePrincipalPolicy"]
    (assume,) = [f for a, f, _ in aws.calls if a == "AssumeRole"]
    assert assume["RoleArn"] == f"arn:aws:iam::{WORKLOAD}:role/Audit"
    # The simulation is signed with the assumed role's credentials, not the profile's.
    (auth,) = [h for a, _, h in aws.calls if a == "SimulatePrincipalPolicy"]
    assert "ASIAEXAMPLEASSUMED01" in auth
    form = aws.simulation()
    assert form["PolicySourceArn"] == user_arn(WORKLOAD, "app")
    assert form["CallerArn"] == user_arn(WORKLOAD, "app")
    assert form["ResourceArns.member.1"] == IDENTITY_ARN
    assert form["ResourceOwner"] == f"arn:aws:iam::{CENTRAL}:root"
    assert "Statement" in json.loads(form["ResourcePolicy"])  # the owner's policy


@pytest.mark.usefixtures("aws_env")
def test_cross_account_verify_disagreement_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.orghelp import CENTRAL

    code, out, _ = _org_check(
        tmp_path,
        monkeypatch,
        capsys,
        credentials_account=CENTRAL,
        decision="implicitDeny",
        extra=("--org-role", "Audit"),
    )
    assert code == 3, out
    assert "ALLOWED" in out


@pytest.mark.usefixtures("aws_env")
def test_credentials_already_in_the_callers_account_need_no_role(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.orghelp import WORKLOAD

    code, out, aws = _org_check(tmp_path, monkeypatch, capsys, credentials_account=WORKLOAD)
    assert code == 0, out
    assert aws.actions() == ["GetCallerIdentity", "SimulatePrincipalPolicy"]


@pytest.mark.usefixtures("aws_env")
def test_another_account_without_org_role_is_unverified_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.orghelp import CENTRAL, WORKLOAD

    code, out, aws = _org_check(tmp_path, monkeypatch, capsys, credentials_account=CENTRAL)
    assert code == 0, out  # the local verdict stands
    assert "could not verify" in out
    assert f"the credentials are account {CENTRAL}" in out
    assert f"in account {WORKLOAD}" in out and "--org-role" in out
    assert aws.actions() == ["GetCallerIdentity"]


@pytest.mark.usefixtures("aws_env")
def test_an_unassumable_role_is_unverified_never_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.orghelp import CENTRAL, WORKLOAD

    code, out, aws = _org_check(
        tmp_path,
        monkeypatch,
        capsys,
        credentials_account=CENTRAL,
        assumable=False,
        extra=("--org-role", "Audit"),
    )
    assert code == 0, out
    assert f"could not verify: cannot assume arn:aws:iam::{WORKLOAD}:role/Audit" in out
    assert "SimulatePrincipalPolicy" not in aws.actions()


def test_org_role_without_verify_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*CLI, "--demo", "--org-role", "Audit"]) == 2
    assert "--org-role is for --verify" in capsys.readouterr().err
    # explain takes it too (its --verify simulates the pasted send), with the same rule.
    pasted = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/eu-mailer' is not authorized to "
        "perform `ses:SendRawEmail' on resource `arn:aws:ses:eu-west-1:111122223333:identity/"
        "example.com'"
    )
    assert main(["explain", "--demo", pasted, "--org-role", "Audit"]) == 2
    assert "sestui explain: --org-role is for --verify" in capsys.readouterr().err
