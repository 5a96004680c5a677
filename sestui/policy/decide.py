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
from collections.abc import Sequence
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
from sestui.policy.request import Principal, PrincipalKind, request_context, resource_account
from sestui.policy.variables import Template, expand, has_variables, parse_template

_SCALARS = (str, bool, int, float)
# patterns.resource_matches without its cache: in a cases file no request resource comes back,
# so the cache would only cost a key, a lookup and an entry per call.
_resource_matches = resource_matches.__wrapped__
# Enum members read once: reading one off its class is a descriptor call each time.
_IDENTITY, _BOUNDARY, _SCP, _RESOURCE = (
    PolicyKind.IDENTITY,
    PolicyKind.BOUNDARY,
    PolicyKind.SCP,
    PolicyKind.RESOURCE,
)
_ALLOWED, _IMPLICITLY_DENIED, _EXPLICITLY_DENIED = (
    Decision.ALLOWED,
    Decision.IMPLICITLY_DENIED,
    Decision.EXPLICITLY_DENIED,
)
_NONE, _WILDCARD, _PRINCIPAL, _ROLE = (
    PrincipalMatch.NONE,
    PrincipalMatch.WILDCARD,
    PrincipalMatch.PRINCIPAL,
    PrincipalMatch.ROLE,
)
_ROLE_KIND = PrincipalKind.ROLE
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


def _known_actions(actions: list[Any]) -> bool:
    """Whether every entry is an action string known to be well formed (one C-level pass)."""
    try:
        return _GOOD_ACTIONS.issuperset(actions)
    except TypeError:  # an unhashable entry (an object or a list): the caller says why
        return False


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


def _strings(value: Any) -> Sequence[str]:
    """document._strings' rule: a string or a non-empty list of strings (returned as is)."""
    if type(value) is str:
        return (value,)
    if type(value) is list and value:
        for item in value:
            if type(item) is not str:
                raise _Unsure
        return value
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
        parsed = (_OPERATORS.get(operator) or _operator(operator))[3]
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


_BOTH = "Principal+NotPrincipal"  # both given: refused (only as a resource policy's element)
# What a statement's element names say, per tuple of names in their order: which of Action /
# NotAction, Resource / NotResource (None: neither) and Principal / NotPrincipal (None: neither)
# it has, and whether it has a Sid and a Condition; None when they alone make it invalid.
# Statements of every case share a few dozen such tuples, so one lookup replaces a test per name.
_Shape = tuple[str, bool, "str | None", bool, "str | None", bool, bool]
_SHAPES: dict[tuple[str, ...], _Shape | None] = {}


def _shape(keys: tuple[str, ...]) -> _Shape | None:
    """document._statement's rules on which elements a statement has (Effect is read apart)."""
    names = frozenset(keys)
    shape: _Shape | None = None
    if (
        names <= _STATEMENT_FIELDS
        and len(names & {"Action", "NotAction"}) == 1
        and len(names & {"Resource", "NotResource"}) < 2
    ):
        action = "Action" if "Action" in names else "NotAction"
        resource = (
            "Resource" if "Resource" in names else "NotResource" if "NotResource" in names else None
        )
        principal = (
            _BOTH
            if {"Principal", "NotPrincipal"} <= names
            else "Principal"
            if "Principal" in names
            else "NotPrincipal"
            if "NotPrincipal" in names
            else None
        )
        shape = (
            action,
            action == "NotAction",
            resource,
            resource == "NotResource",
            principal,
            "Sid" in names,
            "Condition" in names,
        )
    if len(_SHAPES) > 4096:
        _SHAPES.clear()
    _SHAPES[keys] = shape
    return shape


class _Group:
    """What a group of policies (identity, boundary, one SCP level, resource) contributes.

    Class-level defaults and no __init__: a case creates several, and that keeps each a
    C-level object creation."""

    allow = False
    grant: PrincipalMatch | None = None


