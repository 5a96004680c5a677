"""Action and resource matching, against AWS's rules and a reference implementation."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sestui.policy import action_matches, arn_like, glob_match, patterns, resource_matches
from tests.examples import examples
from tests.hangguard import run_guarded

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


@given(st.text(alphabet=st.sampled_from(list("aAb:/*.-")), max_size=10), text)
def test_star_only_globs_agree_with_reference(pattern: str, value: str) -> None:
    # Plain text and `*` only: matched in place (patterns._glob), without _Piece objects.
    assert glob_match(pattern, value) is _reference(pattern, value)
    assert glob_match(pattern, value.upper(), ignore_case=True) is _reference(
        pattern.lower(), value.lower()
    )


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


# -- `?` pieces long enough for the bit-parallel search ---------------------------------------


@contextmanager
def bit_parallel_always(few: int = 0) -> Iterator[None]:
    """Send every `?` piece through the bit-parallel search, with the smallest windows, so short
    generated cases exercise it (and its window stepping) against the reference."""
    with (
        mock.patch.object(patterns, "_SHORT_PIECE", 0),
        mock.patch.object(patterns, "_SMALL_SEARCH", 0),
        mock.patch.object(patterns, "_FIRST_WINDOW", 1),
        mock.patch.object(patterns, "_FEW", few),  # candidates left to check one by one
    ):
        yield


question_heavy = st.text(alphabet=st.sampled_from(list("ab??*")), max_size=24)
ab_text = st.text(alphabet=st.sampled_from(list("ab")), max_size=40)


@given(question_heavy, ab_text)
def test_bit_parallel_search_agrees_with_reference(pattern: str, value: str) -> None:
    with bit_parallel_always():
        assert glob_match(pattern, value) is _reference(pattern, value)


@given(question_heavy, ab_text)
def test_bit_parallel_search_ignores_case_when_asked(pattern: str, value: str) -> None:
    with bit_parallel_always():
        assert glob_match(pattern.upper(), value, ignore_case=True) is _reference(pattern, value)


@given(st.data())
def test_long_pieces_agree_with_reference(data: st.DataObject) -> None:
    # Real thresholds: pieces over 64 characters take the bit-parallel path. Pieces are cut from
    # the value (so they can match), with `?` holes and sometimes one character changed.
    value = data.draw(st.text(alphabet=st.sampled_from(list("ab")), min_size=70, max_size=400))
    pieces = []
    for _ in range(data.draw(st.integers(1, 3))):
        size = data.draw(st.integers(65, min(90, len(value))))
        at = data.draw(st.integers(0, len(value) - size))
        piece = list(value[at : at + size])
        for i in data.draw(st.lists(st.integers(0, size - 1), max_size=size)):
            piece[i] = "?"
        if data.draw(st.booleans()):
            i = data.draw(st.integers(0, size - 1))
            piece[i] = "b" if piece[i] == "a" else "a"
        pieces.append("".join(piece))
    # Open at both ends, anchored at one, or at both.
    head, tail = data.draw(st.sampled_from([("*", "*"), ("*", ""), ("", "*"), ("", "")]))
    pattern = head + "*".join(pieces) + tail
    assert glob_match(pattern, value) is _reference(pattern, value)


def test_literal_question_mark_in_a_long_piece_is_literal() -> None:
    piece = "a?" * 40 + patterns.LITERAL_QUESTION
    assert glob_match("*" + piece + "*", "x" + "ab" * 40 + "?" + "y")
    assert not glob_match("*" + piece + "*", "x" + "ab" * 40 + "b" + "y")


def test_adversarial_question_pieces_do_not_hang() -> None:
    # A 40,000-character `a?a?…` piece against 200,000-character values: each match took about
    # 7 s with a regex search (quadratic: every start re-read the piece); now well under 1 s.
    out = run_guarded(
        textwrap.dedent(
            """
            from sestui.policy import glob_match
            n, half = 200_000, 20_000
            piece = "a?" * half
            print(
                glob_match("*" + piece + "b*", "a" * n),
                glob_match("*" + piece + "*", "ab" * (n // 2)),
                glob_match("*" + piece[:-1] + "ab*", "a" * (n - 1) + "b"),
                glob_match("*" + piece + "*", "b" * n),
                glob_match("*" + ("a?" * 40 + "b*") * 400, ("a" * 80 + "b") * (n // 81)),
                glob_match("*" + piece + "*", "ba" * (n // 2), ignore_case=True),
            )
            """
        )
    )
    assert out.split() == ["False", "True", "True", "False", "True", "True"]


def _leftmost_reference(piece: str, value: str, start: int, end: int) -> int:
    for i in range(start, end - len(piece) + 1):
        if all(p in ("?", v) for p, v in zip(piece, value[i : i + len(piece)], strict=True)):
            return i
    return -1


@settings(max_examples=examples(400))
@given(st.text(alphabet=st.sampled_from(list("ab??")), min_size=1, max_size=8), st.data())
def test_pieces_find_the_leftmost_occurrence(piece: str, data: st.DataObject) -> None:
    # `_glob` goes on from where a piece was found: the position itself must be exact.
    value = data.draw(st.text(alphabet=st.sampled_from(list("ab")), max_size=40))
    start = data.draw(st.integers(0, len(value)))
    end = data.draw(st.integers(start, len(value)))
    expected = _leftmost_reference(piece, value, start, end)
    with bit_parallel_always():
        assert patterns._Piece(piece, False).find(value, start, end) == expected
    with bit_parallel_always(few=3):
        assert patterns._Piece(piece, False).find(value, start, end) == expected
    assert patterns._Piece(piece, False).find(value, start, end) == expected  # the `re` path
