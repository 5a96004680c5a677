"""Decide a neutral case without traces: the `sestui eval` fast path over decoded documents.

`sestui eval` needs one decision per case, and in a cases file nothing repeats, so compiling
every document into Policy/Statement/Condition objects and tracing every statement (what
`evaluate` does, for the TUI's explanations) is most of its time. This module validates each
document with the rules of `document.parse_policy` and decides with the rules of `evaluate`, but
builds no objects and stops looking at a statement at its first element that does not match
(the decision cannot depend on the rest; every element is still validated).

It accepts only what it is sure about: any document the exact parser might refuse, and any
unusual shape (a value that is not a string where strings are expected, nesting it does not
bound), makes `decide` return None, and the caller takes the exact path (`cases.evaluate_case`),
which gives the decision or the located error. tests/policy/test_eval_fast.py compares both paths.
"""

from __future__ import annotations

import json
from typing import Any

from sestui.policy.conditions import FAMILIES, Context, Qualifier, holds, parse_operator
from sestui.policy.document import (
    _STATEMENT_FIELDS,
    _TOP_FIELDS,
    VERSION_2012,
    VERSIONS,
    PolicyKind,
    _principal,
)
from sestui.policy.errors import PolicyError
from sestui.policy.evaluate import (
    _STRENGTH,
    Decision,
    PrincipalMatch,
    _match_principal,
)
from sestui.policy.jsontext import _SURROGATE
from sestui.policy.patterns import action_matches, resource_matches
from sestui.policy.request import Principal, PrincipalKind, Request
from sestui.policy.variables import Template, expand, has_variables, parse_template

_SCALARS = (str, bool, int, float)
_PRINCIPAL_TYPES = frozenset({"AWS", "Service", "Federated", "CanonicalUser"})
_EFFECTS = {"Allow": True, "Deny": False}


class _Unsure(Exception):
    """Leave this case to the exact path."""


_MISSING: Any = object()
# Action strings known to be well formed (few distinct ones exist; bounded all the same).
_GOOD_ACTIONS: set[str] = set()


def _check_action(action: str) -> None:
    """document._actions' rule: `*` or service:Name."""
    if type(action) is not str or (action != "*" and (":" not in action or action.startswith(":"))):
        raise _Unsure
    if len(_GOOD_ACTIONS) > 4096:
        _GOOD_ACTIONS.clear()
    _GOOD_ACTIONS.add(action)


# Per operator as written: its base, qualifier, IfExists flag, and whether its values parse
# (numbers, dates, networks, base64).
_OPERATORS: dict[str, tuple[str, Qualifier | None, bool, bool]] = {}
# (operator, value) pairs whose value parses: repeated values (networks, dates) parse once.
_GOOD_VALUES: set[tuple[str, str]] = set()
# (base operator, value) -> the value parsed for the family.
_PARSED: dict[tuple[str, str], Any] = {}


def _operator(operator: str) -> tuple[str, Qualifier | None, bool, bool]:
    """parse_operator's rule, cached, and whether the operator's values must parse."""
    found = _OPERATORS.get(operator)
    if found is not None:
        return found
    try:
        base, qualifier, if_exists = parse_operator(operator, "")
    except PolicyError:
        raise _Unsure from None
    found = (base, qualifier, if_exists, base != "Null" and FAMILIES[base].parse_policy is not None)
    if len(_OPERATORS) > 4096:
        _OPERATORS.clear()
    _OPERATORS[operator] = found
    return found


def _value_ok(operator: str, value: str) -> bool:
    if _parse(_operator(operator)[0], value) is None:
        return False
    if len(_GOOD_VALUES) > 65536:
        _GOOD_VALUES.clear()
    _GOOD_VALUES.add((operator, value))
    return True


