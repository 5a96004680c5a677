"""Parsing: grammar errors are located; statements remember their line ranges."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sestui.policy import PolicyError, PolicyKind, render
from tests.policyhelp import doc, pol, stmt

SEED_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["ses:GetSendQuota", "ses:GetSendStatistics"],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["ses:SendEmail", "ses:SendRawEmail"],
            "Resource": "arn:aws:ses:eu-west-1:111122223333:identity/example.com",
        },
    ],
}


def test_statement_line_ranges_point_into_the_pretty_printed_text() -> None:
    p = pol(SEED_POLICY)
    assert p.text == json.dumps(SEED_POLICY, indent=2)
    lines = p.text.splitlines()
    first, second = p.statements
    assert lines[first.lines.first - 1].strip() == "{"
    assert lines[first.lines.last - 1].strip() == "},"
    assert '"ses:GetSendQuota"' in "\n".join(lines[first.lines.first - 1 : first.lines.last])
    assert second.lines.first == first.lines.last + 1
    assert "identity/example.com" in "\n".join(lines[second.lines.first - 1 : second.lines.last])
    assert lines[second.lines.last - 1].strip() == "}"


def test_single_statement_object_spans_its_object() -> None:
    d = {
        "Version": "2012-10-17",
        "Statement": {"Sid": "One", "Effect": "Allow", "Action": "ses:*", "Resource": "*"},
    }
    p = pol(d)
    (s,) = p.statements
    assert s.sid == "One"
    assert p.text.splitlines()[s.lines.first - 1].endswith('"Statement": {')
    assert s.lines.last == len(p.text.splitlines()) - 1


def test_string_document_and_dict_document_parse_alike() -> None:
    a = pol(json.dumps(SEED_POLICY))
    b = pol(SEED_POLICY)
    assert a.statements == b.statements


json_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8))
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(
    st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=4), max_size=4),
)
def test_render_is_json_dumps_indent_2(top: dict[str, object], statements: list[object]) -> None:
    document = dict(top)
    document["Statement"] = statements
    text, spans = render(document)
    assert text == json.dumps(document, indent=2)
    assert len(spans) == len(statements)
    lines = text.splitlines()
    for span, statement in zip(spans, statements, strict=True):
        chunk = "\n".join(lines[span.first - 1 : span.last]).strip().rstrip(",")
        assert json.loads(chunk) == statement


@pytest.mark.parametrize(
    ("document", "statement", "field", "words"),
    [
        (doc(stmt(effect="Permit")), 0, "Effect", 'Effect must be "Allow" or "Deny"'),
        (doc(stmt(), stmt(NotAction="ses:*")), 1, "Action", "exactly one of Action and NotAction"),
        (doc(stmt(action=None)), 0, "Action", "exactly one of Action and NotAction"),
        (doc(stmt(action=["ses:SendEmail", 7])), 0, "Action", "must be a string"),
        (doc(stmt(action="SendEmail")), 0, "Action", "not an action"),
        (doc(stmt(action=[])), 0, "Action", "empty list"),
        (doc(stmt(resource=None)), 0, "Resource", "needs Resource or NotResource"),
        (doc(stmt(NotResource="*")), 0, "Resource", "only one of Resource and NotResource"),
        (
            doc(stmt(Condition={"StringEqualz": {"ses:FromAddress": "a@b.c"}})),
            0,
            "Condition.StringEqualz",
            "unknown condition operator",
        ),
        (
            doc(stmt(Condition={"ForSomeValues:StringLike": {"k": "v"}})),
            0,
            "Condition.ForSomeValues:StringLike",
            "unknown condition set operator",
        ),
        (
            doc(stmt(Condition={"NullIfExists": {"k": "true"}})),
            0,
            "Condition.NullIfExists",
            "NullIfExists",
        ),
        (
            doc(stmt(Condition={"NumericLessThan": {"k": "ten"}})),
            0,
            "Condition.NumericLessThan.k",
            "not a valid value",
        ),
        (
            doc(stmt(Condition={"IpAddress": {"aws:SourceIp": "300.1.1.0/24"}})),
            0,
            "Condition.IpAddress.aws:SourceIp",
            "not a valid value",
        ),
        (
            doc(stmt(Condition={"DateLessThan": {"aws:CurrentTime": "yesterday"}})),
            0,
            "Condition.DateLessThan.aws:CurrentTime",
            "not a valid value",
        ),
        (
            doc(stmt(Condition={"StringEquals": {"k": {"nested": 1}}})),
            0,
            "Condition.StringEquals.k",
            "must be a string, number or boolean",
        ),
        (doc(stmt(Principal="*")), 0, "Principal", "cannot name a principal"),
        (doc(stmt(Actions="ses:*")), 0, "Actions", "unknown statement element"),
        (doc(stmt(Sid=5)), 0, "Sid", "Sid must be a string"),
    ],
)
def test_grammar_errors_name_policy_statement_and_field(
    document: dict[str, object], statement: int, field: str, words: str
) -> None:
    with pytest.raises(PolicyError) as info:
        pol(document, name="AllowSes")
    err = info.value
    assert err.policy == "AllowSes"
    assert err.statement == statement
    assert err.field == field
    assert words in str(err)
    assert str(err).startswith(f"policy AllowSes, Statement[{statement}], {field}: ")


def test_resource_policy_needs_a_principal() -> None:
    with pytest.raises(PolicyError, match="needs Principal or NotPrincipal"):
        pol(doc(stmt()), PolicyKind.RESOURCE)


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ({"Version": "2012-10-17"}, "needs a Statement"),
        ({"Version": "2013-01-01", "Statement": []}, "Version must be"),
        ({"Statement": "allow all"}, "Statement must be an object or a list"),
        ({"Statement": [], "Extra": 1}, "unknown top-level element"),
        ([1, 2], "must be a JSON object"),
        ({"Statement": ["not an object"]}, "a statement must be an object"),
    ],
)
def test_document_level_errors(document: object, words: str) -> None:
    with pytest.raises(PolicyError, match=words):
        pol(document)


def test_malformed_json_reports_line_and_column() -> None:
    text = '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {"Effect": "Allow",,}\n  ]\n}'
    with pytest.raises(PolicyError) as info:
        pol(text, name="broken")
    assert info.value.line == 4
    assert info.value.column is not None
    assert "policy broken" in str(info.value) and "line 4" in str(info.value)


def test_scp_without_resource_means_every_resource() -> None:
    p = pol({"Statement": [{"Effect": "Deny", "Action": "ses:*"}]}, PolicyKind.SCP)
    assert p.statements[0].resources[0].text == "*"
    assert not p.statements[0].has_resource


def test_condition_values_of_every_json_type_become_strings() -> None:
    p = pol(
        doc(
            stmt(
                Condition={
                    "Bool": {"aws:SecureTransport": False},
                    "NumericLessThan": {"n": [1, 2.5]},
                }
            )
        )
    )
    by_key = {c.key: c.values for c in p.statements[0].conditions}
    assert by_key == {"aws:SecureTransport": ("false",), "n": ("1", "2.5")}


@given(
    st.dictionaries(st.text(max_size=8), json_values, max_size=5),
    st.one_of(
        st.lists(st.dictionaries(st.text(max_size=6), json_values, max_size=4), max_size=4),
        st.dictionaries(st.text(max_size=6), json_values, max_size=4),
    ),
)
def test_counted_spans_equal_rendered_spans(top: dict[str, object], statements: object) -> None:
    from sestui.policy.document import statement_spans

    document = dict(top)
    document["Statement"] = statements
    assert statement_spans(document) == render(document)[1]
