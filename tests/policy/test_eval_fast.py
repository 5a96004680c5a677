"""The `sestui eval` fast path (policy/decide.py) decides exactly as parse + evaluate do.

On every case: the same decision, and never a decision where the exact path refuses the case
(the fast path leaves those to it, so the located error stays the same).
"""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sestui.policy.cases import _run_streamed, dumps, evaluate_case, run_cases, run_text
from sestui.policy.decide import decide
from sestui.policy.errors import PolicyError
from sestui.policy.jsontext import load_json
from sestui.textsafe import json_text
from tests.bench.bench_eval import make_cases
from tests.examples import examples
from tests.fuzzing import mutated
from tests.paths import DATA

ACCT = "111122223333"
OTHER = "444455556666"
CASES = DATA / "cases.json"


def exact(case: Any) -> str | None:
    """The exact path's decision, or None when it refuses the case."""
    try:
        return evaluate_case(case).decision.value
    except PolicyError:
        return None


def assert_same(case: Any, *, valid: bool = False) -> None:
    fast = decide(case)
    want = exact(case)
    if fast is not None:
        assert fast.value == want, json.dumps(case, indent=1)
    if valid:
        assert want is not None, json.dumps(case, indent=1)
        assert fast is not None, json.dumps(case, indent=1)


def test_worked_examples() -> None:
    for case in json.loads(CASES.read_text()):
        assert_same(case, valid=True)
        assert decide(case).value == case["expected"]  # type: ignore[union-attr]


def test_generated_distinct_cases() -> None:
    for case in make_cases(600, seed=11):
        assert_same(case, valid=True)


# -- generated cases ----------------------------------------------------------------------

NAMES = ["example.com", "a@example.com", "b@example.org"]
action_pat = st.sampled_from(
    ["*", "ses:*", "ses:Send*", "ses:SendRawEmail", "ses:SendEmail", "s3:*", "ses:Get?endQuota"]
)
resource_pat = st.sampled_from(
    [
        "*",
        f"arn:aws:ses:eu-west-1:{ACCT}:identity/example.com",
        f"arn:aws:ses:*:{ACCT}:identity/*@example.com",
        "arn:aws:ses:*:*:identity/*",
        f"arn:aws:ses:eu-west-1:{OTHER}:identity/*",
        "arn:aws:ses:*:${aws:PrincipalAccount}:identity/${aws:username}@example.com",
        "arn:aws:ses:*",
        "arn:aws:ses:eu-west-1:*:identity/${aws:PrincipalTag/d, 'example.com'}",
    ]
)
condition_value = st.one_of(
    st.sampled_from(
        [
            "*@example.com",
            "a@example.com",
            "eu-west-1",
            "10.0.0.0/8",
            "2001:db8::/32",
            "2026-01-01T00:00:00Z",
            "1700000000",
            "true",
            "false",
            "5",
            f"arn:aws:iam::{ACCT}:user/*",
            "${aws:username}@example.com",
            "not a date",
            "10.0.0.0/33",
            "",
        ]
    ),
    st.integers(-3, 3),
    st.booleans(),
)
condition_key = st.sampled_from(
    [
        "ses:FromAddress",
        "ses:Recipients",
        "aws:RequestedRegion",
        "aws:SourceIp",
        "aws:CurrentTime",
        "aws:SecureTransport",
        "aws:PrincipalArn",
        "ses:FeedbackAddress",
        "aws:MultiFactorAuthAge",
    ]
)
operator = st.sampled_from(
    [
        "StringEquals",
        "StringNotEquals",
        "StringLike",
        "StringNotLikeIfExists",
        "StringEqualsIgnoreCase",
        "ForAllValues:StringLike",
        "ForAnyValue:StringEquals",
        "IpAddress",
        "NotIpAddress",
        "DateLessThan",
        "DateGreaterThanEquals",
        "NumericLessThan",
        "Bool",
        "ArnLike",
        "ArnNotEquals",
        "Null",
        "BinaryEquals",
    ]
)
conditions = st.dictionaries(
    operator,
    st.dictionaries(
        condition_key, st.one_of(condition_value, st.lists(condition_value, max_size=3)), min_size=1
    ),
    max_size=2,
)
principal_pat = st.one_of(
    st.just("*"),
    st.builds(
        lambda xs: {"AWS": xs if len(xs) > 1 else xs[0]},
        st.lists(
            st.sampled_from(
                [
                    "*",
                    ACCT,
                    f"arn:aws:iam::{ACCT}:root",
                    f"arn:aws:iam::{ACCT}:user/mailer",
                    f"arn:aws:iam::{ACCT}:role/sender",
                    f"arn:aws:sts::{ACCT}:assumed-role/sender/s1",
                    f"arn:aws:iam::{OTHER}:user/mailer",
                    OTHER,
                ]
            ),
            min_size=1,
            max_size=2,
        ),
    ),
    st.just({"Service": "ses.amazonaws.com"}),
)


