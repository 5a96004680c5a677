"""Every failure mode of the demo account, through the same `run` the TUI and CLI use."""

from __future__ import annotations

import pytest

from sestui.account import Account, load_snapshot
from sestui.decide import Outcome, Selection, SendPath, Status, run
from sestui.decide.decision import CHECK_IDS
from sestui.demo import demo_path


@pytest.fixture(scope="module")
def demo() -> Account:
    return load_snapshot(demo_path())[0]


CASES = [
    # (principal, region, From, path, outcome, failing checks, warning checks)
    (
        "iam-user-name",
        "eu-west-1",
        "info@example.com",
        SendPath.SMTP,
        Outcome.ALLOWED,
        set(),
        set(),
    ),
    (
        "iam-user-name",
        "eu-west-1",
        "billing@example.com",
        SendPath.SMTP,
        Outcome.DENIED,
        {"identity-policy", "identity-resolution"},
        set(),
    ),
    (
        "reporting",
        "eu-west-1",
        "info@example.com",
        SendPath.SMTP,
        Outcome.DENIED,
        {"identity-policy"},
        set(),
    ),
    (
        "eu-mailer",
        "eu-west-1",
        "info@example.com",
        SendPath.API_V2,
        Outcome.DENIED,
        {"identity-policy", "identity-resolution"},
        set(),
    ),
    (
        "billing-app",
        "eu-west-1",
        "billing@example.com",
        SendPath.API_V1,
        Outcome.ALLOWED,
        set(),
        {"non-sending-resource"},
    ),
    (
        "contractor",
        "eu-west-1",
        "ops@partner.example.net",
        SendPath.API_V1,
        Outcome.DENIED,
        {"sending-authorization"},
        set(),
    ),
    (
        "old-crm",
        "eu-west-1",
        "info@example.com",
        SendPath.API_V1,
        Outcome.DENIED,
        {"scp", "conditions"},
        set(),
    ),
    (
        "ops-admin",
        "eu-central-1",
        "info@example.com",
        SendPath.API_V1,
        Outcome.DENIED,
        {"scp", "conditions"},
        set(),
    ),
    (
        "dev-sandbox",
        "eu-west-1",
        "info@example.com",
        SendPath.API_V1,
        Outcome.DENIED,
        {"permissions-boundary"},
        set(),
    ),
    (
        "newsletter",
        "eu-west-1",
        "hello@news.example.com",
        SendPath.SMTP,
        Outcome.DENIED,
        {"identity-policy", "resources"},
        set(),
    ),
    (
        "support-desk",
        "eu-west-1",
        "info@example.com",
        SendPath.API_V1,
        Outcome.DENIED,
        {"identity-policy", "conditions"},
        set(),
    ),
    (
        "support-desk",
        "eu-west-1",
        "support@example.com",
        SendPath.API_V1,
        Outcome.ALLOWED,
        set(),
        set(),
    ),
    (
        "smtp-wordpress",
        "eu-west-1",
        "info@example.com",
        SendPath.SMTP,
        Outcome.ALLOWED,
        set(),
        {"smtp-credentials"},
    ),
    (
        "order-notifier",
        "eu-west-1",
        "info@example.com",
        SendPath.API_V2,
        Outcome.DENIED,
        {"identity-policy"},
        set(),
    ),
    (
        "marketing-app",
        "eu-west-1",
        "info@example.com",
        SendPath.SMTP,
        Outcome.ALLOWED,
        set(),
        set(),
    ),
    # The group policy names eu-west-1 identities; this send goes through us-east-1.
    (
        "marketing-app",
        "us-east-1",
        "alerts@example.com",
        SendPath.API_V1,
        Outcome.DENIED,
        {"identity-policy", "identity-resolution"},
        {"sandbox"},
    ),
    (
        "ops-admin",
        "eu-west-1",
        "x@example.org",
        SendPath.API_V1,
        Outcome.DENIED,
        {"verification"},
        {"identity-resolution"},
    ),
]


