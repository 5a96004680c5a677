"""Module-level caches stay bounded however many accounts are loaded, and clearing them never
changes a decision."""

from __future__ import annotations

import importlib

import pytest

from sestui.matrix import fast as fastmatrix
from sestui.policy import (
    Decision,
    PolicyKind,
    PolicySet,
    PolicySource,
    Request,
    evaluate,
    parse_policy,
)

# The package exports the function `evaluate`, which hides the module of the same name.
evaluate_module = importlib.import_module("sestui.policy.evaluate")

USER = "arn:aws:iam::111122223333:user/alice"
IDENTITY = "arn:aws:ses:eu-west-1:111122223333:identity/example.com"


def _policy(i: int) -> object:
    # Every document distinct (its own Sid and action list), as after many reloads of new data.
    return parse_policy(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Sid": f"S{i}", "Effect": "Allow", "Action": [f"s3:Get{i}", "ses:SendRawEmail"],
                 "Resource": "*"}
            ],
        },
        PolicySource(PolicyKind.IDENTITY, f"p{i}", None, "test"),
    )  # fmt: skip


def test_the_action_index_is_bounded_and_stays_correct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(evaluate_module, "INDEX_LIMIT", 16)
    monkeypatch.setattr(evaluate_module, "_INDEX", {})
    for i in range(200):
        request = Request.build(USER, "ses:SendRawEmail", IDENTITY, {})
        result = evaluate(request, PolicySet((_policy(i),), None, None, ()))  # type: ignore[arg-type]
        assert result.decision is Decision.ALLOWED
        assert len(evaluate_module._INDEX) <= 16


def test_the_matrix_statement_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastmatrix, "READS_LIMIT", 16)
    monkeypatch.setattr(fastmatrix, "_READS", {})
    for i in range(200):
        statement = _policy(i).statements[0]  # type: ignore[attr-defined]
        assert fastmatrix._reads_principal(statement) is False
        assert len(fastmatrix._READS) <= 16
