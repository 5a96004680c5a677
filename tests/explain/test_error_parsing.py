"""`sestui explain` input: real message variants, localized wording, wrapped lines."""

from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sestui.explain.parse import _WORDS, ErrorKind, _addresses, _unwrap, parse_error
from tests.hangguard import run_guarded

U = "arn:aws:iam::111122223333:user/iam-user-name"
R = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"


@pytest.mark.parametrize(
    "text",
    [
        # SMTP reply, with AWS's backtick-quote style.
        f"554 Access denied: User `{U}' is not authorized to perform `ses:SendRawEmail' on resource `{R}'",
        # The same, as a mail client logs it, wrapped at the terminal width inside tokens.
        f"554 Access denied: User `{U[:30]}\n{U[30:]}' is not authorized to perform `ses:Send\nRawEmail' on resource `{R[:40]}\n   {R[40:]}'",
        # Wrapped between words (no token broken).
        f"554 Access denied: User `{U}'\nis not authorized to perform `ses:SendRawEmail'\non resource `{R}'",
        # The API's AccessDenied, as botocore prints it.
        f"botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the SendRawEmail operation: User: {U} is not authorized to perform: ses:SendRawEmail on resource: {R} because no identity-based policy allows the ses:SendRawEmail action",
        # Plain quotes, trailing period.
        f'Access denied: User "{U}" is not authorized to perform "ses:SendRawEmail" on resource "{R}".',
        # Japanese wording around the ARNs, with and without spaces.
        f"554 アクセスが拒否されました: ユーザー `{U}' には、リソース `{R}' に対して `ses:SendRawEmail' を実行する権限がありません",
        f"ユーザー{U}は、リソース{R}に対してses:SendRawEmailを実行する権限がありません。",
    ],
)
def test_access_denied_variants(text: str) -> None:
    p = parse_error(text)
    assert p.kind is ErrorKind.ACCESS_DENIED
    assert p.principal_arn == U
    assert p.action == "ses:SendRawEmail"
    assert p.resource_arn == R
    assert (p.account, p.region) == ("111122223333", "eu-west-1")
    assert p.resource_type == "identity" and p.resource_name == "example.com"


def test_session_principal_and_configuration_set_resource() -> None:
    p = parse_error(
        "An error occurred (AccessDeniedException) when calling the SendEmail "
        "operation: User: arn:aws:sts::111122223333:assumed-role/order-notifier/"
        "fn-1 is not authorized to perform: ses:SendEmail on resource: "
        "arn:aws:ses:us-east-1:111122223333:configuration-set/tracking"
    )
    assert p.principal_arn == "arn:aws:sts::111122223333:assumed-role/order-notifier/fn-1"
    assert p.resource_type == "configuration-set" and p.resource_name == "tracking"
    assert not p.smtp


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (
            "554 Message rejected: Email address is not verified. The following identities failed "
            "the check in region US-EAST-1: bob@example.org, alice@example.net",
            ErrorKind.NOT_VERIFIED,
        ),
        ("MessageRejected: Email address not verified x@unverified.com", ErrorKind.NOT_VERIFIED),
        ("554 Mail FROM domain is not verified", ErrorKind.MAIL_FROM_NOT_VERIFIED),
        ("554 Account is paused", ErrorKind.ACCOUNT_PAUSED),
        ("454 Throttling failure: Daily message quota exceeded.", ErrorKind.QUOTA),
        ("454 Throttling failure: Maximum sending rate exceeded.", ErrorKind.THROTTLING),
        ("454 Throttling failure: Maximum SigV2 SMTP sending rate exceeded", ErrorKind.SIGV2),
        ("535 Authentication Credentials Invalid", ErrorKind.AUTH_INVALID),
        ("530 Authentication required", ErrorKind.AUTH_REQUIRED),
        ("535 Account not subscribed to SES", ErrorKind.NOT_SUBSCRIBED),
        (
            "554 Configuration set does not exist: Configuration set <tracking> does not exist.",
            ErrorKind.CONFIG_SET_MISSING,
        ),
        ("552 Message is too long", ErrorKind.TOO_LONG),
        ("the printer is on fire", ErrorKind.UNKNOWN),
        ("", ErrorKind.UNKNOWN),
    ],
)
def test_other_errors_get_their_own_cause(text: str, kind: ErrorKind) -> None:
    p = parse_error(text)
    assert p.kind is kind
    assert p.cause and p.advice