# One element in about forty is broken (each a rule of document._statement or parse_conditions).
BROKEN: dict[str, list[Any]] = {
    "Sid": [5, None],
    "Effect": ["Maybe", ["Allow"], None],
    "Action": ["ses", ":x", [], ["ses:*", 3], {"a": 1}],
    "Resource": [[], 7, ["*", None]],
    "Principal": [{"AWS": []}, {"Bad": "*"}, {}, "x", ["*"]],
    "Condition": [
        {"StringFoo": {"k": "v"}},
        {"StringLike": {}},
        {"StringLike": {"k": None}},
        {"DateLessThan": {"k": "soon"}},
        {"IpAddress": {"k": 5}},
        [],
        {"StringLike": {"k": [["v"]]}},
        {"NullIfExists": {"k": "true"}},
        {"Bogus:StringLike": {"k": "v"}},
        {"NumericLessThan": {"k": True}},
        {"StringLike": {"": "v"}},
    ],
}


def _maybe_broken(draw: st.DrawFn, key: str, value: Any, rate: int) -> Any:
    if rate and key in BROKEN and draw(st.integers(0, rate)) == 0:
        return draw(st.sampled_from(BROKEN[key]))
    return value


@st.composite
def statement(draw: st.DrawFn, resource_policy: bool, scp: bool, rate: int) -> dict[str, Any]:
    s: dict[str, Any] = {}
    if draw(st.booleans()):
        s["Sid"] = _maybe_broken(draw, "Sid", draw(st.sampled_from(["A", "B1", ""])), rate)
    s["Effect"] = _maybe_broken(draw, "Effect", draw(st.sampled_from(["Allow", "Deny"])), rate)
    if resource_policy or draw(st.integers(0, 60)) == 0:
        s["NotPrincipal" if draw(st.integers(0, 3)) == 0 else "Principal"] = _maybe_broken(
            draw, "Principal", draw(principal_pat), rate
        )
    actions = draw(st.lists(action_pat, min_size=1, max_size=3))
    s["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = _maybe_broken(
        draw, "Action", actions[0] if len(actions) == 1 else actions, rate
    )
    if not (scp and draw(st.integers(0, 3)) == 0):
        resources = draw(st.lists(resource_pat, min_size=1, max_size=2))
        s["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = _maybe_broken(
            draw, "Resource", resources, rate
        )
    if draw(st.integers(0, 2)) == 0:
        s["Condition"] = _maybe_broken(draw, "Condition", draw(conditions), rate)
    if rate and draw(st.integers(0, 2 * rate)) == 0:
        s[draw(st.sampled_from(["Foo", "Actions", "effect"]))] = "x"
    return s


@st.composite
def document(
    draw: st.DrawFn, resource_policy: bool = False, scp: bool = False, rate: int = 0
) -> Any:
    body = draw(st.lists(statement(resource_policy, scp, rate), max_size=4))
    doc: dict[str, Any] = {"Statement": body[0] if len(body) == 1 else body}
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17", None]))
    if rate and draw(st.integers(0, 2 * rate)) == 0:
        doc[draw(st.sampled_from(["Version", "Id", "Statements"]))] = draw(
            st.sampled_from(["2013-01-01", 5, None, "x"])
        )
    if version:
        doc["Version"] = version
    return json.dumps(doc) if draw(st.integers(0, 5)) == 0 else doc


