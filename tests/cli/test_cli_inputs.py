"""Issue 10 §3-§5 through the command line: exit codes (0 allowed, 1 AWS would refuse, 2 bad
input, 3 undecided), never a traceback, never a verdict for an input AWS could not receive."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from sestui.cli import build_parser, main, selection_from
from sestui.decide import SendPath
from sestui.demo import demo_path

EU = ["check", "--demo", "--region", "eu-west-1"]
US = ["check", "--demo", "--region", "us-east-1"]  # the demo's us-east-1 is in the sandbox
OWNER = "arn:aws:ses:eu-west-1:444455556666:identity/example.com"
V2_DENIAL = (
    "An error occurred (AccessDeniedException) when calling the SendEmail operation: User: "
    "arn:aws:iam::111122223333:user/iam-user-name is not authorized to perform: ses:SendEmail "
    "on resource: arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com"
)
ROLE_DENIAL = (
    "An error occurred (AccessDenied) when calling the SendEmail operation: User: "
    "arn:aws:sts::111122223333:assumed-role/order-notifier/i-0abc123 is not authorized to "
    "perform: ses:SendEmail on resource: "
    "arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com"
)


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


# (name, argv, exit code, text expected in stdout)
SENDS: list[tuple[str, list[str], int, str]] = [
    # SendTemplatedEmail authorizes a template resource too ("Actions defined by Amazon SES").
    (
        "templated without --template",
        [
            *EU,
            "--user",
            "marketing-app",
            "--from",
            "info@example.com",
            "--via",
            "api-v1",
            "--action",
            "ses:SendTemplatedEmail",
        ],
        3,
        "no template given: ses:SendTemplatedEmail also authorizes the template resource",
    ),
    (
        "templated with --template",
        [
            *EU,
            "--user",
            "marketing-app",
            "--from",
            "info@example.com",
            "--via",
            "api-v1",
            "--action",
            "ses:SendTemplatedEmail",
            "--template",
            "order-confirmation",
        ],
        0,
        "ALLOWED",
    ),
    (
        "templated with a template the region lacks",
        [
            *EU,
            "--user",
            "marketing-app",
            "--from",
            "info@example.com",
            "--via",
            "api-v1",
            "--action",
            "ses:SendTemplatedEmail",
            "--template",
            "welcome",
        ],
        1,
        "DENIED  template welcome does not exist in eu-west-1",
    ),
    # A From header as pasted (RFC 5322 name-addr).
    (
        "header-style From, quoted",
        [*EU, "--user", "iam-user-name", "--from", '"Billing" <billing@example.com>'],
        1,
        'From "Billing" <billing@example.com>',
    ),
    (
        "header-style From, bare name",
        [*EU, "--user", "iam-user-name", "--from", "Info Desk <info@example.com>"],
        0,
        'From "Info Desk" <info@example.com>',
    ),
    # Sending authorization: a delegate needs its own policy and the owner's identity policy.
    (
        "another account's identity ARN, caller allows",
        [*EU, "--user", "ops-admin", "--identity", OWNER],
        3,
        "the sending-authorization policy of " + OWNER + " (account 444455556666) was not read",
    ),
    (
        "another account's identity ARN, caller's policy does not cover it",
        [*EU, "--user", "iam-user-name", "--identity", OWNER],
        1,
        "identity/example.com",
    ),
    # SMTP credentials come only from an IAM user's access key ("Obtaining SMTP credentials").
    (
        "role over SMTP",
        [*EU, "--role", "order-notifier", "--from", "info@example.com"],
        1,
        "535 Authentication Credentials Invalid",
    ),
    (
        "role over the API",
        [
            *EU,
            "--role",
            "order-notifier",
            "--from",
            "info@example.com",
            "--via",
            "api-v1",
            "--action",
            "ses:SendEmail",
        ],
        0,
        "ALLOWED",
    ),
    # Sandbox: recipients must be verified ("Request production access").
    (
        "sandbox, unverified recipient",
        [
            *US,
            "--user",
            "ops-admin",
            "--from",
            "alerts@example.com",
            "--recipient",
            "Ann <ann@gmail.com>",
            "--recipient",
            "ops@example.com",
        ],
        1,
        "554 Message rejected: Email address is not verified. The following identities failed "
        "the check in region US-EAST-1: ann@gmail.com",
    ),
    (
        "sandbox, no recipients given",
        [*US, "--user", "ops-admin", "--from", "alerts@example.com"],
        0,
        "! sandbox",
    ),
]


@pytest.mark.parametrize(("name", "argv", "code", "text"), SENDS, ids=[s[0] for s in SENDS])
def test_send_exit_codes(
    name: str, argv: list[str], code: int, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    got, out, err = run(argv, capsys)
    assert (got, err) == (code, "")
    assert text in out


def test_role_over_smtp_names_the_fix(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([*EU, "--role", "order-notifier", "--from", "info@example.com"], capsys)
    assert out.startswith("DENIED  order-notifier is a role: SMTP authenticates only")
    assert "use an IAM user's SMTP credentials or send through the API" in out


def test_header_from_sets_the_display_name() -> None:
    args = build_parser().parse_args([*EU, "--user", "u", "--from", '"Billing" <b@example.com>'])
    sel = selection_from(args)
    assert (sel.from_address, sel.display_name) == ("b@example.com", "Billing")


# (argv, message in stderr): bad input exits 2 naming the flag, and prints no verdict.
BAD: list[tuple[list[str], str]] = [
    ([*EU, "--user", "u", "--from", "foo"], "--from: 'foo' is not an email address"),
    ([*EU, "--user", "u", "--from", "Billing <billing>"], "is not an email address"),
    ([*EU, "--user", "u", "--from", "a@example.com", "--time", "noon"], "--time: 'noon'"),
    ([*EU, "--user", "u", "--from", "a@example.com", "--source-ip", "1.2.3"], "--source-ip"),
    (
        [*EU, "--user", "u", "--from", "a@example.com", "--action", "ses:SendRawEmial"],
        "did you mean ses:SendRawEmail?",
    ),
    (
        ["check", "--demo", "--region", "eu-wst-1", "--user", "u", "--from", "a@example.com"],
        "--region: 'eu-wst-1' is not a region where SES sends (did you mean eu-west-1?)",
    ),
    ([*EU, "--user", "u", "--from", "a@example.com", "--recipient", "bob"], "--recipient: 'bob'"),
    (
        ["check", "--demo", "--region", "", "--user", "u", "--from", "a@example.com"],
        "--region: '' is not a region where SES sends",
    ),
    ([*EU, "--user", "u", "--identity", "arn:aws:ses:eu-west-1:1:x"], "not an SES identity ARN"),
    (
        [*EU, "--user", "ops-admin", "--identity", OWNER.replace("eu-west-1", "us-east-1")],
        "is in us-east-1, but the send is in eu-west-1",
    ),
    (
        [*EU, "--user", "u", "--from", '"A" <a@example.com>', "--display-name", "B"],
        "--from names the display name 'A', but --display-name says 'B'",
    ),
    (["explain", "--demo", V2_DENIAL, "--time", "later"], "--time: 'later'"),
    (
        [*EU, "--user", "u", "--from", "a@example.com", "--template", "my template"],
        "--template: 'my template' is not an SES name",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD)
def test_bad_input_exits_2_without_a_verdict(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert message in err


def test_bad_input_never_tracebacks() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "sestui.cli",
            *EU,
            "--user",
            "u",
            "--from",
            "a@b.c",
            "--action",
            "ses:SendRawEmial",
            "--time",
            "x",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and proc.stdout == ""


def test_tui_start_flags_are_refused_before_it_opens(capsys: pytest.CaptureFixture[str]) -> None:
    # Returns without running the app: a TUI started here would hang the test.
    assert main(["--demo", "--region", "eu-wst-1"]) == 2
    assert "--region: 'eu-wst-1'" in capsys.readouterr().err
    assert main(["--demo", "--from", "not-an-address"]) == 2
    assert "--from: 'not-an-address' is not an email address" in capsys.readouterr().err


# -- explain keeps what the message says --------------------------------------------------------


def test_explain_api_v2_access_denied(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "--demo", V2_DENIAL], capsys)
    assert code == 1
    assert "Send path: the API, v2" in out and " · api-v2 · " in out
    assert "An error occurred (AccessDeniedException) when calling the SendEmail operation" in out
    # --via overrides only when given.
    code, out, _ = run(["explain", "--demo", V2_DENIAL, "--via", "api-v1"], capsys)
    assert code == 1 and "Send path: --via api-v1" in out
    assert "An error occurred (AccessDenied) when calling the SendEmail operation" in out
    # ...but never into a send AWS could not have received: SendEmail is no SMTP command.
    code, out, err = run(["explain", "--demo", V2_DENIAL, "--via", "smtp"], capsys)
    assert code == 2 and "over SMTP every send is ses:SendRawEmail" in err


def test_explain_smtp_and_v1_forms(capsys: pytest.CaptureFixture[str]) -> None:
    smtp = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/iam-user-name' is not "
        "authorized to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com'"
    )
    code, out, _ = run(["explain", "--demo", smtp], capsys)
    assert code == 1 and " · smtp · " in out
    v1 = V2_DENIAL.replace("(AccessDeniedException)", "(AccessDenied)")
    code, out, _ = run(["explain", "--demo", v1], capsys)
    assert code == 1 and "Send path: the API, v1" in out
    assert "An error occurred (AccessDenied) when calling the SendEmail operation" in out


def test_explain_keeps_the_session_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["explain", "--demo", ROLE_DENIAL], capsys)
    assert code == 1
    assert "User: arn:aws:sts::111122223333:assumed-role/order-notifier/i-0abc123 is not" in out
    assert "assumed-role/order-notifier/session" not in out


def test_explain_denied_but_everything_allows_is_undecided(
    capsys: pytest.CaptureFixture[str],
) -> None:
    allowed = ROLE_DENIAL.replace("identity/billing@example.com", "identity/example.com")
    code, out, _ = run(["explain", "--demo", allowed], capsys)
    assert code == 3
    assert out.split("\n")[3].startswith("UNDECIDED  the error says denied, but every policy")
    for unseen in ("session policies passed at AssumeRole", "VPC endpoint policy", "demo"):
        assert unseen in out


def test_explain_access_denied_where_the_account_refuses_with_another_error_is_undecided(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # contractor's policies allow news.example.com everywhere, but it is an identity of
    # eu-west-1 only: as read, SES would answer "not verified" in us-east-1, never "Access
    # denied". A pasted access denial there comes from what sestui cannot see.
    text = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/external/contractor' is not "
        "authorized to perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:us-east-1:111122223333:identity/news.example.com'"
    )
    code, out, _ = run(["explain", "--demo", text], capsys)
    assert code == 3
    head = out.split("\n")[3]
    assert head.startswith("UNDECIDED  the error says denied, but every policy sestui read allows")
    assert "another error: news.example.com is not verified in us-east-1" in head
    assert "Email address is not verified" in out  # what the account as read would answer
    assert "  if AWS refuses it, it answers:\n" in out and "AWS would answer" not in out
    # Pasted as the "not verified" it would be, it is that refusal.
    verified = (
        "554 Message rejected: Email address is not verified. The following identities failed "
        "the check in region US-EAST-1: news.example.com"
    )
    code, out, _ = run(["explain", "--demo", verified], capsys)
    assert code in (1, 2) and "UNDECIDED" not in out


def test_explain_cross_account_identity_is_a_delegate_send(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = V2_DENIAL.replace(
        "arn:aws:ses:eu-west-1:111122223333:identity/billing@example.com", OWNER
    ).replace("user/iam-user-name", "user/ops-admin")
    code, out, err = run(["explain", "--demo", text], capsys)
    assert (code, err) == (3, "")
    assert "(account 444455556666) was not read" in out
    assert "identity/arn:" not in out


def test_explain_send_form_is_not_confused_by_numbers() -> None:
    # An account ID holding 554 is no SMTP reply.
    text = V2_DENIAL.replace("(AccessDeniedException) when calling the SendEmail operation", "")
    from sestui.explain.resolve import send_form

    assert send_form(text.replace("111122223333", "111155422333")).path is SendPath.API_V1


# The SMTP interface is authorized as ses:SendRawEmail only ("Controlling access to Amazon SES":
# SMTP uses version 2 of SendRawEmail): another action over SMTP is a send AWS never receives.
@pytest.mark.parametrize("action", ["ses:SendTemplatedEmail", "ses:SendEmail", "ses:GetSendQuota"])
def test_api_actions_over_smtp_are_refused(action: str, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--demo", "--user", "ops-admin", "--region", "eu-west-1",
            "--from", "news@news.example.com", "--action", action, "--template", "t"]  # fmt: skip
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    assert f"--action: {action} is an API call; over SMTP every send is ses:SendRawEmail" in err
    code, _, _ = run([*argv, "--via", "api-v1"], capsys)
    assert code in (0, 1, 3)


def test_a_header_style_from_shows_its_display_name(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "--demo", "--user", "iam-user-name", "--region", "eu-west-1",
            "--from", "Billing <billing@example.com>"]  # fmt: skip
    _, out, _ = run(argv, capsys)
    assert 'From "Billing" <billing@example.com>' in out
    _, out, _ = run([*argv, "--format", "json"], capsys)
    assert json.loads(out)["selection"]["display_name"] == "Billing"


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["--demo", "--user", "support-dsk"], "(did you mean support-desk?)"),
        (["--demo-org", "--user", "ordrs-app"], "(did you mean orders-app?)"),
        (["--snapshot", str(demo_path()), "--user", "support-dsk"], "(did you mean support-desk?)"),
        (["--demo", "--user", "zzzz"], None),  # nothing close: no guess
        # An ARN without the user's path: the ARN with it.
        (
            ["--demo", "--user", "arn:aws:iam::111122223333:user/contractor"],
            "(did you mean arn:aws:iam::111122223333:user/external/contractor?)",
        ),
    ],
)
def test_a_misspelt_principal_gets_the_closest_name(
    args: list[str], hint: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        ["check", *args, "--region", "eu-west-1", "--identity", "example.com"], capsys
    )
    assert code == 2 and not out
    assert f"no user or role {args[-1]!r}" in err
    if hint:
        assert hint in err
    else:
        assert "did you mean" not in err


@pytest.mark.parametrize(
    "extra",
    [["--config-set", "nosuchset"], ["--from", "a@example.com"], ["--source-ip", "1.2.3.4"]],
)
def test_the_matrix_refuses_what_it_would_not_apply(
    extra: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    # --all decides each identity's own default send: a flag it would leave out is refused,
    # never printed as a matrix that answers another question (a ✓ where the send is denied).
    code, out, err = run(["check", "--demo", "--all", "--region", "eu-west-1", *extra], capsys)
    assert code == 2 and out == ""
    assert f"{extra[0]} would not be applied" in err
    code, out, _ = run(["check", "--demo", "--all", "--region", "eu-west-1"], capsys)
    assert code == 0 and "Who can send in eu-west-1" in out


def test_explain_says_when_the_text_holds_several_denials(
    capsys: pytest.CaptureFixture[str],
) -> None:
    one = (
        "554 Access denied: User `arn:aws:iam::111122223333:user/{}' is not authorized to "
        "perform `ses:SendRawEmail' on resource "
        "`arn:aws:ses:eu-west-1:111122223333:identity/example.com'"
    )
    both = one.format("reporting") + "\n" + one.format("eu-mailer")
    code, out, err = run(["explain", "--demo", both], capsys)
    assert code == 1 and "user/reporting" in out.split("\n")[0]
    assert "the text holds 2 access denials; the first is explained" in err
    code, _, err = run(["explain", "--demo", one.format("reporting")], capsys)
    assert "access denials" not in err
