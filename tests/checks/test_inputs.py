"""Issue 10 §3-§5, one row per rule: inputs parsed as people paste them or refused, paths that
can never deliver, and what a pasted error says. Each row names the AWS rule it follows."""

from __future__ import annotations

from typing import Any

import pytest

from sestui.account import Account, load_snapshot
from sestui.decide import Outcome, Selection, SelectionError, SendPath, Status, run
from sestui.demo import demo_path
from sestui.explain.resolve import send_form
from sestui.verdict.inputs import (
    FromHeader,
    IdentityArn,
    InputError,
    parse_action,
    parse_address,
    parse_from_header,
    parse_identity,
    parse_ip,
    parse_region,
    parse_time,
    session_name_of,
)
from tests.accounthelp import ACCT, FULL, REGION, account, allow, arn, doc

OTHER = "444455556666"


def demo_account() -> Account:
    return load_snapshot(demo_path())[0]


# -- §3 inputs: (function, input, expected result) ---------------------------------------------

PARSED: list[tuple[Any, str, object]] = [
    # RFC 5322 §3.4 name-addr: `display-name <addr-spec>`; SES matches the display name with
    # ses:FromDisplayName and the address with ses:FromAddress ("Control access: conditions").
    (
        parse_from_header,
        '"Billing" <billing@example.com>',
        FromHeader("billing@example.com", "Billing"),
    ),
    (
        parse_from_header,
        "Billing <billing@example.com>",
        FromHeader("billing@example.com", "Billing"),
    ),
    (
        parse_from_header,
        '"Billing, EU" <b@example.com>',
        FromHeader("b@example.com", "Billing, EU"),
    ),
    (parse_from_header, "<billing@example.com>", FromHeader("billing@example.com", None)),
    (parse_from_header, "  billing@example.com ", FromHeader("billing@example.com", None)),
    # RFC 2047 encoded words: SES sees the decoded display name.
    (
        parse_from_header,
        "=?utf-8?B?QmlsbGluZw==?= <b@example.com>",
        FromHeader("b@example.com", "Billing"),
    ),
    # Recipients are addresses (ses:Recipients holds the addresses of To, Cc and Bcc).
    (parse_address, "Bob <bob@example.org>", "bob@example.org"),
    # aws:CurrentTime is ISO 8601 (IAM "Date condition operators"); stored in UTC.
    (parse_time, "2026-03-01T12:00:00Z", "2026-03-01T12:00:00Z"),
    (parse_time, "2026-03-01T13:00:00+01:00", "2026-03-01T12:00:00Z"),
    (parse_time, "2026-03-01", "2026-03-01T00:00:00Z"),
    # aws:SourceIp is the requester's IPv4 or IPv6 address (IAM global condition keys).
    (parse_ip, "203.0.113.7", "203.0.113.7"),
    (parse_ip, "2001:DB8::1", "2001:db8::1"),
    # Actions are case-insensitive ("IAM JSON policy elements: Action"); the SES prefix is ses.
    (parse_action, "SES:sendrawemail", "ses:SendRawEmail"),
    (parse_action, "ses:SendBulkEmail", "ses:SendBulkEmail"),  # SES v2
    (parse_action, "ses:GetSendQuota", "ses:GetSendQuota"),  # a non-sending action
    # SES endpoints exist in these regions only ("Amazon SES endpoints and quotas").
    (parse_region, "eu-west-1", "eu-west-1"),
    (parse_region, "us-gov-west-1", "us-gov-west-1"),
    # A sending-authorization SourceArn names the owner's identity by ARN.
    (
        parse_identity,
        f"arn:aws:ses:eu-west-1:{OTHER}:identity/example.com",
        IdentityArn("aws", "eu-west-1", OTHER, "example.com"),
    ),
    (parse_identity, "example.com", "example.com"),
    # An assumed-role ARN is arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION (IAM identifiers).
    (session_name_of, f"arn:aws:sts::{ACCT}:assumed-role/app/i-0abc/x", "i-0abc/x"),
    (session_name_of, f"arn:aws:iam::{ACCT}:user/app", None),
]