@st.composite
def cases(draw: st.DrawFn, rate: int = 0) -> dict[str, Any]:
    """A case; with `rate`, about one element in `rate` is broken."""
    principal = draw(
        st.sampled_from(
            [
                f"arn:aws:iam::{ACCT}:user/mailer",
                f"arn:aws:sts::{ACCT}:assumed-role/sender/s1",
                f"arn:aws:iam::{ACCT}:role/sender",
                f"arn:aws:iam::{OTHER}:user/mailer",
            ]
        )
    )
    action = draw(st.sampled_from(["ses:SendEmail", "ses:SendRawEmail", "ses:GetSendQuota"]))
    owner = draw(st.sampled_from([ACCT, ACCT, OTHER]))
    context = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "ses:FromAddress": st.sampled_from(["a@example.com", "x@example.org"]),
                "aws:RequestedRegion": st.just("eu-west-1"),
                "ses:Recipients": st.lists(st.sampled_from(NAMES), max_size=3),
                "aws:SourceIp": st.sampled_from(["10.1.2.3", "2001:db8::1", "198.51.100.7"]),
                "aws:CurrentTime": st.sampled_from(["2025-06-01T00:00:00Z", "2027-01-01"]),
                "aws:SecureTransport": st.sampled_from(["true", "false", True]),
                "aws:MultiFactorAuthAge": st.sampled_from([1, "10"]),
                "aws:PrincipalTag/d": st.sampled_from(["example.com", None]),
            },
        )
    )
    return {
        "id": draw(st.sampled_from(["c", 7, None])),
        "principal": principal,
        "action": action,
        "resource": "*"
        if action == "ses:GetSendQuota"
        else f"arn:aws:ses:eu-west-1:{owner}:identity/{draw(st.sampled_from(NAMES))}",
        "context": context,
        "identity_policies": draw(st.lists(document(rate=rate), max_size=3)),
        "permissions_boundary": draw(
            st.one_of(st.none(), document(rate=rate), st.just(False) if rate else st.none())
        ),
        "scps": draw(st.lists(st.lists(document(scp=True, rate=rate), max_size=2), max_size=3)),
        "resource_policies": draw(
            st.lists(document(resource_policy=True, rate=rate), min_size=1, max_size=2)
        ),
    }


