"""Wildcard matching for actions, ARNs and StringLike: `*` and `?`, compiled once and cached."""

from __future__ import annotations

import re
from functools import lru_cache

_ARN_PARTS = 6
# Stand-ins for a `*` / `?` that must match literally: `${*}` / `${?}` and substituted values.
LITERAL_STAR = "\x00"
LITERAL_QUESTION = "\x01"
_SPECIAL = frozenset("*?" + LITERAL_STAR + LITERAL_QUESTION)


class _Piece:
    """A run of a glob between two `*`: fixed length; `?` matches any one character."""

    __slots__ = ("literal", "regex", "size")

    def __init__(self, text: str, ignore_case: bool) -> None:
        self.size = len(text)
        if "?" in text:
            body = "".join("." if ch == "?" else re.escape(_restore(ch)) for ch in text)
            self.regex: re.Pattern[str] | None = re.compile(body, re.DOTALL)
            self.literal = ""
        else:
            self.regex = None
            self.literal = _restore_all(text)
        if ignore_case:
            self.literal = self.literal.lower()

    def at(self, value: str, pos: int) -> bool:
        if self.regex is None:
            return value.startswith(self.literal, pos)
        return self.regex.match(value, pos) is not None

    def find(self, value: str, start: int, end: int) -> int:
        if self.regex is None:
            return value.find(self.literal, start, end)
        m = self.regex.search(value, start, end)
        return -1 if m is None else m.start()


def _restore(ch: str) -> str:
    return "*" if ch == LITERAL_STAR else "?" if ch == LITERAL_QUESTION else ch


def _restore_all(text: str) -> str:
    return text.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")


@lru_cache(maxsize=65536)
def _pieces(pattern: str, ignore_case: bool) -> tuple[_Piece, ...]:
    text = pattern.lower() if ignore_case else pattern
    return tuple(_Piece(part, ignore_case) for part in text.split("*"))


def _glob(pattern: str, value: str, ignore_case: bool) -> bool:
    """Match in linear time (no backtracking regex): the first and last pieces are anchored at
    the ends, the middle ones are found leftmost in order, which is exact for `*` wildcards."""
    if ignore_case:
        value = value.lower()
    pieces = _pieces(pattern, ignore_case)
    if len(pieces) == 1:
        only = pieces[0]
        return len(value) == only.size and only.at(value, 0)
    first, last = pieces[0], pieces[-1]
    start, end = first.size, len(value) - last.size
    if end < start or not first.at(value, 0) or not last.at(value, end):
        return False
    for piece in pieces[1:-1]:
        found = piece.find(value, start, end)
        if found < 0:
            return False
        start = found + piece.size
    return True


def unescape(text: str) -> str:
    """Turn literal stand-ins back into the characters they stand for."""
    return text.replace(LITERAL_STAR, "*").replace(LITERAL_QUESTION, "?")


def glob_match(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    if pattern == "*":
        return True
    if _SPECIAL.isdisjoint(pattern):
        return pattern.lower() == value.lower() if ignore_case else pattern == value
    return _glob(pattern, value, ignore_case)


@lru_cache(maxsize=1 << 16)
def action_matches(pattern: str, action: str) -> bool:
    """IAM actions match case-insensitively (`ses:sendrawemail` is `ses:SendRawEmail`)."""
    return glob_match(pattern, action, ignore_case=True)


def split_arn(arn: str) -> list[str] | None:
    """The six parts of an ARN (the resource part may hold more colons), or None."""
    parts = arn.split(":", _ARN_PARTS - 1)
    if len(parts) != _ARN_PARTS or parts[0] != "arn":
        return None
    return parts


@lru_cache(maxsize=1 << 18)
def resource_matches(pattern: str, resource: str) -> bool:
    """Match a Resource pattern against a request resource, segment by segment.

    Partition, service, region and account compare case-insensitively, the resource part
    case-sensitively. A `*` that ends a segment may run on past `:` (AWS: "If the * wildcard is
    the last character of a resource ARN segment, it can expand to match beyond colon
    boundaries"), so `arn:aws:ses:*` covers every SES ARN.
    """
    if pattern == "*":
        return True
    target = split_arn(resource)
    if target is None:
        # Non-ARN resources ("*" for actions without a resource type) match whole-string.
        return glob_match(pattern, resource)
    parts = pattern.split(":", _ARN_PARTS - 1)
    if parts[0].lower() != "arn":
        return False
    if len(parts) < _ARN_PARTS:
        last = parts[-1]
        if not last.endswith("*"):
            return False
        head = parts[:-1]
        rest = ":".join(target[len(head) :])
        for i, seg in enumerate(head):
            if not glob_match(seg, target[i], ignore_case=True):
                return False
        return glob_match(last, rest)
    for i in range(1, _ARN_PARTS - 1):
        if not glob_match(parts[i], target[i], ignore_case=True):
            return False
    return glob_match(parts[5], target[5])


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike / ArnEquals: each of the six colon parts matched on its own, case-sensitively."""
    if pattern == "*":
        return True
    target = split_arn(value)
    parts = pattern.split(":", _ARN_PARTS - 1)
    if target is None or len(parts) != _ARN_PARTS:
        return False
    return all(glob_match(p, t) for p, t in zip(parts, target, strict=True))