class _Decider:
    """One case: the request, and whether a statement seen so far has denied it."""

    __slots__ = ("action", "context", "denied", "has_boundary", "principal", "resource")

    def __init__(
        self, principal: Principal, action: str, resource: str, context: Context, boundary: bool
    ) -> None:
        self.principal = principal
        self.action = action
        self.resource = resource
        self.context = context
        self.has_boundary = boundary
        self.denied = False

    def documents(self, documents: Any, kind: PolicyKind, group: _Group) -> None:
        """Validate every statement of these documents as document._statement does; evaluate
        each only while it can still change the decision, and only until an element does not
        match. One loop over all of a group's statements: this runs for every statement of
        the file, so the per-document and per-statement work is inline, on local names."""
        action, resource, context = self.action, self.resource, self.context
        is_resource = kind is _RESOURCE
        is_scp = kind is _SCP
        denied = self.denied
        allowed = group.allow
        for raw in documents:
            if type(raw) is str:
                if _SURROGATE.search(raw) is not None:
                    raise _Unsure
                try:
                    raw = json.loads(raw)
                except (ValueError, RecursionError):
                    raise _Unsure from None
            if type(raw) is not dict or not raw.keys() <= _TOP_FIELDS:
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
                # -- validate (every statement, even after the decision is known) --
                if type(st) is not dict:
                    raise _Unsure
                keys = tuple(st)
                shape = _SHAPES.get(keys, _MISSING)
                if shape is _MISSING:
                    shape = _shape(keys)
                if shape is None:
                    raise _Unsure
                action_key, not_action, resource_key, not_resource, principal_key, sid, cond = shape
                if sid and st["Sid"] is not None and type(st["Sid"]) is not str:
                    raise _Unsure
                effect = st.get("Effect")
                if effect == "Allow":
                    allow = True
                elif effect == "Deny":
                    allow = False
                else:
                    raise _Unsure
                actions = st[action_key]
                if type(actions) is str:
                    if actions not in _GOOD_ACTIONS:
                        _check_action(actions)
                elif not (type(actions) is list and actions and _known_actions(actions)):
                    for a in _strings(actions):
                        if a not in _GOOD_ACTIONS:
                            _check_action(a)
                if resource_key is None:
                    if not is_scp:
                        raise _Unsure
                    resources: Any = "*"  # an SCP statement without Resource: every resource
                else:
                    resources = st[resource_key]
                    if type(resources) is not str:
                        _strings(resources)
                if is_resource:
                    if principal_key is None or principal_key is _BOTH:
                        raise _Unsure
                    _check_principal(st[principal_key])
                elif principal_key is not None:
                    raise _Unsure
                if cond:
                    _check_conditions(st["Condition"])

                # -- valid: does it still matter, and does it apply? --
                if denied or (allow and allowed and not is_resource):
                    continue
                if type(actions) is str:
                    hit = action_matches(actions, action)
                else:
                    hit = False
                    for pattern in actions:
                        if action_matches(pattern, action):
                            hit = True
                            break
                if hit == not_action:
                    continue
                hit = False
                for text in (resources,) if type(resources) is str else resources:
                    if text == "*":  # resource_matches("*", anything), without the call
                        hit = True
                        break
                    expanded: str | None = text
                    if variables and "${" in text:  # variables.has_variables, inline
                        expanded = expand(parse_template(text), context)[0]
                    if expanded is not None and _resource_matches(expanded, resource):
                        hit = True
                        break
                if hit == not_resource:
                    continue
                match: PrincipalMatch | None = None
                if principal_key is not None:
                    spec = _principal(st[principal_key], principal_key, 0)
                    match = _match_principal(spec, self.principal)
                    named = match is not _NONE
                    if principal_key == "NotPrincipal":
                        # As evaluate: a Deny with NotPrincipal also hits a principal with a
                        # boundary.
                        if named and not (not allow and self.has_boundary):
                            continue
                        match = _NONE if named else _WILDCARD
                    elif not named:
                        continue
                if cond and not _conditions_hold(st["Condition"], variables, context):
                    continue
                if not allow:
                    denied = True
                    continue
                allowed = True
                if match is not None and (
                    group.grant is None or _STRENGTH[match] < _STRENGTH[group.grant]
                ):
                    group.grant = match
        self.denied = denied
        group.allow = allowed


def _conditions_hold(block: dict[str, Any], variables: bool, context: Context) -> bool:
    """Whether every condition of a validated block holds: parse_conditions' reading of the
    values, then conditions.holds, the function Condition.evaluate uses."""
    for operator, keys in block.items():
        base, qualifier, if_exists, parses = _OPERATORS.get(operator) or _operator(operator)
        family = FAMILIES.get(base)  # None for Null
        for key, raw in keys.items():
            if type(raw) is str:
                values: tuple[str, ...] = (raw,)
            else:
                values = tuple(
                    v
                    if type(v) is str
                    else ("true" if v else "false")
                    if type(v) is bool
                    else str(v)
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
        if key not in _CASE_FIELDS and type(value) is not str and not _shallow(value):
            return None
    principal, action, resource = case.get("principal"), case.get("action"), case.get("resource")
    if type(principal) is not str or type(action) is not str or type(resource) is not str:
        return None
    context = case.get("context") or {}
    if type(context) is not dict or not _flat_context(context):
        return None
    try:
        # Request.build's principal and context, without the Request: this is per case.
        who = Principal.parse(principal)
        identity, boundary, levels, resource_group = _Group(), _Group(), [], _Group()
        boundary_raw = case.get("permissions_boundary")
        decider = _Decider(
            who, action, resource, request_context(who, context), boundary_raw is not None
        )
        decider.documents(_list(case, "identity_policies"), _IDENTITY, identity)
        if boundary_raw is not None:
            decider.documents((boundary_raw,), _BOUNDARY, boundary)
        for level in _list(case, "scps"):
            if type(level) is not list:
                return None
            group = _Group()
            levels.append(group)
            decider.documents(level, _SCP, group)
        decider.documents(_list(case, "resource_policies"), _RESOURCE, resource_group)
    except (_Unsure, PolicyError):
        return None
    return _verdict(decider, identity, boundary, levels, resource_group)


def _list(case: dict[str, Any], key: str) -> list[Any]:
    value = case.get(key) or []
    if type(value) is not list:
        raise _Unsure
    return value


def _verdict(
    decider: _Decider,
    identity: _Group,
    boundary: _Group,
    levels: list[_Group],
    resource: _Group,
) -> Decision:
    """evaluate()'s order, on what the statements decided."""
    if decider.denied:
        return _EXPLICITLY_DENIED
    for level in levels:
        if not level.allow:
            return _IMPLICITLY_DENIED
    has_boundary = decider.has_boundary
    boundary_allows = boundary.allow if has_boundary else None
    grant = resource.grant
    principal = decider.principal
    cross = resource_account(decider.resource, principal) != principal.account
    if not cross:
        if grant is _PRINCIPAL and principal.kind is not _ROLE_KIND:
            return _ALLOWED
        if grant is _PRINCIPAL or grant is _ROLE or grant is _WILDCARD:
            return _IMPLICITLY_DENIED if boundary_allows is False else _ALLOWED
    if not identity.allow:
        return _IMPLICITLY_DENIED
    if boundary_allows is False:
        return _IMPLICITLY_DENIED
    if cross and grant is None:
        return _IMPLICITLY_DENIED
    return _ALLOWED
