"""Hypothesis strategies for fuzzing: random and mutated policy documents, requests, snapshots.

Used by tests/policy/test_fuzz.py (a moderate number of examples) and by `python -m tests.bench fuzz`
(a large one).
"""

from __future__ import annotations

import copy
import json
import time
from typing import Any

from hypothesis import strategies as st

from sestui.account import SnapshotError, account_from_snapshot
from sestui.demo.build import build
from sestui.explain.parse import ParsedError, parse_error
from sestui.policy import (
    PolicyError,
    PolicyKind,
    PolicySet,
    PolicySource,
    Request,
    evaluate,
    parse_policy,
)

KEYS = [
    "Version",
    "Statement",
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
    "AWS",
    "StringLike",
    "ForAllValues:StringLike",
    "IpAddress",
    "Null",
    "DateLessThan",
    "NumericLessThan",
    "ArnLike",
    "Bool",
    "ses:FromAddress",
    "aws:SourceIp",
    "ses:Recipients",
    "aws:CurrentTime",
    "${aws:username}",
    "x",
]
TEXT = st.one_of(
    st.sampled_from(
        [
            "Allow",
            "Deny",
            "*",
            "ses:*",
            "ses:Send*",
            "2012-10-17",
            "2008-10-17",
            "arn:aws:ses:*:*:identity/*",
            "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
            "10.0.0.0/8",
            "::1/128",
            "2026-01-01T00:00:00Z",
            "1700000000",
            "true",
            "${aws:username}",
            "${*}",
            "${aws:PrincipalTag/t, 'd'}",
            "[red]x",
            "*a*a*a*a*a*a*c",
            "ses:Send?awEmail",
            "arn:aws:ses:*:*:identity/?*@example.???",
            "a?a?a?a?a?a?a?a?c*",
            "é∂ƒ",
            "\x00",
            "",
        ]
    ),
    st.text(max_size=40),
)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True), TEXT
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), inner, max_size=5),
    ),
    max_leaves=40,
)

SEED_DOCS = [
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["ses:SendEmail", "ses:SendRawEmail"],
                "Resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
                "Condition": {
                    "StringLike": {"ses:FromAddress": "*@example.com"},
                    "ForAllValues:StringLike": {"ses:Recipients": ["*@example.org"]},
                },
            },
            {
                "Effect": "Deny",
                "NotAction": "ses:Get*",
                "NotResource": "*",
                "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.0/8", "2001:db8::/32"]}},
            },
        ],
    },
    {
        "Statement": {
            "Effect": "Allow",
            "Principal": {"AWS": ["111122223333", "*"]},
            "Action": "ses:*",
            "Resource": "*",
            "Condition": {
                "DateLessThan": {"aws:CurrentTime": "2027-01-01"},
                "Null": {"ses:FeedbackAddress": "true"},
            },
        }
    },
]


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    """A valid document with a few paths replaced, deleted, renamed or blown up."""
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        node = doc
        path: list[Any] = []
        while isinstance(node, dict | list) and node and draw(st.booleans()):
            key = draw(
                st.sampled_from(list(node) if isinstance(node, dict) else list(range(len(node))))
            )
            path.append((node, key))
            node = node[key]
        if not path:
            continue
        parent, key = path[-1]
        op = draw(st.sampled_from(["replace", "delete", "rename", "huge", "deep", "wide"]))
        if op == "replace":
            parent[key] = draw(JSON)
        elif op == "delete" and isinstance(parent, dict):
            del parent[key]
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = parent.pop(key)
        elif op == "huge":
            parent[key] = draw(st.sampled_from(["*", "a", "ses:*", "é", "?", "a?"])) * 200_000
        elif op == "deep":
            deep: Any = "x"
            for _ in range(
                draw(st.integers(50, 300))
            ):  # printable by hypothesis; deeper: see test_pathological_inputs
                deep = [deep]
            parent[key] = deep
        elif op == "wide":
            parent[key] = [draw(TEXT)] * draw(st.integers(100, 20_000))
    return doc