def _parse(base: str, value: str) -> Any:
    """The value as the family parses policy values (None: it does not parse)."""
    key = (base, value)
    found = _PARSED.get(key, _MISSING)
    if found is _MISSING:
        parse = FAMILIES[base].parse_policy
        found = parse(value) if parse is not None else value
        if len(_PARSED) > 65536:
            _PARSED.clear()
        _PARSED[key] = found
    return found


def _strings(value: Any) -> tuple[str, ...]:
    """document._strings' rule: a string or a non-empty list of strings."""
    if type(value) is str:
        return (value,)
    if type(value) is list and value:
        for item in value:
            if type(item) is not str:
                raise _Unsure
        return tuple(value)
    raise _Unsure


def _check_principal(value: Any) -> None:
    """document._principal's rule, without building the spec."""
    if value == "*":
        return
    if type(value) is not dict or not value:
        raise _Unsure
    for key, entries in value.items():
        if key not in _PRINCIPAL_TYPES:
            raise _Unsure
        _strings(entries)


def _check_conditions(block: Any) -> None:
    """conditions.parse_conditions' rules, without building the conditions."""
    if type(block) is not dict:
        raise _Unsure
    for operator, keys in block.items():
        parsed = _operator(operator)[3]
        if type(keys) is not dict or not keys:
            raise _Unsure
        for key, raw in keys.items():
            if not key:
                raise _Unsure
            if type(raw) is str:
                if parsed and (operator, raw) not in _GOOD_VALUES and not _value_ok(operator, raw):
                    raise _Unsure
                continue
            for v in raw if type(raw) is list else (raw,):
                t = type(v)
                if t is str:
                    text = v
                elif t is bool:  # read as text, as conditions._value_text does
                    text = "true" if v else "false"
                elif t is int or t is float:
                    text = str(v)
                else:
                    raise _Unsure
                if (
                    parsed
                    and (operator, text) not in _GOOD_VALUES
                    and not _value_ok(operator, text)
                ):
                    raise _Unsure


class _Group:
    """What a group of policies (identity, boundary, one SCP level, resource) contributes."""

    __slots__ = ("allow", "grant")

    def __init__(self) -> None:
        self.allow = False
        self.grant: PrincipalMatch | None = None


