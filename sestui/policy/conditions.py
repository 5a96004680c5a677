"""Condition operators: every family, `…IfExists`, `ForAllValues:` / `ForAnyValue:`, `Null`.

Semantics (AWS "Condition operators" and "Multivalued context keys" pages):
- several operators, or several keys under one operator, are ANDed; several values for one key ORed;
- a negated operator (`StringNotEquals`, `NotIpAddress`, …) is true when no value matches;
- a missing key makes a condition false, except negated operators and `…IfExists` (true);
- `ForAllValues` is true for a missing or empty set, `ForAnyValue` false.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sestui.policy.errors import PolicyError
from sestui.policy.patterns import arn_like, glob_match, unescape
from sestui.policy.variables import Template, expand, has_variables, parse_template

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]


class Qualifier(Enum):
    FOR_ALL_VALUES = "ForAllValues"
    FOR_ANY_VALUE = "ForAnyValue"


# Read once: reading an Enum member off its class is a descriptor call each time.
_FOR_ALL_VALUES, _FOR_ANY_VALUE = Qualifier.FOR_ALL_VALUES, Qualifier.FOR_ANY_VALUE
_NO_KEYS: frozenset[str] = frozenset()


def _parse_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return None if math.isnan(value) else value


def parse_date(text: str) -> datetime | None:
    """ISO 8601 (date, date-time, `Z` or offset) or epoch seconds; naive times are UTC."""
    t = text.strip()
    if not t:
        return None
    if t.lstrip("-").replace(".", "", 1).isdigit():
        try:
            return datetime.fromtimestamp(float(t), tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    try:
        value = datetime.fromisoformat(t)
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@functools.lru_cache(maxsize=4096)
def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address (cached: a request's source IP is compared with many networks)."""
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _parse_network(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _binary(text: str) -> bytes | str:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return text


@dataclass(frozen=True, slots=True)
class _Family:
    name: str
    negated: bool
    variables: bool  # policy variables are expanded in this operator's values
    globs: bool  # values are `*`/`?` patterns (StringLike, Arn*)
    parse_policy: Callable[[str], Any] | None  # None: compare strings; else must not return None
    parse_request: Callable[[str], Any]
    compare: Callable[[Any, Any], bool]  # compare(request_value, policy_value)


def _same(x: Any) -> Any:
    return x


def _str_eq(r: str, p: str) -> bool:
    return r == p


def _str_eq_ci(r: str, p: str) -> bool:
    return r.casefold() == p.casefold()


def _str_like(r: str, p: str) -> bool:
    return glob_match(p, r)


def _eq(r: Any, p: Any) -> bool:
    return bool(r == p)


def _lt(r: Any, p: Any) -> bool:
    return bool(r < p)


def _le(r: Any, p: Any) -> bool:
    return bool(r <= p)


def _gt(r: Any, p: Any) -> bool:
    return bool(r > p)


def _ge(r: Any, p: Any) -> bool:
    return bool(r >= p)


def _bool_eq(r: str, p: str) -> bool:
    return r.strip().lower() == p.strip().lower()


def _in_network(r: Any, p: Any) -> bool:
    return r is not None and r.version == p.version and r in p


def _arn(r: str, p: str) -> bool:
    return arn_like(p, r)


def _families() -> dict[str, _Family]:
    fam: dict[str, _Family] = {}

    def add(name: str, negated: bool, variables: bool, pp: Any, pr: Any, cmp: Any) -> None:
        globs = cmp in (_str_like, _arn)
        fam[name] = _Family(name, negated, variables, globs, pp, pr, cmp)

    for neg, name in ((False, "StringEquals"), (True, "StringNotEquals")):
        add(name, neg, True, None, _same, _str_eq)
    for neg, name in ((False, "StringEqualsIgnoreCase"), (True, "StringNotEqualsIgnoreCase")):
        add(name, neg, True, None, _same, _str_eq_ci)
    for neg, name in ((False, "StringLike"), (True, "StringNotLike")):
        add(name, neg, True, None, _same, _str_like)
    for kind, parser in (("Numeric", _parse_number), ("Date", parse_date)):
        add(f"{kind}Equals", False, False, parser, parser, _eq)
        add(f"{kind}NotEquals", True, False, parser, parser, _eq)
        add(f"{kind}LessThan", False, False, parser, parser, _lt)
        add(f"{kind}LessThanEquals", False, False, parser, parser, _le)
        add(f"{kind}GreaterThan", False, False, parser, parser, _gt)
        add(f"{kind}GreaterThanEquals", False, False, parser, parser, _ge)
    add("Bool", False, False, None, _same, _bool_eq)
    add("BinaryEquals", False, False, _binary, _binary, _eq)
    add("IpAddress", False, False, _parse_network, _parse_ip, _in_network)
    add("NotIpAddress", True, False, _parse_network, _parse_ip, _in_network)
    for name in ("ArnEquals", "ArnLike"):
        add(name, False, True, None, _same, _arn)
    for name in ("ArnNotEquals", "ArnNotLike"):
        add(name, True, True, None, _same, _arn)
    return fam


FAMILIES = _families()
OPERATORS = frozenset([*FAMILIES, "Null"])


@dataclass(frozen=True, slots=True)
class ConditionOutcome:
    """One condition (operator + key) evaluated against a request."""

    condition: Condition
    matched: bool
    missing: frozenset[str]  # keys the request did not carry (the key itself or a variable's)


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    base: str  # "StringLike" or "Null"
    qualifier: Qualifier | None
    if_exists: bool
    key: str  # as written
    key_lower: str
    values: tuple[str, ...]
    parsed: tuple[Any, ...]  # policy values parsed for the family (numbers, dates, networks)
    templates: tuple[Template, ...] | None  # when policy variables apply to the values

    @property
    def negated(self) -> bool:
        return self.base != "Null" and FAMILIES[self.base].negated

    def evaluate(self, context: Context) -> ConditionOutcome:
        matched, missing = holds(
            self.base,
            self.qualifier,
            self.if_exists,
            self.key_lower,
            self.values,
            self.parsed,
            self.templates,
            context,
        )
        return ConditionOutcome(self, matched, missing)


def holds(
    base: str,
    qualifier: Qualifier | None,
    if_exists: bool,
    key_lower: str,
    values: tuple[str, ...],
    parsed: tuple[Any, ...],
    templates: tuple[Template, ...] | None,
    context: Context,
) -> tuple[bool, frozenset[str]]:
    """One condition (the fields of a Condition) against a request: whether it holds, and the
    keys the request lacked. Shared by Condition.evaluate and the `eval` fast path."""
    raw = context.get(key_lower)
    present: tuple[str, ...] | None
    if raw is None:
        present = None
    elif isinstance(raw, str):
        present = (raw,)
    else:
        present = raw
    missing: frozenset[str] = _NO_KEYS if present else frozenset((key_lower,))
    if base == "Null":
        absent = not present
        return any((v.strip().lower() == "true") == absent for v in values), _NO_KEYS
    family = FAMILIES[base]
    if not present:
        if if_exists or qualifier is _FOR_ALL_VALUES:
            return True, missing
        if qualifier is _FOR_ANY_VALUE:
            return False, missing
        return family.negated, missing

    policy_values: tuple[Any, ...] = parsed
    if templates is not None:
        expanded: list[Any] = []
        var_missing: set[str] = set()
        for template in templates:
            text, absent_keys = expand(template, context)
            var_missing.update(absent_keys)
            if text is not None:
                expanded.append(text if family.globs else unescape(text))
        policy_values = tuple(expanded)
        missing = frozenset(var_missing)

    # A request value is "positive" when it parses and compares true with a policy value.
    # Loops rather than closures and generators: this runs for every condition evaluated.
    parse_request, compare, negated = family.parse_request, family.compare, family.negated
    if qualifier is None:
        # Not qualified: some value positive (negated: none).
        for value in present:
            request_value = parse_request(value)
            if request_value is not None:
                for p in policy_values:
                    if compare(request_value, p):
                        return not negated, missing
        return negated, missing
    # ForAllValues: every value passes; ForAnyValue: some value passes, where a value
    # passes when it is positive (negated operators: when it is not).
    every = qualifier is _FOR_ALL_VALUES
    for value in present:
        positive = False
        request_value = parse_request(value)
        if request_value is not None:
            for p in policy_values:
                if compare(request_value, p):
                    positive = True
                    break
        if (positive != negated) is not every:
            return not every, missing
    return every, missing


def _value_text(value: Any, where: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    raise PolicyError(
        f"condition value must be a string, number or boolean, not {value!r}", field=where
    )


def parse_operator(operator: str, where: str) -> tuple[str, Qualifier | None, bool]:
    """Split `ForAnyValue:StringLikeIfExists` into its base, qualifier and IfExists flag."""
    qualifier: Qualifier | None = None
    name = operator
    if ":" in name:
        prefix, _, name = name.partition(":")
        try:
            qualifier = Qualifier(prefix)
        except ValueError:
            raise PolicyError(f"unknown condition set operator {prefix!r}", field=where) from None
    if_exists = name.endswith("IfExists")
    base = name[: -len("IfExists")] if if_exists else name
    if base not in OPERATORS:
        raise PolicyError(f"unknown condition operator {operator!r}", field=where)
    if base == "Null" and if_exists:
        raise PolicyError("NullIfExists is not a condition operator", field=where)
    return base, qualifier, if_exists


def parse_conditions(block: Any, *, variables_enabled: bool) -> tuple[Condition, ...]:
    if not isinstance(block, dict):
        raise PolicyError("Condition must be an object of operators", field="Condition")
    out: list[Condition] = []
    for operator, keys in block.items():
        where = f"Condition.{operator}"
        base, qualifier, if_exists = parse_operator(operator, where)
        if not isinstance(keys, dict) or not keys:
            raise PolicyError("an operator must map condition keys to values", field=where)
        for key, raw in keys.items():
            kwhere = f"{where}.{key}"
            if not isinstance(key, str) or not key:
                raise PolicyError("condition key must be a non-empty string", field=kwhere)
            items = raw if isinstance(raw, list) else [raw]
            values = tuple(_value_text(v, kwhere) for v in items)
            parsed: tuple[Any, ...] = values
            templates: tuple[Template, ...] | None = None
            if base != "Null":
                family = FAMILIES[base]
                if family.parse_policy is not None:
                    converted = []
                    for v in values:
                        p = family.parse_policy(v)
                        if p is None:
                            raise PolicyError(
                                f"{v!r} is not a valid value for {base}", field=kwhere
                            )
                        converted.append(p)
                    parsed = tuple(converted)
                if family.variables and variables_enabled and any(map(has_variables, values)):
                    templates = tuple(parse_template(v) for v in values)
            out.append(
                Condition(
                    operator=operator,
                    base=base,
                    qualifier=qualifier,
                    if_exists=if_exists,
                    key=key,
                    key_lower=key.lower(),
                    values=values,
                    parsed=parsed,
                    templates=templates,
                )
            )
    return tuple(out)