documents = st.one_of(
    JSON, st.sampled_from(SEED_DOCS).flatmap(mutated), st.text(max_size=200), JSON.map(json.dumps)
)
kinds = st.sampled_from(list(PolicyKind))
requests = st.builds(
    lambda p, a, r, ctx: (p, a, r, ctx),
    st.sampled_from(
        [
            "arn:aws:iam::111122223333:user/u",
            "arn:aws:sts::111122223333:assumed-role/r/s",
            "arn:aws:iam::444455556666:user/x",
        ]
    ),
    st.sampled_from(["ses:SendRawEmail", "ses:SendEmail", "ses:GetSendQuota", "s3:GetObject"]),
    st.sampled_from(
        [
            "*",
            "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
            "arn:aws:ses:us-east-1:444455556666:identity/a@b.c",
            "not-an-arn",
        ]
    ),
    st.dictionaries(
        st.sampled_from(
            [
                "ses:FromAddress",
                "aws:SourceIp",
                "ses:Recipients",
                "aws:CurrentTime",
                "aws:SecureTransport",
                "x",
            ]
        ),
        st.one_of(TEXT, st.lists(TEXT, max_size=4)),
        max_size=4,
    ),
)

BOUND_SECONDS = 5.0


def check_document(document: Any, kind: PolicyKind, request: tuple[Any, ...]) -> None:
    """Parse and evaluate: a decision or a located PolicyError, nothing else, in bounded time."""
    started = time.perf_counter()
    try:
        policy = parse_policy(document, PolicySource(kind, "fuzzed"))
    except PolicyError as exc:
        assert exc.policy == "fuzzed"
        return
    finally:
        assert time.perf_counter() - started < BOUND_SECONDS
    principal, action, resource, context = request
    started = time.perf_counter()
    try:
        req = Request.build(principal, action, resource, context)
    except PolicyError:
        return
    sets = {
        PolicyKind.IDENTITY: PolicySet(identity=(policy,)),
        PolicyKind.BOUNDARY: PolicySet(boundary=policy),
        PolicyKind.SCP: PolicySet(scp_levels=((policy,),)),
        PolicyKind.RESOURCE: PolicySet(resource=(policy,)),
    }
    evaluate(req, sets[kind])
    assert time.perf_counter() - started < BOUND_SECONDS
    assert policy.text  # renders


@st.composite
def snapshots(draw: st.DrawFn) -> Any:
    data: Any = build()
    choice = draw(st.sampled_from(["mutate", "truncate", "version", "drop"]))
    if choice == "truncate":
        text = json.dumps(data)
        return text[: draw(st.integers(0, len(text) - 1))]
    if choice == "version":
        data["format"] = draw(TEXT)
        return data
    if choice == "drop":
        key = draw(st.sampled_from(["account", "iam", "ses", "organizations", "access_keys"]))
        del data[key]
        return data
    return draw(mutated(data))


def check_snapshot(data: Any) -> None:
    started = time.perf_counter()
    try:
        decoded = json.loads(data) if isinstance(data, str) else data
    except (json.JSONDecodeError, RecursionError):
        return
    try:
        account_from_snapshot(decoded)
    except SnapshotError as exc:
        assert exc.message
    assert time.perf_counter() - started < BOUND_SECONDS


def check_explain(text: str) -> ParsedError:
    started = time.perf_counter()
    parsed = parse_error(text)
    assert time.perf_counter() - started < BOUND_SECONDS
    return parsed


explain_texts = st.one_of(
    st.text(max_size=400),
    st.builds(
        lambda a, b: a + "554 Access denied: User `arn:aws:iam::111122223333:user/" + b,
        st.text(max_size=50),
        st.text(max_size=200),
    ),
    st.builds(
        lambda t: t * 1000,
        st.sampled_from(
            [
                "arn:aws:iam::1:",
                "ses:Send",
                "`'\n",
                "arn:aws:ses:eu-west-1:111122223333:",
                "arn:\n",  # a line to rejoin every few characters
                "not verified a-",  # one long run of address characters
                "a@",
                "configuration set ",
            ]
        ),
    ),
)