@pytest.mark.parametrize(("fn", "text", "expected"), PARSED)
def test_inputs_are_parsed_as_pasted(fn: Any, text: str, expected: object) -> None:
    assert fn(text) == expected


REFUSED: list[tuple[Any, str, str]] = [
    # Anything that is not an address is refused, naming the flag.
    (parse_from_header, "foo", "--from: 'foo' is not an email address"),
    (parse_from_header, "Billing <billing>", "--from: 'billing' (in 'Billing <billing>')"),
    (parse_from_header, "billing@example.com (Billing)", "not an email address"),
    (parse_from_header, "a b@example.com", "not an email address"),
    (parse_from_header, "Bill <x>, Ann <a@example.com>", "needs quotes"),
    (parse_time, "yesterday", "--time: 'yesterday' is not an ISO-8601 time"),
    (parse_time, "2026-13-01T00:00:00Z", "is not an ISO-8601 time"),
    (parse_ip, "10.0.0.300", "--source-ip: '10.0.0.300' is not an IPv4 or IPv6 address"),
    (parse_ip, "10.0.0.0/8", "is not an IPv4 or IPv6 address"),  # a range is not a caller
    (parse_action, "ses:SendRawEmial", "(did you mean ses:SendRawEmail?)"),
    (parse_action, "SendRawEmail", "(did you mean ses:SendRawEmail?)"),
    (parse_action, "email:SendEmail", "(did you mean ses:SendEmail?)"),
    (parse_action, "s3:GetObject", "--action: 's3:GetObject' is not an SES action"),
    (parse_action, "ses:Send*", "is not an SES action"),  # a request names one action
    (parse_region, "eu-wst-1", "(did you mean eu-west-1?)"),
    (parse_region, "mars-north-1", "--region: 'mars-north-1' is not a region where SES sends"),
    (parse_identity, "arn:aws:ses:eu-west-1:1:identity/x.com", "is not an SES identity ARN"),
    (parse_identity, f"arn:aws:ses:eu-wst-1:{OTHER}:identity/x.com", "(its region)"),
    (parse_identity, "not an identity", "is not an email address, a domain or an identity ARN"),
]


@pytest.mark.parametrize(("fn", "text", "message"), REFUSED)
def test_inputs_aws_could_not_receive_are_refused(fn: Any, text: str, message: str) -> None:
    with pytest.raises(InputError, match=None) as exc:
        fn(text)
    assert message in str(exc.value)


# -- §3-§4 verdicts: one row per rule ----------------------------------------------------------

TEMPLATE_ANY = doc(allow(["ses:SendTemplatedEmail"], "*"))
TEMPLATE_IDENTITY_ONLY = doc(allow(["ses:SendTemplatedEmail"], arn("identity", "example.com")))
TEMPLATE_NAMED = doc(
    allow(
        ["ses:SendTemplatedEmail"],
        [arn("identity", "example.com"), arn("template", "welcome-*")],
    )
)


def _verdict(acct: Account, **sel: Any) -> Any:
    return run(acct, Selection("app", REGION, **({"from_address": "app@example.com"} | sel)))


