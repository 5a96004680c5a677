"""The analysis the checks share: built whole, never changed, and each policy traced back to the
document it was parsed from."""

from __future__ import annotations

import dataclasses

import pytest

from sestui.account import Account, load_snapshot
from sestui.decide import Selection, run
from sestui.demo import demo_path
from sestui.policy import Effect, PolicyKind
from sestui.verdict.analysis import analyze

EU = "eu-west-1"


@pytest.fixture(scope="module")
def demo() -> Account:
    return load_snapshot(demo_path())[0]


@pytest.mark.parametrize(
    "principal",
    ["iam-user-name", "old-crm", "contractor", "dev-sandbox"],
)
def test_every_traced_policy_maps_back_to_its_document(demo: Account, principal: str) -> None:
    a = analyze(demo, Selection(principal, EU, from_address="info@example.com"))
    traces = [t for ev in a.evaluations for t in ev.evaluation.traces]
    assert traces
    for t in traces:
        doc = a.document_of(t.policy)
        assert doc is not None and doc.source == t.policy.source
        assert t.statement in doc.policy.statements


def test_an_analysis_cannot_be_changed(demo: Account) -> None:
    a = analyze(demo, Selection("iam-user-name", EU, from_address="info@example.com"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.identity_arn = "arn:aws:ses:eu-west-1:111122223333:identity/other.example"  # type: ignore[misc]
    assert a.identity_arn.endswith(":identity/example.com")


def test_an_scp_deny_is_blamed_by_its_effect(demo: Account) -> None:
    """The SCP that denies old-crm is found by its statement's Deny effect."""
    v = run(demo, Selection("old-crm", EU, from_address="info@example.com"))
    blamed = [f for c in v.checks for f in c.findings if f.effect is Effect.DENY]
    assert blamed and all(f.kind is PolicyKind.SCP for f in blamed)