def test_not_verified_lists_identities_and_region() -> None:
    p = parse_error(
        "554 Message rejected: Email address is not verified. The following "
        "identities failed the check in region US-EAST-1: bob@example.org, "
        "alice@example.net"
    )
    assert p.region == "us-east-1"
    assert p.identities == ("bob@example.org", "alice@example.net")
    assert p.smtp


# -- linear time: the old, quadratic code is kept here as the reference -----------------------


def _reference_unwrap(text: str) -> str:
    """The original line rejoining: re-searches the whole joined text for every line. (One
    change: an end-of-text anchor where it had `$`, which also matched before a final newline,
    so after a blank line the word before it still counted as the last one.)"""
    lines = text.replace("\r\n", "\n").split("\n")
    out = lines[0] if lines else ""
    for nxt in lines[1:]:
        stripped = nxt.lstrip()
        tail = re.search(r"(\S+)\Z", out)
        head = re.match(r"(\S+)", stripped)
        last = tail.group(1) if tail else ""
        inside = re.search(r"(?:arn:|(?:ses|email):)\S*\Z", last)
        if (
            inside
            and head
            and head.group(1).strip("'`’").lower() not in _WORDS
            and not last.endswith(("'", "`", "’", "”"))
        ):
            out += stripped
        else:
            out += "\n" + nxt
    return out


# Fragments that exercise every branch: markers split across lines, quotes, stop words, blanks.
_FRAGMENTS = ["ar", "n:", "arn:", "se", "s:", "ses:", "email:", "em", "ail:", "x", "The", "is"]
_FRAGMENTS += [" ", "  ", "\n", "\n  ", "\r\n", "'", "`", "’", "”", "\t", "@", ".", "a.b"]
wrapped = st.lists(st.sampled_from(_FRAGMENTS), max_size=30).map("".join)


@given(wrapped)
def test_unwrap_agrees_with_the_original(text: str) -> None:
    assert _unwrap(text) == _reference_unwrap(text)


_EMAIL = r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"
addressy = st.text(alphabet=st.sampled_from(list("ab.+-@_ é,")), max_size=40)


@given(addressy)
def test_addresses_agree_with_the_regex(text: str) -> None:
    assert _addresses(text) == re.findall(_EMAIL, text)


PASTES = {
    # 100 KB+ of denials wrapped inside their ARNs: 25 s with the old rejoining.
    "wrapped": (
        f"554 Access denied: User `{U[:30]}\n{U[30:]}' is not authorized to perform `ses:Send"
        f"\nRawEmail' on resource `{R[:40]}\n   {R[40:]}'\n"
    )
    * 700,
    # One 100 KB word after "not verified": the address regex retried it from every position.
    "word": "Email address is not verified. " + "a-" * 60_000,
    "at-signs": "Email address is not verified. " + "a@" * 60_000,
    # "configuration set" over and over, never followed by "does not exist".
    "config": "configuration set " * 7_000,
    "arns": "arn:\n" * 25_000,
}


def test_huge_pastes_do_not_hang() -> None:
    # Each of these took from 25 s to hours; now each is parsed in well under a second.
    code = textwrap.dedent(
        f"""
        from sestui.explain.parse import parse_error
        from tests.explain.test_error_parsing import PASTES
        for name in {sorted(PASTES)!r}:
            print(name, parse_error(PASTES[name]).kind.value)
        """
    )
    out = dict(line.split() for line in run_guarded(code).splitlines())
    assert out == {
        "arns": "unknown",
        "at-signs": "not-verified",
        "config": "unknown",
        "word": "not-verified",
        "wrapped": "access-denied",
    }


def test_a_huge_wrapped_paste_still_finds_the_arns() -> None:
    p = parse_error(PASTES["wrapped"])
    assert len(PASTES["wrapped"]) > 100_000
    assert (p.principal_arn, p.action, p.resource_arn) == (U, "ses:SendRawEmail", R)