VERDICTS: list[tuple[str, Account, dict[str, Any], Outcome, str]] = [
    # SendTemplatedEmail authorizes identity* and template* ("Actions defined by Amazon SES"):
    # without the template the decision is open while some template could be allowed...
    (
        "templated, no template, some allowed",
        account(inline=[TEMPLATE_ANY]),
        {"actions": ("ses:SendTemplatedEmail",)},
        Outcome.UNDECIDED,
        "no template given: ses:SendTemplatedEmail",
    ),
    (
        "templated, no template, a named family allowed",
        account(inline=[TEMPLATE_NAMED]),
        {"actions": ("ses:SendTemplatedEmail",)},
        Outcome.UNDECIDED,
        "no template given",
    ),
    # ... and denied when no statement could allow any template ARN.
    (
        "templated, no template, none allowed",
        account(inline=[TEMPLATE_IDENTITY_ONLY]),
        {"actions": ("ses:SendTemplatedEmail",)},
        Outcome.DENIED,
        "no policy allows it on any template",
    ),
    # SES answers TemplateDoesNotExist for a template the region does not have.
    (
        "templated, template named but not in the region",
        account(inline=[TEMPLATE_NAMED]),
        {"actions": ("ses:SendTemplatedEmail",), "template": "welcome-1"},
        Outcome.DENIED,
        "template welcome-1 does not exist in eu-west-1",
    ),
    (
        "templated, template named and allowed",
        account(inline=[TEMPLATE_NAMED], templates=["welcome-1"]),
        {"actions": ("ses:SendTemplatedEmail",), "template": "welcome-1"},
        Outcome.ALLOWED,
        "may send",
    ),
    # In the sandbox, "you can only send mail to verified email addresses and domains" and SES
    # answers "Email address is not verified" naming them ("Request production access").
    (
        "sandbox, unverified recipient",
        account(inline=[FULL], sandbox=True),
        {"recipients": ("team@example.com", "someone@gmail.com")},
        Outcome.DENIED,
        "someone@gmail.com is not verified in eu-west-1",
    ),
    (
        "sandbox, mailbox simulator recipient",
        account(inline=[FULL], sandbox=True),
        {"recipients": ("bounce@simulator.amazonses.com",)},
        Outcome.ALLOWED,
        "may send",
    ),
    (
        "sandbox, no recipients given",
        account(inline=[FULL], sandbox=True),
        {},
        Outcome.ALLOWED,
        "may send",
    ),
    (
        "production, unverified recipient",
        account(inline=[FULL], sandbox=False),
        {"recipients": ("someone@gmail.com",)},
        Outcome.ALLOWED,
        "may send",
    ),
    # Sending authorization: a delegate sender needs the owner's identity policy AND its own
    # IAM policy ("Sending authorization overview"; cross-account evaluation needs both).
    (
        "delegate send, caller allows, owner unread",
        account(inline=[FULL]),
        {"identity": f"arn:aws:ses:{REGION}:{OTHER}:identity/example.com", "from_address": None},
        Outcome.UNDECIDED,
        f"(account {OTHER}) was not read",
    ),
    (
        "delegate send, caller's own policy denies",
        account(inline=[doc(allow("ses:SendRawEmail", arn("identity", "example.com")))]),
        {"identity": f"arn:aws:ses:{REGION}:{OTHER}:identity/example.com", "from_address": None},
        Outcome.DENIED,
        "not allowed by the identity policy",
    ),
    # The loaded account's own identity ARN is simply that identity.
    (
        "own identity ARN",
        account(inline=[FULL]),
        {"identity": f"arn:aws:ses:{REGION}:{ACCT}:identity/example.com", "from_address": None},
        Outcome.ALLOWED,
        "may send as identity/example.com",
    ),
]


@pytest.mark.parametrize(
    ("name", "acct", "sel", "outcome", "text"), VERDICTS, ids=[v[0] for v in VERDICTS]
)
def test_verdict_rules(
    name: str, acct: Account, sel: dict[str, Any], outcome: Outcome, text: str
) -> None:
    v = _verdict(acct, **sel)
    assert v.outcome is outcome, v.summary
    assert text in v.summary + " ".join(v.reasons)


def test_unverified_recipient_text_is_ses_text() -> None:
    v = _verdict(account(inline=[FULL], sandbox=True), recipients=("a@gmail.com", "b@gmail.com"))
    assert v.error_text == (
        "554 Message rejected: Email address is not verified. The following identities failed "
        "the check in region EU-WEST-1: a@gmail.com, b@gmail.com"
    )
    assert v.check("sandbox").status is Status.FAIL
    # An unverified From is named in the same message.
    v = _verdict(
        account(inline=[FULL], sandbox=True),
        from_address="x@example.org",
        recipients=("a@gmail.com",),
    )
    assert v.error_text is not None and v.error_text.endswith(": x@example.org, a@gmail.com")


