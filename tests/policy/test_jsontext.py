"""JSON text bounds: the byte-level nesting check agrees with the nesting of the decoded value."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from sestui.policy.errors import PolicyError
from sestui.policy.jsontext import MAX_DEPTH, depth_ok, load_json, tree_ok

# Strings that look like structure: brackets, quotes and backslashes inside string values.
TRICKY = ['a"[{b', "\\", 'x\\"]', "}}]]", '\\\\"{', "é\n", "\\u005b"]


def depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max([depth(v) for v in value.values()], default=0)
    if isinstance(value, list):
        return 1 + max([depth(v) for v in value], default=0)
    return 0


def nest(r: random.Random, level: int, target: int) -> Any:
    if level >= target:
        return r.choice([*TRICKY, 1, None, [], {}])
    kids = [nest(r, level + 1, target)] + [
        r.choice([*TRICKY, 2, [], {}]) for _ in range(r.randint(0, 2))
    ]
    r.shuffle(kids)
    if r.random() < 0.5:
        return kids
    return {r.choice(TRICKY) + str(i): kid for i, kid in enumerate(kids)}


def test_the_byte_level_check_agrees_with_the_decoded_depth() -> None:
    r = random.Random(20261128)
    seen = set()
    for _ in range(600):
        value = nest(r, 0, r.randint(MAX_DEPTH - 8, MAX_DEPTH + 8))
        text = json.dumps(value, ensure_ascii=r.random() < 0.5, indent=r.choice([None, 1]))
        expected = depth(value) <= MAX_DEPTH
        assert depth_ok(text) is expected, depth(value)
        assert tree_ok(value) is expected
        seen.add(expected)
    assert seen == {True, False}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 65 + "]" * 65, "line 1 column 65: nested deeper than 64 levels"),
        ("[" * 50_000 + "]" * 50_000, "line 1 column 65: nested deeper than 64 levels"),
        ('{"a": ["\\ud800"]}', "$.a[0]: the string holds a lone surrogate"),
        ('{"k\\udfff": 1}', "$: a key holds a lone surrogate"),
    ],
)
def test_refused_text_is_located(text: str, words: str) -> None:
    with pytest.raises(PolicyError, match=words.replace("[", r"\[").replace("$", r"\$")):
        load_json(text)


def test_surrogate_pairs_and_unbounded_files_pass() -> None:
    assert load_json('{"a": "\\ud83d\\ude00"}') == {"a": "😀"}
    deep = "[" * 200 + "]" * 200
    assert depth(load_json(deep, bounded=False)) == 200