SETTINGS = settings(
    max_examples=examples(150), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(cases())
def test_generated_cases_decide_alike(case: dict[str, Any]) -> None:
    assert_same(case)


@SETTINGS
@given(cases(rate=8))
def test_broken_elements_are_refused_alike(case: dict[str, Any]) -> None:
    assert_same(case)


@SETTINGS
@given(cases(), st.data())
def test_mutated_documents_are_refused_alike(case: dict[str, Any], data: st.DataObject) -> None:
    """A document broken anywhere: the fast path never decides what the exact path refuses."""
    slots = [
        (key, i)
        for key in ("identity_policies", "resource_policies")
        for i, d in enumerate(case[key])
        if isinstance(d, dict)
    ]
    if slots:
        key, i = data.draw(st.sampled_from(slots))
        case[key][i] = data.draw(mutated(case[key][i]))
    else:
        case = data.draw(mutated(case))
    assert_same(case)


def test_not_principal_deny_hits_a_principal_with_a_boundary() -> None:
    """IAM: a resource-policy Deny with NotPrincipal denies any principal with a boundary."""
    allow = {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}
    case: dict[str, Any] = {
        "principal": f"arn:aws:iam::{ACCT}:user/mailer",
        "action": "ses:SendEmail",
        "resource": f"arn:aws:ses:eu-west-1:{ACCT}:identity/example.com",
        "identity_policies": [{"Statement": allow}],
        "permissions_boundary": {"Statement": allow},
        "resource_policies": [
            {
                "Statement": dict(
                    allow, Effect="Deny", NotPrincipal={"AWS": f"arn:aws:iam::{ACCT}:user/mailer"}
                )
            }
        ],
    }
    for boundary, want in ((allow, "ExplicitlyDenied"), (None, "Allowed")):
        case["permissions_boundary"] = boundary and {"Statement": boundary}
        assert_same(case, valid=True)
        assert exact(case) == want


def test_the_strongest_grant_of_a_resource_policy_counts() -> None:
    """`*` then the user's own ARN: the user is named (allowed past a boundary that denies)."""
    allow = {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}
    case = {
        "principal": f"arn:aws:iam::{ACCT}:user/mailer",
        "action": "ses:SendEmail",
        "resource": f"arn:aws:ses:eu-west-1:{ACCT}:identity/example.com",
        "permissions_boundary": {"Statement": dict(allow, Action="s3:*")},
        "resource_policies": [
            {"Statement": [dict(allow, Principal="*")]},
            {"Statement": [dict(allow, Principal={"AWS": f"arn:aws:iam::{ACCT}:user/mailer"})]},
        ],
    }
    assert_same(case, valid=True)
    assert exact(case) == "Allowed"


def test_every_broken_element_is_refused_where_it_is_never_evaluated() -> None:
    """Each broken element, in a statement after a Deny that already decided (so the fast path
    never evaluates it), and in one for another action: never a decision, always the exact
    path's error."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    elsewhere = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
    gone = object()
    variants: list[tuple[str, Any, str]] = [
        (k, v, "identity_policies") for k, vs in BROKEN.items() for v in vs if k != "Sid" or v
    ]
    variants += [(k, v, "identity_policies") for k, v in (("NotPrincipal", {"AWS": "*"}),)]
    variants += [("Resource", gone, "identity_policies"), ("Foo", "x", "identity_policies")]
    variants += [("Principal", v, "resource_policies") for v in BROKEN["Principal"]]
    variants += [("Principal", gone, "resource_policies")]
    for key, value, kind in variants:
        for before in (deny, elsewhere):
            statements = [dict(before), dict(elsewhere)]
            if kind == "resource_policies":
                statements = [dict(st, Principal="*") for st in statements]
            if value is gone:
                del statements[1][key]
            else:
                statements[1][key] = value
            case = {
                "principal": f"arn:aws:iam::{ACCT}:user/u",
                "action": "ses:SendEmail",
                "resource": "*",
                kind: [{"Version": "2012-10-17", "Statement": statements}],
            }
            assert exact(case) is None, (key, value, kind)
            assert decide(case) is None, (key, value, kind)


def test_every_element_is_validated_even_after_the_decision() -> None:
    """A Deny decides at once, but a broken statement after it still refuses the case."""
    deny = {"Effect": "Deny", "Action": "*", "Resource": "*"}
    case: dict[str, Any] = {
        "principal": f"arn:aws:iam::{ACCT}:user/u",
        "action": "ses:SendEmail",
        "resource": "*",
        "identity_policies": [{"Statement": [deny, dict(deny, Effect="Maybe")]}],
    }
    assert decide(case) is None
    assert run_cases([case])[0]["error"].endswith('Effect must be "Allow" or "Deny", not \'Maybe\'')
    fine = copy.deepcopy(case)
    fine["identity_policies"][0]["Statement"][1]["Effect"] = "Allow"
    assert decide(fine) is not None and decide(fine).value == "ExplicitlyDenied"  # type: ignore[union-attr]


def test_run_text_is_load_json_then_run_cases() -> None:
    """The same results, and the same whole-file errors (nesting, lone surrogates, bad JSON)."""
    good = {
        "id": "g",
        "principal": f"arn:aws:iam::{ACCT}:user/u",
        "action": "ses:SendEmail",
        "resource": "*",
        "identity_policies": [
            {"Statement": {"Effect": "Allow", "Action": "ses:*", "Resource": "*"}}
        ],
    }
    deep: Any = "x"
    for _ in range(70):
        deep = [deep]
    texts = [
        json.dumps([good, dict(good, id="h", tags=["a"])]),
        json.dumps([good, dict(good, id=deep)]),  # too deep, in a field nobody reads
        json.dumps([good, dict(good, context={"k": deep})]),
        json.dumps([dict(good, id="\ud800")]),
        json.dumps([dict(good, identity_policies=[json.dumps(good["identity_policies"][0])])]),
        json.dumps([dict(good, identity_policies=['{"Statement": "\\ud800"}'])]),
        json.dumps({"not": "a list"}),
        json.dumps(deep),
        '[{"id": 1,',
    ]
    for text in texts:
        want, got = _exact_and_fast(text)
        assert got == want, text[:200]
    assert "nested deeper than 64 levels" in str(
        _error(lambda: run_text(json.dumps([good, dict(good, id=deep)])))
    )


def test_cases_decoded_one_at_a_time_are_the_cases_of_the_whole_text() -> None:
    """run_text decodes and decides a well-formed array one case at a time (_run_streamed);
    any other text goes the whole-text way. Either way the results and errors are those of
    run_cases(load_json(text)), and the one-at-a-time path is taken for every array json
    accepts (it would otherwise never be tested)."""
    good = json.dumps(
        {
            "id": "g",
            "principal": f"arn:aws:iam::{ACCT}:user/u",
            "action": "ses:SendEmail",
            "resource": "*",
            "identity_policies": [
                {"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}
            ],
        }
    )
    bad = good.replace('"Allow"', '"Maybe"')  # decided on the exact path: an error entry
    deep = good.replace(
        '"resource": "*"', '"resource": "*", "context": {"k": ' + "[" * 70 + '"x"' + "]" * 70 + "}"
    )
    arrays = [
        "[]",
        " \t\r\n[ \n ]\n ",
        f"[{good}]",
        f"[{good},{good}]",
        f"\n[\n {good} ,\r\n\t{bad}\n]\n",
        f"[{good}, 7, null, {bad}]",
        f"[{good},{deep.replace('[' * 70, '[' * 10).replace(']' * 70, ']' * 10)}]",
    ]
    others = [
        "",
        " ",
        "[",
        f"[{good}",
        f"[{good},]",
        f"[{good} {good}]",
        f"[{good}]]",
        f"[{good}] x",
        f"[{good}], []",
        "\ufeff[]",
        "{}",
        f"[{good}, {deep}]",  # passes json, too deep for the bound: the whole-text error
        f"[{good}, {bad}, {{]",  # a late syntax error after a case for the exact path
        "[" * 5000 + "]" * 5000,
    ]
    for text in arrays + others:
        want, got = _exact_and_fast(text)
        assert got == want, text[:200]
        streamed = _run_streamed(text)
        assert (streamed is not None) is (text in arrays), text[:200]
        if streamed is not None:
            assert streamed == want


def _exact_and_fast(text: str) -> tuple[Any, Any]:
    """The results of a cases text, or its error's message, by the exact path (the whole text
    decoded, then decided) and by `run_text`."""
    try:
        want: Any = run_cases(load_json(text))
    except PolicyError as exc:
        want = str(exc)
    try:
        got: Any = run_text(text)
    except PolicyError as exc:
        got = str(exc)
    return want, got


def _error(fn: Any) -> PolicyError | None:
    try:
        fn()
    except PolicyError as exc:
        return exc
    return None


def test_results_are_written_as_json_text_writes_them() -> None:
    results: list[Any] = [
        {"id": "a", "decision": "Allowed"},
        {"id": 7, "decision": None, "error": 'policy p, Statement[0]: "x"\\ \u00e9'},
        {"id": "\u202e\x1b", "decision": "ImplicitlyDenied"},
        {"id": None, "decision": "ExplicitlyDenied"},
        {"id": True, "decision": "Allowed"},
        {"id": {"nested": [1.5]}, "decision": "Allowed"},
    ]
    for n in range(len(results) + 1):
        assert dumps(results[:n]) == json_text(results[:n]) + "\n"
    assert dumps(results[:2]) != json_text(results[:1]) + "\n"


def test_decision_only_evaluation_decides_alike() -> None:
    """`evaluate(..., decision_only=True)` (the completions `unknowns.settle` only counts) skips
    the conditions of statements whose resource or principal misses: same decision, always."""
    from sestui.policy import Request, evaluate
    from sestui.policy.cases import case_policies

    seen = set()
    for case in [*json.loads(CASES.read_text()), *make_cases(600, seed=12)]:
        request = Request.build(
            case["principal"], case["action"], case["resource"], case.get("context") or {}
        )
        policies = case_policies(case)
        full = evaluate(request, policies)
        lite = evaluate(request, policies, decision_only=True)
        assert lite.decision is full.decision, json.dumps(case, indent=1)
        assert lite.deciding is full.deciding
        seen.add(full.decision)
    assert len(seen) == 3  # allowed, explicitly and implicitly denied
