"""Laws of evaluation, checked with hypothesis on generated policies and requests."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sestui.policy import Decision, PolicyKind, PolicySet, Request, evaluate
from tests.examples import examples
from tests.policyhelp import ACCT, pol

REGIONS = ["eu-west-1", "us-east-1"]
NAMES = ["example.com", "a@example.com", "b@example.org"]
ACTIONS = ["ses:SendEmail", "ses:SendRawEmail", "ses:GetSendQuota", "s3:GetObject"]

action_pat = st.sampled_from(
    ["*", "ses:*", "ses:Send*", "ses:SendRawEmail", "ses:SendEmail", "s3:*", "ses:Get*"]
)
resource_pat = st.one_of(
    st.just("*"),
    st.builds(
        lambda r, n: f"arn:aws:ses:{r}:{ACCT}:identity/{n}",
        st.sampled_from([*REGIONS, "*"]),
        st.sampled_from([*NAMES, "*", "*.com"]),
    ),
)
condition = st.one_of(
    st.none(),
    st.builds(
        lambda op, v: {op: {"ses:FromAddress": v}},
        st.sampled_from(["StringLike", "StringNotLike", "StringEqualsIfExists"]),
        st.sampled_from(["*@example.com", "a@example.com"]),
    ),
    st.builds(
        lambda op, v: {op: {"aws:RequestedRegion": v}},
        st.sampled_from(["StringEquals", "StringNotEquals"]),
        st.sampled_from(REGIONS),
    ),
)


@st.composite
def statements(draw: st.DrawFn, effect: str | None = None) -> dict[str, Any]:
    s: dict[str, Any] = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    s["NotAction" if draw(st.booleans()) and s["Effect"] == "Deny" else "Action"] = draw(
        st.lists(action_pat, min_size=1, max_size=3)
    )
    s["Resource"] = draw(st.lists(resource_pat, min_size=1, max_size=2))
    cond = draw(condition)
    if cond:
        s["Condition"] = cond
    return s


def documents(effect: str | None = None) -> st.SearchStrategy[dict[str, Any]]:
    return st.builds(
        lambda ss: {"Version": "2012-10-17", "Statement": ss},
        st.lists(statements(effect), min_size=1, max_size=4),
    )


requests = st.builds(
    lambda a, r, n, ctx: Request.build(
        f"arn:aws:iam::{ACCT}:user/mailer",
        a,
        f"arn:aws:ses:{r}:{ACCT}:identity/{n}" if not a.endswith("Quota") else "*",
        ctx,
    ),
    st.sampled_from(ACTIONS),
    st.sampled_from(REGIONS),
    st.sampled_from(NAMES),
    st.fixed_dictionaries(
        {},
        optional={
            "ses:FromAddress": st.sampled_from(["a@example.com", "x@example.org"]),
            "aws:RequestedRegion": st.sampled_from(REGIONS),
        },
    ),
)


def policy_set(
    identity: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
    scps: list[list[dict[str, Any]]] | None,
) -> PolicySet:
    return PolicySet(
        identity=tuple(pol(d) for d in identity),
        boundary=pol(boundary, PolicyKind.BOUNDARY) if boundary else None,
        scp_levels=tuple(tuple(pol(d, PolicyKind.SCP) for d in lv) for lv in scps)
        if scps is not None
        else None,
    )


ANY_SCPS = st.one_of(
    st.none(), st.lists(st.lists(documents(), min_size=1, max_size=2), min_size=1, max_size=3)
)


@settings(max_examples=examples(150))
@given(
    st.lists(documents(), max_size=3),
    st.one_of(st.none(), documents()),
    ANY_SCPS,
    statements("Deny"),
    requests,
)
def test_adding_a_deny_never_turns_a_denial_into_an_allow(
    identity: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
    scps: list[list[dict[str, Any]]] | None,
    deny: dict[str, Any],
    request: Request,
) -> None:
    before = evaluate(request, policy_set(identity, boundary, scps)).decision
    after = evaluate(
        request,
        policy_set([*identity, {"Version": "2012-10-17", "Statement": [deny]}], boundary, scps),
    )
    if before is not Decision.ALLOWED:
        assert after.decision is not Decision.ALLOWED
    if before is Decision.EXPLICITLY_DENIED:
        assert after.decision is Decision.EXPLICITLY_DENIED


FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


@settings(max_examples=examples(150))
@given(st.lists(documents(), max_size=3), ANY_SCPS, st.integers(min_value=0, max_value=3), requests)
def test_an_scp_level_that_allows_everything_changes_nothing(
    identity: list[dict[str, Any]],
    scps: list[list[dict[str, Any]]] | None,
    at: int,
    request: Request,
) -> None:
    levels = list(scps or [])
    before = evaluate(request, policy_set(identity, None, levels or None)).decision
    levels.insert(min(at, len(levels)), [FULL])
    assert evaluate(request, policy_set(identity, None, levels)).decision is before


@settings(max_examples=examples(150))
@given(
    st.lists(documents(), min_size=1, max_size=3),
    st.one_of(st.none(), documents()),
    st.randoms(use_true_random=False),
    requests,
)
def test_statement_and_policy_order_never_matters(
    identity: list[dict[str, Any]],
    boundary: dict[str, Any] | None,
    rnd: random.Random,
    request: Request,
) -> None:
    before = evaluate(request, policy_set(identity, boundary, None)).decision
    shuffled = []
    for d in identity:
        ss = list(d["Statement"])
        rnd.shuffle(ss)
        shuffled.append({"Version": "2012-10-17", "Statement": ss})
    rnd.shuffle(shuffled)
    assert evaluate(request, policy_set(shuffled, boundary, None)).decision is before