@pytest.mark.parametrize(
    ("principal", "region", "sender", "path", "outcome", "fails", "warns"),
    CASES,
    ids=[f"{c[0]}-{c[2]}-{c[1]}" for c in CASES],
)
def test_demo_failure_modes(
    demo: Account,
    principal: str,
    region: str,
    sender: str,
    path: SendPath,
    outcome: Outcome,
    fails: set[str],
    warns: set[str],
) -> None:
    verdict = run(demo, Selection(principal, region, from_address=sender, path=path))
    assert verdict.outcome is outcome, verdict.summary
    assert [c.check_id for c in verdict.checks] == list(CHECK_IDS)
    failing = {c.check_id for c in verdict.checks if c.status is Status.FAIL}
    warning = {c.check_id for c in verdict.checks if c.status is Status.WARN}
    assert failing == fails
    assert warns <= warning
    if outcome is Outcome.DENIED:
        assert verdict.error_text
    else:
        assert verdict.error_text is None


def test_the_article_scenario_marks_the_domain_only_statement(demo: Account) -> None:
    v = run(demo, Selection("iam-user-name", "eu-west-1", from_address="billing@example.com"))
    assert v.error_text == (
        "554 Access denied: User `arn:aws:iam::111122223333:user/iam-user-name' is not "
        "authorized to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com'"
    )
    (finding,) = v.check("identity-resolution").findings
    assert finding.statement == 1 and finding.lines is not None
    assert finding.document is not None and finding.document.source.name == (
        "AllowSendingFromExampleCom"
    )
    text = finding.document.policy.text.split("\n")
    assert "identity/example.com" in "\n".join(text[finding.lines.first - 1 : finding.lines.last])
    assert "billing@example.com is verified as an identity of its own" in finding.reason


def test_api_error_texts_name_the_cause(demo: Account) -> None:
    v1 = run(
        demo,
        Selection("reporting", "eu-west-1", from_address="a@example.com", path=SendPath.API_V1),
    )
    assert v1.error_text == (
        "An error occurred (AccessDenied) when calling the SendRawEmail operation: User: "
        "arn:aws:iam::111122223333:user/reporting is not authorized to perform: "
        "ses:SendRawEmail on resource: arn:aws:ses:eu-west-1:111122223333:identity/example.com "
        "because no identity-based policy allows the ses:SendRawEmail action"
    )
    v2 = run(
        demo,
        Selection(
            "old-crm",
            "eu-west-1",
            from_address="a@example.com",
            path=SendPath.API_V2,
            actions=("ses:SendEmail",),
        ),
    )
    assert v2.error_text is not None
    assert v2.error_text.startswith(
        "An error occurred (AccessDeniedException) when calling the "
        "SendEmail operation: User: arn:aws:iam::111122223333:user/"
        "legacy/old-crm"
    )
    assert v2.error_text.endswith("with an explicit deny in a service control policy")


def test_role_is_checked_as_a_session_and_other_sending_actions_are_pointed_out(
    demo: Account,
) -> None:
    v = run(
        demo,
        Selection(
            "order-notifier",
            "eu-west-1",
            from_address="a@example.com",
            path=SendPath.API_V2,
            role=True,
        ),
    )
    assert "assumed-role/order-notifier/" in (v.error_text or "")
    reasons = [f.reason for f in v.check("identity-policy").findings]
    assert any(
        "allows ses:SendEmail" in r and "authorized as ses:SendRawEmail" in r for r in reasons
    )
    ok = run(
        demo,
        Selection(
            "order-notifier",
            "eu-west-1",
            from_address="a@example.com",
            path=SendPath.API_V2,
            actions=("ses:SendEmail",),
            role=True,
        ),
    )
    assert ok.outcome is Outcome.ALLOWED


def test_missing_request_value_makes_the_verdict_undecided_and_names_the_key(
    demo: Account,
) -> None:
    v = run(demo, Selection("support-desk", "eu-west-1", identity="example.com"))
    assert v.outcome is Outcome.UNDECIDED
    assert v.missing_keys == ("ses:fromaddress",)
    cond = v.check("conditions")
    assert cond.status is Status.UNKNOWN and cond.missing_keys == ("ses:fromaddress",)


