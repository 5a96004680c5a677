"""Wildcard matching for actions, ARNs and StringLike: `*` and `?`, compiled once and cached."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

_ARN_PARTS = 6
# Stand-ins for a `*` / `?` that must match literally: `${*}` / `${?}` and substituted values.
LITERAL_STAR = "\x00"
LITERAL_QUESTION = "\x01"
_SPECIAL = frozenset("*?" + LITERAL_STAR + LITERAL_QUESTION)


# A `?` piece is searched with `re` (cost up to window × piece length, in C) when it is short or
# that product is small; otherwise the bit-parallel search keeps the work linear in the window.
# Short pieces stay on `re` also because a glob may have thousands of them: the bit-parallel
# search reads the whole window each time, `re` only up to the match.
_SHORT_PIECE = 64
_SMALL_SEARCH = 1 << 14
_FIRST_WINDOW = 4096
_FEW = 32  # candidates left: check each with the regex


class _Piece:
    """A run of a glob between two `*`: fixed length; `?` matches any one character."""

    __slots__ = ("fixed", "literal", "regex", "size")

    def __init__(self, text: str, ignore_case: bool) -> None:
        self.size = len(text)
        if "?" in text:
            body = "".join("." if ch == "?" else re.escape(_restore(ch)) for ch in text)
            self.regex: re.Pattern[str] | None = re.compile(body, re.DOTALL)
            self.literal = ""
            # (offset, character) of every non-`?` position, for the bit-parallel search.
            self.fixed = tuple((i, _restore(ch)) for i, ch in enumerate(text) if ch != "?")
        else:
            self.regex = None
            self.literal = _restore_all(text)
            self.fixed = ()
        if ignore_case:
            self.literal = self.literal.lower()

    def at(self, value: str, pos: int) -> bool:
        if self.regex is None:
            return value.startswith(self.literal, pos)
        return self.regex.match(value, pos) is not None

    def find(self, value: str, start: int, end: int) -> int:
        if self.regex is None:
            return value.find(self.literal, start, end)
        if end - start < self.size:
            return -1
        if self.size <= _SHORT_PIECE or (end - start) * len(self.fixed) <= _SMALL_SEARCH:
            m = self.regex.search(value, start, end)
            return -1 if m is None else m.start()
        # Windows that double in width: the work follows the distance to the match, so a glob
        # of many long pieces reads the value a bounded number of times, not once per piece.
        width = max(self.size, _FIRST_WINDOW)
        while end - start >= self.size:
            stop = min(end, start + self.size - 1 + width)  # starts start .. start+width-1
            found = _leftmost(self.regex, self.fixed, self.size, value[start:stop])
            if found >= 0:
                return start + found
            start, width = stop - self.size + 1, width * 2
        return -1


def _leftmost(
    regex: re.Pattern[str], fixed: tuple[tuple[int, str], ...], size: int, window: str
) -> int:
    """The leftmost start in `window` where every (offset, character) of `fixed` is present.

    Text-parallel bit arithmetic: bit i of `hits[c]` says window[i] == c, so the starts that
    agree with the pattern at offset k are `hits[c] >> k`, and the answer is the lowest bit of
    their intersection. That is one big-integer AND and shift per fixed character, each over
    len(window) bits in C: no per-position Python loop and no backtracking, so the work is
    linear in the window for a given pattern (a 40k-character `a?a?…` piece against a 200k
    value is at most 20,000 word-parallel steps, not 8 billion character comparisons).
    The candidates are a superset of the matches, so whenever the lowest candidate matches
    outright (checked with `regex.match`, linear in the piece) it is the answer; that check
    runs after 1, 2, 4, … steps, and every candidate is checked once few are left.
    """
    counts = {ch: window.count(ch) for ch in {ch for _, ch in fixed}}
    if not all(counts.values()):
        return -1
    # Rarest characters first: a pattern that cannot match usually empties `starts` at once.
    order = sorted(fixed, key=lambda kc: counts[kc[1]])
    zeros = dict.fromkeys(map(ord, set(window)), "0")
    hits: dict[str, int] = {}
    starts = (1 << (len(window) - size + 1)) - 1
    checkpoint = 1
    for step, (offset, ch) in enumerate(order, 1):
        bits = hits.get(ch)
        if bits is None:
            table = zeros.copy()
            table[ord(ch)] = "1"
            # Lowest bit = first character: reverse before reading the digits as a number.
            bits = hits[ch] = int(window.translate(table)[::-1], 2)
        starts &= bits >> offset
        if not starts:
            return -1
        if step == checkpoint:
            checkpoint *= 2
            if starts.bit_count() <= _FEW:
                return next((i for i in _bits(starts) if regex.match(window, i)), -1)
            low = (starts & -starts).bit_length() - 1
            if regex.match(window, low):
                return low
    return (starts & -starts).bit_length() - 1


def _bits(number: int) -> Iterator[int]:
    """The positions of the set bits, lowest first."""
    while number:
        low = number & -number
        yield low.bit_length() - 1
        number ^= low


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
    if "?" not in pattern and LITERAL_STAR not in pattern and LITERAL_QUESTION not in pattern:
        # Only `*`: the pieces are plain strings, matched in place with the same anchoring and
        # leftmost search as below, without building (and caching) _Piece objects: most
        # patterns are of this kind, and in `sestui eval` each is met once.
        parts = (pattern.lower() if ignore_case else pattern).split("*")
        if len(parts) == 1:
            return value == parts[0]
        head, tail = parts[0], parts[-1]
        start, end = len(head), len(value) - len(tail)
        if end < start or not value.startswith(head) or not value.endswith(tail):
            return False
        for part in parts[1:-1]:
            found = value.find(part, start, end)
            if found < 0:
                return False
            start = found + len(part)
        return True
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


@lru_cache(maxsize=1024)
def _target(resource: str) -> tuple[list[str], tuple[str, ...]] | None:
    """A request resource's six ARN parts and its first five lower-cased, or None (not an
    ARN): one request meets many Resource patterns, so it is split once for all of them."""
    target = split_arn(resource)
    if target is None:
        return None
    return target, tuple(map(str.lower, target[:5]))


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
    split = _target(resource)
    if split is None:
        # Non-ARN resources ("*" for actions without a resource type) match whole-string.
        return glob_match(pattern, resource)
    target, lowered = split
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
    # glob_match(segment, target, ignore_case=True) for the four middle segments, then
    # glob_match(resource part, target) — inline: this runs for every Resource of a request.
    for i in (1, 2, 3, 4):
        seg = parts[i]
        if seg == "*":
            continue
        if _SPECIAL.isdisjoint(seg):
            if seg.lower() != lowered[i]:
                return False
        elif not _glob(seg, target[i], True):
            return False
    last = parts[5]
    if last == "*":
        return True
    if _SPECIAL.isdisjoint(last):
        return last == target[5]
    return _glob(last, target[5], False)


def arn_like(pattern: str, value: str) -> bool:
    """ArnLike / ArnEquals: each of the six colon parts matched on its own, case-sensitively."""
    if pattern == "*":
        return True
    target = split_arn(value)
    parts = pattern.split(":", _ARN_PARTS - 1)
    if target is None or len(parts) != _ARN_PARTS:
        return False
    return all(glob_match(p, t) for p, t in zip(parts, target, strict=True))
