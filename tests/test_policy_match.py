"""Action and resource matching, against AWS's rules and a reference implementation."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sestui.policy import action_matches, arn_like, glob_match, resource_matches

ID = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"


@pytest.mark.parametrize(
    ("pattern", "action", "expected"),
    [
        # "Action prefix and name are case-insensitive" (IAM JSON reference: Action).
        ("ses:SendRawEmail", "ses:SendRawEmail", True),
        ("SES:sendrawemail", "ses:SendRawEmail", True),
        ("ses:Send*", "ses:SendBulkTemplatedEmail", True),
        ("ses:Send*Email", "ses:SendRawEmail", True),
        ("ses:Send?awEmail", "ses:SendRawEmail", True),
        ("ses:SendEmail", "ses:SendRawEmail", False),
        ("ses:*", "ses:GetSendQuota", True),
        ("*", "ses:SendEmail", True),
        ("sesv2:*", "ses:SendEmail", False),
        ("s*:Send*", "ses:SendEmail", True),
    ],
)
def test_actions(pattern: str, action: str, expected: bool) -> None:
    assert action_matches(pattern, action) is expected


@pytest.mark.parametrize(
    ("pattern", "resource", "expected"),
    [
        (ID, ID, True),
        ("*", ID, True),
        ("*", "*", True),
        # The resource part is case-sensitive; partition/service/region/account are not.
        ("arn:aws:ses:eu-west-1:111122223333:identity/Example.com", ID, False),
        ("arn:AWS:SES:EU-WEST-1:111122223333:identity/example.com", ID, True),
        ("arn:aws:ses:us-east-1:111122223333:identity/example.com", ID, False),
        ("arn:aws:ses:*:111122223333:identity/example.com", ID, True),
        ("arn:aws:ses:eu-west-1:111122223333:identity/*", ID, True),
        ("arn:aws:ses:eu-west-1:111122223333:identity/*.com", ID, True),
        ("arn:aws:ses:eu-west-1:111122223333:identity/example.co?", ID, True),
        ("arn:aws:ses:eu-west-1:444455556666:identity/example.com", ID, False),
        # "If the * wildcard is the last character of a resource ARN segment, it can expand to
        # match beyond colon boundaries" (IAM JSON reference: Resource).
        ("arn:aws:ses:*", ID, True),
        ("arn:aws:*", ID, True),
        ("arn:aws:ses:eu-*", ID, True),
        ("arn:aws:ses:eu-west-1", ID, False),
        ("arn:aws:sns:*", ID, False),
        # A `*` inside the resource part runs across `/`.
        ("arn:aws:ses:eu-west-1:111122223333:*", ID, True),
        ("arn:aws:ses:eu-west-1:111122223333:configuration-set/*", ID, False),
        # Actions without a resource type are requested on "*": only "*" covers them.
        (ID, "*", False),
        ("arn:aws:ses:*", "*", False),
    ],
)
def test_resources(pattern: str, resource: str, expected: bool) -> None:
    assert resource_matches(pattern, resource) is expected


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("arn:aws:iam::111122223333:user/*", "arn:aws:iam::111122223333:user/ops/alice", True),
        ("arn:aws:iam::*:user/alice", "arn:aws:iam::111122223333:user/alice", True),
        ("arn:aws:iam::111122223333:user/Alice", "arn:aws:iam::111122223333:user/alice", False),
        ("arn:aws:iam::111122223333:*", "not-an-arn", False),
        # Each of the six parts matches on its own: a `*` in one part cannot eat a colon.
        ("arn:aws:iam::*", "arn:aws:iam::111122223333:user/alice", False),
        ("*", "anything", True),
    ],
)
def test_arn_like(pattern: str, value: str, expected: bool) -> None:
    assert arn_like(pattern, value) is expected


def _reference(pattern: str, value: str) -> bool:
    """A deliberately naive backtracking matcher to check the compiled one against."""
    if not pattern:
        return not value
    head = pattern[0]
    if head == "*":
        return any(_reference(pattern[1:], value[i:]) for i in range(len(value) + 1))
    if not value:
        return False
    if head == "?" or head == value[0]:
        return _reference(pattern[1:], value[1:])
    return False


alphabet = st.sampled_from(list("ab:/*?.-"))
text = st.text(alphabet=st.sampled_from(list("ab:/.-")), max_size=10)


@given(st.text(alphabet=alphabet, max_size=8), text)
def test_glob_agrees_with_reference(pattern: str, value: str) -> None:
    assert glob_match(pattern, value) is _reference(pattern, value)


@given(st.text(alphabet=alphabet, max_size=8), text)
def test_glob_ignore_case_is_lowercase_match(pattern: str, value: str) -> None:
    assert glob_match(pattern, value.upper(), ignore_case=True) is _reference(
        pattern.lower(), value.lower()
    )


@given(st.text(max_size=12))
def test_literal_pattern_matches_only_itself(value: str) -> None:
    pattern = value.replace("*", "x").replace("?", "y").replace("\x00", "").replace("\x01", "")
    # Regex metacharacters in a pattern ("(", "[", "\\") are literal text.
    assert glob_match(pattern + "(", pattern + "(")
    assert glob_match(pattern + "*", pattern + ".[z]")
    assert glob_match(pattern, pattern + "z") is False