class _Decider:
    """One case: the request, and what the statements seen so far have decided."""

    __slots__ = ("denied", "has_boundary", "request")

    def __init__(self, request: Request, has_boundary: bool) -> None:
        self.request = request
        self.has_boundary = has_boundary
        self.denied = False

    def document(self, raw: Any, kind: PolicyKind, group: _Group) -> None:
        if type(raw) is str:
            if _SURROGATE.search(raw) is not None:
                raise _Unsure
            try:
                raw = json.loads(raw)
            except (ValueError, RecursionError):
                raise _Unsure from None
        if type(raw) is not dict:
            raise _Unsure
        for key in raw:
            if key not in _TOP_FIELDS:
                raise _Unsure
        version = raw.get("Version")
        if version is not None and (type(version) is not str or version not in VERSIONS):
            raise _Unsure
        policy_id = raw.get("Id")
        if policy_id is not None and type(policy_id) is not str:
            raise _Unsure
        statements = raw.get("Statement", _Unsure)
        if type(statements) is dict:
            statements = (statements,)
        elif type(statements) is not list:
            raise _Unsure
        variables = version == VERSION_2012
        for st in statements:
            self.statement(st, kind, variables, group)

    def statement(self, raw: Any, kind: PolicyKind, variables: bool, group: _Group) -> None:
        """Validate one statement as document._statement does; evaluate it only while it can
        still change the decision, and only until an element does not match."""
        if type(raw) is not dict or not raw.keys() <= _STATEMENT_FIELDS:
            raise _Unsure
        get = raw.get
        sid = get("Sid")
        if sid is not None and type(sid) is not str:
            raise _Unsure
        effect = get("Effect")
        if effect == "Allow":
            allow = True
        elif effect == "Deny":
            allow = False
        else:
            raise _Unsure
        actions = get("Action", _MISSING)
        not_action = actions is _MISSING
        if not_action:
            actions = get("NotAction", _MISSING)
            if actions is _MISSING:
                raise _Unsure
        elif "NotAction" in raw:
            raise _Unsure
        if type(actions) is str:
            if actions not in _GOOD_ACTIONS:
                _check_action(actions)
            actions = (actions,)
        else:
            for a in _strings(actions):
                if a not in _GOOD_ACTIONS:
                    _check_action(a)
        resources = get("Resource", _MISSING)
        not_resource = resources is _MISSING
        if not_resource:
            resources = get("NotResource", _MISSING)
            if resources is _MISSING:
                if kind is not PolicyKind.SCP:
                    raise _Unsure
                resources, not_resource = ("*",), False
        elif "NotResource" in raw:
            raise _Unsure
        if type(resources) is str:
            resources = (resources,)
        else:
            _strings(resources)
        principal_field: str | None = None
        if kind is PolicyKind.RESOURCE:
            if "Principal" in raw:
                if "NotPrincipal" in raw:
                    raise _Unsure
                principal_field = "Principal"
            elif "NotPrincipal" in raw:
                principal_field = "NotPrincipal"
            else:
                raise _Unsure
            _check_principal(raw[principal_field])
        elif "Principal" in raw or "NotPrincipal" in raw:
            raise _Unsure
        block = get("Condition", _MISSING)
        if block is not _MISSING:
            _check_conditions(block)

        # Valid. Does it still matter, and does it apply?
        if self.denied or (allow and group.allow and kind is not PolicyKind.RESOURCE):
            return
        request = self.request
        hit = False
        for pattern in actions:
            if action_matches(pattern, request.action):
                hit = True
                break
        if hit == not_action:
            return
        hit = False
        for text in resources:
            expanded: str | None = text
            if variables and has_variables(text):
                expanded = expand(parse_template(text), request.context)[0]
            if expanded is not None and resource_matches(expanded, request.resource):
                hit = True
                break
        if hit == not_resource:
            return
        match: PrincipalMatch | None = None
        if principal_field is not None:
            spec = _principal(raw[principal_field], principal_field, 0)
            match = _match_principal(spec, request.principal)
            named = match is not PrincipalMatch.NONE
            if principal_field == "NotPrincipal":
                # As evaluate: a Deny with NotPrincipal also hits a principal with a boundary.
                if named and not (not allow and self.has_boundary):
                    return
                match = PrincipalMatch.NONE if named else PrincipalMatch.WILDCARD
            elif not named:
                return
        if block is not _MISSING and not _conditions_hold(block, variables, request.context):
            return
        if not allow:
            self.denied = True
            return
        group.allow = True
        if match is not None and (group.grant is None or _STRENGTH[match] < _STRENGTH[group.grant]):
            group.grant = match


def _conditions_hold(block: dict[str, Any], variables: bool, context: Context) -> bool:
    """Whether every condition of a validated block holds: parse_conditions' reading of the
    values, then conditions.holds, the function Condition.evaluate uses."""
    for operator, keys in block.items():
        base, qualifier, if_exists, parses = _operator(operator)
        family = FAMILIES.get(base)  # None for Null
        for key, raw in keys.items():
            values = tuple(
                v if type(v) is str else ("true" if v else "false") if type(v) is bool else str(v)
                for v in (raw if type(raw) is list else (raw,))
            )
            parsed: tuple[Any, ...] = values
            templates: tuple[Template, ...] | None = None
            if family is not None:
                if parses:
                    parsed = tuple(_parse(base, v) for v in values)
                if family.variables and variables and any(map(has_variables, values)):
                    templates = tuple(parse_template(v) for v in values)
            if not holds(
                base, qualifier, if_exists, key.lower(), values, parsed, templates, context
            )[0]:
                return False
    return True