def test_delegate_send_never_builds_an_identity_of_an_arn() -> None:
    owner = f"arn:aws:ses:{REGION}:{OTHER}:identity/example.com"
    v = _verdict(account(inline=[FULL]), identity=owner, from_address=None)
    assert v.identity_arn == owner
    assert all("identity/arn:" not in e.resource for e in v.evaluations)
    assert v.check("sending-authorization").status is Status.UNKNOWN
    assert v.check("verification").status is Status.UNKNOWN
    # The ARN's region must be the send's: SES authorizes the identity of that region.
    with pytest.raises(SelectionError, match="is in us-east-1"):
        _verdict(
            account(inline=[FULL]),
            identity=f"arn:aws:ses:us-east-1:{OTHER}:identity/example.com",
            from_address=None,
        )


def test_role_over_smtp_can_never_deliver() -> None:
    # "SMTP credentials ... are derived from an IAM user's secret access key"; temporary (role)
    # credentials cannot be used: SES refuses the login with 535, before any policy is read.
    acct = demo_account()
    v = run(acct, Selection("order-notifier", "eu-west-1", identity="example.com", role=True))
    assert v.outcome is Outcome.DENIED
    assert v.error_text == "535 Authentication Credentials Invalid"
    assert "use an IAM user's SMTP credentials or send through the API" in " ".join(v.reasons)
    assert v.check("smtp-credentials").status is Status.FAIL
    api = Selection(
        "order-notifier",
        "eu-west-1",
        identity="example.com",
        role=True,
        path=SendPath.API_V1,
        actions=("ses:SendEmail",),
    )
    assert run(acct, api).outcome is Outcome.ALLOWED  # the same role may send through the API


def test_verification_names_only_regions_where_the_identity_itself_is_verified() -> None:
    # Identities are per region and per name ("Creating and verifying identities"): a parent
    # domain verified in eu-central-1 does not make marketing.example.com verified there.
    v = run(demo_account(), Selection("ops-admin", "eu-west-1", identity="marketing.example.com"))
    text = v.check("verification").explanation
    assert "It is verified in us-east-1:" in text and "eu-central-1" not in text
    # An address is verified wherever an identity covering it is.
    v = run(demo_account(), Selection("ops-admin", "us-west-2", from_address="a@example.com"))
    assert "It is verified in eu-central-1, eu-west-1, us-east-1:" in (
        v.check("verification").explanation
    )


def test_assumed_role_session_name_is_kept() -> None:
    session = "arn:aws:sts::111122223333:assumed-role/order-notifier/i-0abc123"
    sel = Selection(
        session,
        "eu-west-1",
        identity="billing@example.com",
        path=SendPath.API_V1,
        actions=("ses:SendEmail",),
        session_name="i-0abc123",
    )
    v = run(demo_account(), sel)
    assert v.error_text is not None and f"User: {session} is not authorized" in v.error_text


# -- §5 the send path a pasted error came from -------------------------------------------------

FORMS: list[tuple[str, SendPath]] = [
    # An SMTP reply starts with its code (RFC 5321 §4.2); SES's is 554.
    ("554 Access denied: User `arn:aws:iam::1:user/u' is not authorized", SendPath.SMTP),
    ("smtplib.SMTPDataError: (554, b'Access denied: User `arn:aws:iam::1:user/u'')", SendPath.SMTP),
    # SES v1 is a Query API: its error code is AccessDenied ("SES API v1 Common Errors").
    (
        "An error occurred (AccessDenied) when calling the SendEmail operation: User: arn",
        SendPath.API_V1,
    ),
    (
        "An error occurred (AccessDenied) when calling the SendRawEmail operation: User: x",
        SendPath.API_V1,
    ),
    # SES v2 is a REST-JSON API: AccessDeniedException ("SES API v2 Common Errors").
    (
        "An error occurred (AccessDeniedException) when calling the SendEmail operation: User:",
        SendPath.API_V2,
    ),
    ("AccessDeniedException: User: arn:aws:iam::1:user/u is not authorized", SendPath.API_V2),
    ("User: arn:aws:iam::1:user/u is not authorized to perform: ses:SendEmail", SendPath.API_V1),
]


@pytest.mark.parametrize(("text", "path"), FORMS)
def test_send_path_comes_from_the_message(text: str, path: SendPath) -> None:
    form = send_form(text)
    assert form.path is path
    assert form.reason  # always stated
