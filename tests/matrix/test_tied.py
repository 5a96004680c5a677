"""Cells where two kinds of statement read one unknown key ("tied": one key, one value) are
settled by the fast matrix over the key's values, and agree with the exact per-cell decision."""

from __future__ import annotations

from typing import Any

import pytest

from sestui.account import account_from_snapshot
from sestui.decide import Outcome
from sestui.matrix.fast import FastMatrix, exact_outcome
from tests.accounthelp import allow, arn, deny, doc, snapshot

NOW = "2026-11-28T10:00:00Z"
TEN = {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
NOT_TEN = {"NotIpAddress": {"aws:SourceIp": "10.0.0.0/8"}}
IDENTITIES = [{"name": "example.com"}, {"name": "ops@example.com"}, {"name": "news.example.org"}]

CASES: list[tuple[str, dict[str, Any], Outcome]] = [
    (
        # Either the address is in 10/8 or it is not: one of the two Allows always applies.
        "allowed inside and outside",
        {"inline": [doc(allow(Condition=TEN), allow(Condition=NOT_TEN))]},
        Outcome.ALLOWED,
    ),
    (
        # The Allow and the Deny apply together: never allowed, always explicitly denied.
        "deny on the allowing value",
        {"inline": [doc(allow(Condition=TEN), deny(Condition=TEN))]},
        Outcome.DENIED,
    ),
    (
        "deny on part of the allowing range",
        {
            "inline": [
                doc(
                    allow(Condition=TEN),
                    deny(Condition={"IpAddress": {"aws:SourceIp": "10.1.0.0/16"}}),
                )
            ]
        },
        Outcome.UNDECIDED,
    ),
    (
        # The SCP allows SES only inside 10/8, the user's policy only outside it.
        "SCP and identity policy disagree",
        {
            "inline": [doc(allow(Condition=NOT_TEN))],
            "org": "member",
            "scp_levels": [[doc(allow("*", "*"))], [doc(allow("ses:*", "*", Condition=TEN))]],
        },
        Outcome.DENIED,
    ),
    (
        # Inside 10/8 an explicit Deny, outside it the boundary allows nothing.
        "boundary and Deny exclude each other",
        {
            "inline": [doc(allow("ses:*"), deny(Condition=TEN))],
            "boundary": doc(allow("ses:*", "*", Condition=TEN)),
        },
        Outcome.DENIED,
    ),
    (
        # The identity's own policy denies everyone outside 10/8; the user may send only
        # from 192.168/16.
        "sending-authorization Deny against the identity policy",
        {
            "inline": [doc(allow(Condition={"IpAddress": {"aws:SourceIp": "192.168.0.0/16"}}))],
            "identities": [
                {
                    "name": "example.com",
                    "policies": {
                        "perimeter": doc(
                            deny(
                                "ses:*",
                                arn("identity", "example.com"),
                                Principal="*",
                                Condition=NOT_TEN,
                            )
                        )
                    },
                },
                {"name": "news.example.org"},
            ],
        },
        Outcome.DENIED,
    ),
    (
        # Recipients all at example.com are allowed, any at evil.example denied: it depends.
        "recipients allowed and denied",
        {
            "inline": [
                doc(
                    allow(
                        Condition={"ForAllValues:StringLike": {"ses:Recipients": "*@example.com"}}
                    ),
                    deny(
                        Condition={"ForAnyValue:StringLike": {"ses:Recipients": "*@evil.example"}}
                    ),
                )
            ]
        },
        Outcome.UNDECIDED,
    ),
]


@pytest.mark.parametrize(("title", "spec", "expected"), CASES, ids=[c[0] for c in CASES])
def test_tied_cells_are_settled_over_the_keys_values(
    title: str, spec: dict[str, Any], expected: Outcome
) -> None:
    account = account_from_snapshot(snapshot(**{"identities": IDENTITIES, **spec}))
    region = "eu-west-1"
    names = tuple(sorted(account.regions[region].identities))
    engine = FastMatrix(account, region, names, now=NOW)
    (user,) = [p for p in account.principals if p.name == "app"]
    row = engine.row(user)
    exact = tuple(exact_outcome(account, engine.base, user, name) for name in names)
    assert row == exact
    assert row[names.index("example.com")] is expected
    # Settled over the bitsets, not handed to the per-cell exact path.
    assert engine.settled_cells >= 1
    assert engine.exact_cells == 0
