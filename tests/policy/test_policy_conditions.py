"""Condition operators, one family at a time, with the AWS rule each case checks."""

from __future__ import annotations

from typing import Any

import pytest

from tests.policyhelp import decision, doc, stmt


def allowed(
    condition: dict[str, Any], context: dict[str, Any], version: str = "2012-10-17"
) -> bool:
    d = doc(stmt(Condition=condition), version=version)
    return decision(identity=[d], context=context) == "Allowed"


@pytest.mark.parametrize(
    ("condition", "context", "expected"),
    [
        # String operators: Equals is case-sensitive, IgnoreCase is not, Like takes * and ?.
        (
            {"StringEquals": {"ses:FromAddress": "a@example.com"}},
            {"ses:FromAddress": "a@example.com"},
            True,
        ),
        (
            {"StringEquals": {"ses:FromAddress": "a@example.com"}},
            {"ses:FromAddress": "A@example.com"},
            False,
        ),
        (
            {"StringEqualsIgnoreCase": {"ses:FromAddress": "a@example.com"}},
            {"ses:FromAddress": "A@EXAMPLE.com"},
            True,
        ),
        (
            {"StringNotEqualsIgnoreCase": {"ses:FromAddress": "a@example.com"}},
            {"ses:FromAddress": "A@EXAMPLE.com"},
            False,
        ),
        (
            {"StringLike": {"ses:FromAddress": "*@example.com"}},
            {"ses:FromAddress": "x@example.com"},
            True,
        ),
        (
            {"StringLike": {"ses:FromAddress": "?@example.com"}},
            {"ses:FromAddress": "xy@example.com"},
            False,
        ),
        (
            {"StringNotLike": {"ses:FromAddress": "*@example.com"}},
            {"ses:FromAddress": "x@other.org"},
            True,
        ),
        # Condition key names are case-insensitive.
        (
            {"StringEquals": {"SES:FROMADDRESS": "a@example.com"}},
            {"ses:fromaddress": "a@example.com"},
            True,
        ),
        # Several values for one key are ORed.
        (
            {"StringEquals": {"ses:FromAddress": ["a@x.com", "b@x.com"]}},
            {"ses:FromAddress": "b@x.com"},
            True,
        ),
        # A negated operator with several values: none may match.
        (
            {"StringNotEquals": {"ses:FromAddress": ["a@x.com", "b@x.com"]}},
            {"ses:FromAddress": "b@x.com"},
            False,
        ),
        (
            {"StringNotEquals": {"ses:FromAddress": ["a@x.com", "b@x.com"]}},
            {"ses:FromAddress": "c@x.com"},
            True,
        ),
        # Several keys (and several operators) are ANDed.
        (
            {"StringEquals": {"ses:FromAddress": "a@x.com", "ses:FromDisplayName": "Ops"}},
            {"ses:FromAddress": "a@x.com"},
            False,
        ),
        (
            {
                "StringEquals": {"ses:FromAddress": "a@x.com"},
                "Bool": {"aws:SecureTransport": "true"},
            },
            {"ses:FromAddress": "a@x.com", "aws:SecureTransport": "true"},
            True,
        ),
        # Numeric.
        ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, True),
        ({"NumericLessThan": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, False),
        ({"NumericLessThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10"}, True),
        ({"NumericGreaterThan": {"s3:max-keys": 10}}, {"s3:max-keys": "10.5"}, True),
        ({"NumericGreaterThanEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "9"}, False),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "10.0"}, True),
        ({"NumericNotEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "11"}, True),
        ({"NumericEquals": {"s3:max-keys": "10"}}, {"s3:max-keys": "ten"}, False),
        # Date: ISO 8601 and epoch seconds compare as instants.
        (
            {"DateLessThan": {"aws:CurrentTime": "2026-12-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-11-28T08:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThan": {"aws:CurrentTime": "2026-12-01"}},
            {"aws:CurrentTime": "2026-11-28T08:00:00Z"},
            False,
        ),
        (
            {"DateLessThanEquals": {"aws:CurrentTime": "1764547200"}},
            {"aws:CurrentTime": "2025-12-01T00:00:00Z"},
            True,
        ),
        (
            {"DateEquals": {"aws:CurrentTime": "2026-01-01T01:00:00+01:00"}},
            {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
            True,
        ),
        (
            {"DateNotEquals": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}},
            {"aws:CurrentTime": "2026-01-02T00:00:00Z"},
            True,
        ),
        (
            {"DateGreaterThanEquals": {"aws:EpochTime": "1700000000"}},
            {"aws:EpochTime": "1700000000"},
            True,
        ),
        # Bool.
        ({"Bool": {"aws:SecureTransport": "true"}}, {"aws:SecureTransport": "true"}, True),
        ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": "true"}, False),
        ({"Bool": {"aws:SecureTransport": False}}, {"aws:SecureTransport": False}, True),
        # BinaryEquals compares base64 values.
        ({"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}}, {"k": "QmluYXJ5VmFsdWU="}, True),
        ({"BinaryEquals": {"k": "QmluYXJ5VmFsdWU="}}, {"k": "T3RoZXI="}, False),
        # IP ranges, IPv4 and IPv6; a single address is a /32.
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, {"aws:SourceIp": "203.0.113.9"}, True),
        (
            {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
            {"aws:SourceIp": "198.51.100.1"},
            False,
        ),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.7"}}, {"aws:SourceIp": "203.0.113.7"}, True),
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "2001:db8:1::5"}, True),
        ({"IpAddress": {"aws:SourceIp": "2001:db8::/32"}}, {"aws:SourceIp": "203.0.113.9"}, False),
        (
            {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
            {"aws:SourceIp": "198.51.100.1"},
            True,
        ),
        (
            {"NotIpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]}},
            {"aws:SourceIp": "2001:db8::1"},
            False,
        ),
        # ARN operators: part by part, case-sensitive; Equals and Like are the same.
        (
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:user/mail*"}},
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/mailer"},
            True,
        ),
        (
            {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/*"}},
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/mailer"},
            True,
        ),
        (
            {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/*"}},
            {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/mailer"},
            True,
        ),
        (
            {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/mailer"}},
            {},
            False,
        ),
        # Null: "true" means the key is absent.
        ({"Null": {"ses:FeedbackAddress": "true"}}, {}, True),
        ({"Null": {"ses:FeedbackAddress": "true"}}, {"ses:FeedbackAddress": "b@x.com"}, False),
        ({"Null": {"ses:FeedbackAddress": "false"}}, {"ses:FeedbackAddress": "b@x.com"}, True),
        ({"Null": {"ses:FeedbackAddress": False}}, {}, False),
    ],
)
def test_operator(condition: dict[str, Any], context: dict[str, Any], expected: bool) -> None:
    assert allowed(condition, context) is expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # A missing key makes a condition false…
        ({"StringEquals": {"ses:FromAddress": "a@x.com"}}, False),
        ({"NumericLessThan": {"k": "1"}}, False),
        ({"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, False),
        ({"Bool": {"aws:SecureTransport": "true"}}, False),
        # …except for negated operators…
        ({"StringNotEquals": {"ses:FromAddress": "a@x.com"}}, True),
        ({"StringNotLike": {"ses:FromAddress": "*@x.com"}}, True),
        ({"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}, True),
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:sns:*:*:*"}}, True),
        # …and …IfExists, which treats a missing key as a match.
        ({"StringEqualsIfExists": {"ses:FromAddress": "a@x.com"}}, True),
        ({"NumericLessThanIfExists": {"k": "1"}}, True),
        ({"IpAddressIfExists": {"aws:SourceIp": "10.0.0.0/8"}}, True),
        # ForAllValues is true for a missing set; ForAnyValue false.
        ({"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}, True),
        ({"ForAnyValue:StringLike": {"ses:Recipients": "*@example.com"}}, False),
        ({"ForAnyValue:StringLikeIfExists": {"ses:Recipients": "*@example.com"}}, True),
    ],
)
def test_missing_key(condition: dict[str, Any], expected: bool) -> None:
    assert allowed(condition, {}) is expected


def test_if_exists_still_checks_a_present_key() -> None:
    cond = {"StringEqualsIfExists": {"ses:FromDisplayName": "Alerts"}}
    assert allowed(cond, {"ses:FromDisplayName": "Alerts"})
    assert not allowed(cond, {"ses:FromDisplayName": "Billing"})


@pytest.mark.parametrize(
    ("condition", "recipients", "expected"),
    [
        (
            {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}},
            ["a@example.com", "b@example.com"],
            True,
        ),
        (
            {"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}},
            ["a@example.com", "b@other.org"],
            False,
        ),
        ({"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}, [], True),
        (
            {"ForAnyValue:StringLike": {"ses:Recipients": "*@other.org"}},
            ["a@example.com", "b@other.org"],
            True,
        ),
        ({"ForAnyValue:StringLike": {"ses:Recipients": "*@other.org"}}, [], False),
        (
            {"ForAnyValue:StringEquals": {"ses:Recipients": ["x@a.com", "b@other.org"]}},
            ["b@other.org"],
            True,
        ),
        (
            {"ForAllValues:StringNotLike": {"ses:Recipients": "*@other.org"}},
            ["a@example.com", "c@x.net"],
            True,
        ),
        (
            {"ForAllValues:StringNotLike": {"ses:Recipients": "*@other.org"}},
            ["a@example.com", "b@other.org"],
            False,
        ),
        (
            {"ForAnyValue:StringNotLike": {"ses:Recipients": "*@other.org"}},
            ["b@other.org", "a@example.com"],
            True,
        ),
        # Without a set operator a multi-valued key matches when any value does.
        ({"StringLike": {"ses:Recipients": "*@other.org"}}, ["a@example.com", "b@other.org"], True),
        (
            {"StringNotLike": {"ses:Recipients": "*@other.org"}},
            ["a@example.com", "b@other.org"],
            False,
        ),
    ],
)
def test_multivalued_keys(condition: dict[str, Any], recipients: list[str], expected: bool) -> None:
    assert allowed(condition, {"ses:Recipients": recipients}) is expected


def test_policy_variables_in_string_conditions() -> None:
    cond = {"StringLike": {"ses:FromAddress": "${aws:username}@example.com"}}
    assert allowed(cond, {"ses:FromAddress": "mailer@example.com"})
    assert not allowed(cond, {"ses:FromAddress": "other@example.com"})
    # Without Version 2012-10-17 the variable is literal text.
    assert not allowed(cond, {"ses:FromAddress": "mailer@example.com"}, version="2008-10-17")
    assert allowed(cond, {"ses:FromAddress": "${aws:username}@example.com"}, version="2008-10-17")


def test_variable_defaults_and_missing_tags() -> None:
    cond = {"StringEquals": {"ses:FromDisplayName": "${aws:PrincipalTag/team, 'company-wide'}"}}
    assert allowed(cond, {"ses:FromDisplayName": "company-wide"})
    assert allowed(cond, {"ses:FromDisplayName": "billing", "aws:principaltag/TEAM": "billing"})
    no_default = {"StringEquals": {"ses:FromDisplayName": "${aws:PrincipalTag/team}"}}
    # "If the key is missing the variable resolves to null and the string operator does not match".
    assert not allowed(no_default, {"ses:FromDisplayName": ""})


def test_escaped_wildcards_match_literally() -> None:
    cond = {"StringLike": {"ses:FromDisplayName": "Sale${*}"}}
    assert allowed(cond, {"ses:FromDisplayName": "Sale*"})
    assert not allowed(cond, {"ses:FromDisplayName": "Sale today"})
    dollar = {"StringEquals": {"ses:FromDisplayName": "costs ${$}5"}}
    assert allowed(dollar, {"ses:FromDisplayName": "costs $5"})


def test_substituted_value_is_literal_even_with_wildcards() -> None:
    cond = {"StringLike": {"ses:FromDisplayName": "${aws:PrincipalTag/name}"}}
    assert allowed(cond, {"ses:FromDisplayName": "a*", "aws:PrincipalTag/name": "a*"})
    assert not allowed(cond, {"ses:FromDisplayName": "abc", "aws:PrincipalTag/name": "a*"})
