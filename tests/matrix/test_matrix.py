"""The fast (bitset) matrix agrees with the exact per-cell decision, cell by cell."""

from __future__ import annotations

import functools
from collections import Counter

import pytest

from sestui.account import Account, account_from_snapshot, load_snapshot
from sestui.decide import Outcome, SendPath
from sestui.demo import demo_path
from sestui.matrix.exact import column, who_can_send
from tests.bench.generate import generate

NOW = "2026-11-28T10:00:00Z"


def assert_same(account: Account, region: str, **kwargs: object) -> Counter[Outcome]:
    fast = who_can_send(account, region, now=NOW, **kwargs)  # type: ignore[arg-type]
    exact = who_can_send(account, region, now=NOW, exact=True, **kwargs)  # type: ignore[arg-type]
    assert fast.identities == exact.identities
    diffs = [
        (p.name, name, f, e)
        for p, frow, erow in zip(fast.principals, fast.cells, exact.cells, strict=True)
        for name, f, e in zip(fast.identities, frow, erow, strict=True)
        if f != e
    ]
    assert diffs == []
    return Counter(c for row in fast.cells for c in row)


@pytest.mark.parametrize("region", ["eu-west-1", "us-east-1", "eu-central-1", "us-west-2"])
def test_demo_matrix_fast_equals_exact(region: str) -> None:
    demo, _ = load_snapshot(demo_path())
    assert_same(demo, region)
    assert_same(demo, region, path=SendPath.API_V2, actions=("ses:SendEmail",))


@functools.cache
def generated() -> Account:
    # A smaller account from the benchmark generator: groups, boundaries, conditions, NotAction,
    # NotResource, sending-authorization policies naming users, a four-level SCP chain.
    return account_from_snapshot(
        generate(3, users=120, roles=30, groups=25, policies=90, identities=160)
    )


# One test per region (each exact matrix takes seconds), so that xdist can share them out. The
# comparison means something only if every outcome occurs; in ap-southeast-2 the generated SCP's
# region guard denies everything.
@pytest.mark.parametrize(
    ("region", "actions", "every_outcome"),
    [
        ("eu-west-1", None, True),
        ("us-east-1", None, True),
        ("ap-southeast-2", None, False),
        ("eu-west-1", ("ses:SendEmail", "ses:GetSendQuota"), True),
    ],
)
def test_generated_account_fast_equals_exact(
    region: str, actions: tuple[str, ...] | None, every_outcome: bool
) -> None:
    seen = assert_same(generated(), region, **({} if actions is None else {"actions": actions}))
    if every_outcome:
        assert seen[Outcome.ALLOWED] and seen[Outcome.DENIED] and seen[Outcome.UNDECIDED]
    else:
        assert set(seen) == {Outcome.DENIED}


def test_column_matches_the_matrix() -> None:
    demo, _ = load_snapshot(demo_path())
    m = who_can_send(demo, "eu-west-1")
    col = column(demo, "eu-west-1", "example.com")
    j = m.identities.index("example.com")
    assert col == {p.arn: row[j] for p, row in zip(m.principals, m.cells, strict=True)}


def test_unread_identity_details_agree_between_fast_and_exact() -> None:
    from sestui.demo.build import build

    data = build()
    for ident in data["ses"]["regions"]["eu-west-1"]["identities"][:3]:
        ident.pop("VerificationStatus")  # as when GetEmailIdentity was denied
        ident.pop("Policies")
    account = account_from_snapshot(data)
    seen = assert_same(account, "eu-west-1")
    assert seen[Outcome.UNDECIDED]