def _shallow(value: Any) -> bool:
    """A scalar, or a list or object of scalars: nesting the fast path can vouch for."""
    if value is None or type(value) in _SCALARS:
        return True
    if type(value) is list:
        return all(v is None or type(v) in _SCALARS for v in value)
    if type(value) is dict:
        return all(v is None or type(v) in _SCALARS for v in value.values())
    return False


def _flat_context(context: dict[str, Any]) -> bool:
    """Values that are scalars or lists of scalars (what the case format allows)."""
    for value in context.values():
        if type(value) is list:
            for v in value:
                if v is not None and type(v) not in _SCALARS:
                    return False
        elif value is not None and type(value) not in _SCALARS:
            return False
    return True


_CASE_FIELDS = frozenset(
    {
        "principal",
        "action",
        "resource",
        "context",
        "identity_policies",
        "permissions_boundary",
        "scps",
        "resource_policies",
    }
)


def decide(case: Any) -> Decision | None:
    """The decision for one case, or None when the exact path must decide (or refuse) it.

    A case accepted here nests at most a dozen levels deep, so a file's depth bound (which
    the exact path checks first) can only be passed by a case this returns None for.
    """
    if type(case) is not dict:
        return None
    for key, value in case.items():
        if key not in _CASE_FIELDS and not _shallow(value):
            return None
    principal, action, resource = case.get("principal"), case.get("action"), case.get("resource")
    if type(principal) is not str or type(action) is not str or type(resource) is not str:
        return None
    context = case.get("context") or {}
    if type(context) is not dict or not _flat_context(context):
        return None
    try:
        request = Request.build(Principal.parse(principal), action, resource, context)
        identity, boundary, levels, resource_group = _Group(), _Group(), [], _Group()
        boundary_raw = case.get("permissions_boundary")
        decider = _Decider(request, boundary_raw is not None)
        for raw in _list(case, "identity_policies"):
            decider.document(raw, PolicyKind.IDENTITY, identity)
        if boundary_raw is not None:
            decider.document(boundary_raw, PolicyKind.BOUNDARY, boundary)
        for level in _list(case, "scps"):
            if type(level) is not list:
                return None
            group = _Group()
            levels.append(group)
            for raw in level:
                decider.document(raw, PolicyKind.SCP, group)
        for raw in _list(case, "resource_policies"):
            decider.document(raw, PolicyKind.RESOURCE, resource_group)
    except (_Unsure, PolicyError):
        return None
    return _verdict(decider, request, identity, boundary, levels, resource_group)


def _list(case: dict[str, Any], key: str) -> list[Any]:
    value = case.get(key) or []
    if type(value) is not list:
        raise _Unsure
    return value


def _verdict(
    decider: _Decider,
    request: Request,
    identity: _Group,
    boundary: _Group,
    levels: list[_Group],
    resource: _Group,
) -> Decision:
    """evaluate()'s order, on what the statements decided."""
    if decider.denied:
        return Decision.EXPLICITLY_DENIED
    for level in levels:
        if not level.allow:
            return Decision.IMPLICITLY_DENIED
    has_boundary = decider.has_boundary
    boundary_allows = boundary.allow if has_boundary else None
    grant = resource.grant
    cross = request.resource_account != request.principal.account
    if not cross:
        if grant is PrincipalMatch.PRINCIPAL and request.principal.kind is not PrincipalKind.ROLE:
            return Decision.ALLOWED
        if grant in (PrincipalMatch.PRINCIPAL, PrincipalMatch.ROLE, PrincipalMatch.WILDCARD):
            return Decision.IMPLICITLY_DENIED if boundary_allows is False else Decision.ALLOWED
    if not identity.allow:
        return Decision.IMPLICITLY_DENIED
    if boundary_allows is False:
        return Decision.IMPLICITLY_DENIED
    if cross and grant is None:
        return Decision.IMPLICITLY_DENIED
    return Decision.ALLOWED