def test_smtp_key_used_in_another_region_warns_but_does_not_change_the_verdict(
    demo: Account,
) -> None:
    v = run(demo, Selection("smtp-wordpress", "eu-west-1", from_address="wp@example.com"))
    smtp = v.check("smtp-credentials")
    assert smtp.status is Status.WARN and "us-east-1" in smtp.summary
    assert v.outcome is Outcome.ALLOWED
    api = run(
        demo,
        Selection(
            "smtp-wordpress", "eu-west-1", from_address="wp@example.com", path=SendPath.API_V1
        ),
    )
    assert api.check("smtp-credentials").status is Status.NA


def test_templated_send_checks_the_template_and_default_configuration_set(demo: Account) -> None:
    v = run(
        demo,
        Selection(
            "marketing-app",
            "eu-west-1",
            from_address="n@news.example.com",
            actions=("ses:SendTemplatedEmail",),
            template="order-confirmation",
        ),
    )
    kinds = {(e.resource_type, e.resource.rsplit("/", 1)[-1]) for e in v.evaluations}
    assert kinds == {
        ("identity", "news.example.com"),
        ("configuration-set", "newsletter-tracking"),
        ("template", "order-confirmation"),
    }
    assert v.outcome is Outcome.ALLOWED
    assert v.check("resources").status is Status.PASS
    assert "default configuration set" in v.check("resources").explanation


def test_a_statement_that_allows_the_identity_but_not_the_set_is_one_near_miss(
    demo: Account,
) -> None:
    # NewsOnly allows news.example.com, not its default configuration set: each check says so
    # once for that statement (what it allows and what it does not), not an allow and a miss.
    v = run(demo, Selection("newsletter", "eu-west-1", identity="news.example.com"))
    assert v.outcome is Outcome.DENIED
    identity = v.check("identity-policy").findings
    assert [(f.statement, f.reason) for f in identity] == [
        (
            0,
            "allows ses:SendRawEmail on identity/news.example.com, but its Resource does not "
            "cover configuration-set/newsletter-tracking",
        )
    ]
    resources = v.check("resources")
    assert [(f.statement, f.reason) for f in resources.findings] == [
        (
            0,
            "allows ses:SendRawEmail on identity/news.example.com, but not on "
            "configuration-set/newsletter-tracking",
        )
    ]
    # The fix still extends that statement.
    assert resources.fix is not None and "statement that allows the identity" in resources.fix.title


def test_a_condition_on_an_unset_key_says_the_key_is_unset(demo: Account) -> None:
    # support-desk may send only From support@example.com: with no From, the condition did not
    # fail on a value the request holds, and the finding says so; with another From, it failed.
    unset = run(demo, Selection("support-desk", "eu-west-1", identity="example.com"))
    assert unset.outcome is Outcome.UNDECIDED
    (near,) = [f for f in unset.check("identity-policy").findings if "only if" in f.reason]
    assert near.reason.endswith(
        "only if: StringEquals ses:FromAddress (the request leaves ses:FromAddress unset)"
    )
    other = run(demo, Selection("support-desk", "eu-west-1", from_address="x@example.com"))
    assert other.outcome is Outcome.DENIED
    (near,) = [f for f in other.check("identity-policy").findings if "only if" in f.reason]
    assert near.reason.endswith("only if: condition not met (StringEquals ses:FromAddress)")


def test_a_named_set_that_does_not_exist_is_said_before_any_policy_fix(demo: Account) -> None:
    # newsletter's policies do not allow configuration-set/marketing, which eu-west-1 lacks:
    # extending the policy to it cannot help (SES would answer that the set does not exist).
    v = run(
        demo,
        Selection(
            "newsletter", "eu-west-1", identity="news.example.com", configuration_set="marketing"
        ),
    )
    assert v.outcome is Outcome.DENIED
    resources = v.check("resources")
    assert resources.status is Status.FAIL and resources.fix is None
    assert resources.summary.startswith("configuration set marketing does not exist in eu-west-1")
    assert "create it in eu-west-1 or send without it" in resources.explanation
    assert any("but not on configuration-set/marketing" in f.reason for f in resources.findings)
