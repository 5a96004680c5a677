"""Fuzzing with a moderate example count (a large run: `python -m tests.bench fuzz`)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings

from sestui.policy import PolicyKind
from tests.examples import examples
from tests.fuzzing import (
    check_document,
    check_explain,
    check_snapshot,
    documents,
    explain_texts,
    kinds,
    requests,
    snapshots,
)

MODERATE = settings(
    max_examples=examples(120),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@MODERATE
@given(documents, kinds, requests)
def test_policies_decide_or_raise_a_located_error(
    document: Any, kind: PolicyKind, request: tuple[Any, ...]
) -> None:
    check_document(document, kind, request)


@MODERATE
@given(snapshots())
def test_snapshots_load_or_raise_a_snapshot_error(data: Any) -> None:
    check_snapshot(data)


@MODERATE
@given(explain_texts)
def test_explain_input_never_crashes(text: str) -> None:
    check_explain(text)


def test_pathological_inputs() -> None:
    request: tuple[Any, ...] = (
        "arn:aws:iam::111122223333:user/u",
        "ses:SendRawEmail",
        "arn:aws:ses:eu-west-1:111122223333:identity/" + "a" * 100_000,
        {},
    )
    wildcards = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "ses:*",
                "Resource": "arn:aws:ses:*:*:identity/" + "*a" * 500 + "*c",
                "Condition": {"StringLike": {"ses:FromAddress": "*a" * 1000 + "*c"}},
            }
        ],
    }
    check_document(wildcards, PolicyKind.IDENTITY, request)
    deep: Any = "x"
    for _ in range(100_000):
        deep = [deep]
    check_document({"Statement": deep}, PolicyKind.IDENTITY, request)
    check_document("[" * 100_000, PolicyKind.IDENTITY, request)
    check_document(
        {"Statement": [{"Effect": "Allow", "Action": "é" * 1_000_000, "Resource": "*"}]},
        PolicyKind.IDENTITY,
        request,
    )
    check_explain("arn:aws:iam::111122223333:user/" + "a" * 1_000_000)


def test_deeply_nested_snapshots() -> None:
    from sestui.demo.build import build

    deep: Any = "x"
    for _ in range(50_000):
        deep = [deep]
    for path in (("iam", "UserDetailList"), ("ses", "regions"), ("organizations", "levels")):
        data = build()
        data[path[0]][path[1]] = deep
        check_snapshot(data)
    data = build()
    data["iam"]["UserDetailList"][0]["UserPolicyList"][0]["PolicyDocument"] = {"Statement": deep}
    check_snapshot(data)  # loads: the document is only parsed when a check reads it
