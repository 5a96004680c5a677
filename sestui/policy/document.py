"""Parse IAM policy documents once into immutable objects that remember where they came from.

Each statement keeps its index, `Sid` and the line range it occupies in the canonical
pretty-printed JSON (`json.dumps(doc, indent=2)`), which is the text the policy viewer shows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from functools import cached_property, lru_cache
from typing import Any

from sestui.policy.conditions import Condition, parse_conditions
from sestui.policy.errors import PolicyError
from sestui.policy.jsontext import load_json, tree_ok, tree_problem
from sestui.policy.variables import Template, has_variables, parse_template

VERSION_2012 = "2012-10-17"
VERSIONS = frozenset({VERSION_2012, "2008-10-17"})


class PolicyKind(Enum):
    IDENTITY = "identity"
    BOUNDARY = "permissions-boundary"
    SCP = "scp"
    RESOURCE = "resource"

    @property
    def label(self) -> str:
        return {
            PolicyKind.IDENTITY: "identity policy",
            PolicyKind.BOUNDARY: "permissions boundary",
            PolicyKind.SCP: "service control policy",
            PolicyKind.RESOURCE: "sending-authorization policy",
        }[self]


class Effect(Enum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class PolicySource:
    """Where a document came from: enough for a person to find it in the console."""

    kind: PolicyKind
    name: str
    arn: str | None = None
    via: str | None = None  # "group ops", "user", "OU Workloads"…
    level: int | None = None  # SCP level: 0 = root, then each OU, last = the account
    # The account the policy lives in, named only when a decision spans accounts; not part of
    # equality, so a fix keyed by a source finds the same policy however it is labelled.
    account: str | None = field(default=None, compare=False)

    def describe(self) -> str:
        text = f"{self.kind.label} {self.name}"
        if self.via:
            text += f" (via {self.via})"
        if self.account:
            text += f" in account {self.account}"
        return text


@dataclass(frozen=True, slots=True)
class LineRange:
    first: int  # 1-based, inclusive
    last: int

    def __contains__(self, line: object) -> bool:
        return isinstance(line, int) and self.first <= line <= self.last


@dataclass(frozen=True, slots=True)
class PrincipalSpec:
    wildcard: bool  # "Principal": "*" or {"AWS": "*"}
    aws: tuple[str, ...] = ()
    service: tuple[str, ...] = ()
    federated: tuple[str, ...] = ()
    canonical_user: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ResourcePattern:
    text: str
    template: Template | None  # set when the resource part holds policy variables


@dataclass(frozen=True, slots=True)
class Statement:
    index: int
    sid: str | None
    effect: Effect
    actions: tuple[str, ...]
    not_action: bool
    resources: tuple[ResourcePattern, ...]
    not_resource: bool
    principal: PrincipalSpec | None
    not_principal: bool
    conditions: tuple[Condition, ...]
    lines: LineRange
    has_resource: bool = True  # False only for SCPs that omit Resource (treated as "*")

    def label(self) -> str:
        return f"Statement[{self.index}]" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Policy:
    source: PolicySource
    version: str | None
    policy_id: str | None
    statements: tuple[Statement, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)  # the decoded document

    @property
    def variables_enabled(self) -> bool:
        return self.version == VERSION_2012

    @cached_property
    def text(self) -> str:
        """The canonical pretty-printed JSON that statement line ranges refer to (rendered on
        first use: most compiled policies are never shown)."""
        return json.dumps(self.raw, indent=2)


# -- canonical rendering with statement spans ---------------------------------------------


def _line_count(value: Any) -> int:
    """How many lines json.dumps(value, indent=2) writes, without writing them."""
    if isinstance(value, dict) and value:
        return 2 + sum(_line_count(v) for v in value.values())
    if isinstance(value, list) and value:
        return 2 + sum(_line_count(v) for v in value)
    return 1


def statement_spans(document: Mapping[str, Any]) -> list[LineRange]:
    """The line range of each statement in json.dumps(document, indent=2), by counting."""
    spans: list[LineRange] = []
    line = 2  # line 1 is "{"
    for key, value in document.items():
        if key == "Statement" and isinstance(value, list) and value:
            line += 1  # '"Statement": ['
            for stmt in value:
                n = _line_count(stmt)
                spans.append(LineRange(line, line + n - 1))
                line += n
            line += 1  # "]"
        else:
            n = _line_count(value)
            if key == "Statement" and isinstance(value, dict):
                spans.append(LineRange(line, line + n - 1))
            line += n
    return spans


def _emit(value: Any, level: int, out: list[str], first_prefix: str, suffix: str) -> None:
    """Append the lines json.dumps(value, indent=2) writes, the first after first_prefix."""
    pad = "  " * level
    if isinstance(value, dict) and value:
        out.append(first_prefix + "{")
        items = list(value.items())
        for i, (k, v) in enumerate(items):
            _emit(
                v,
                level + 1,
                out,
                f"{pad}  {json.dumps(k)}: ",
                "," if i < len(items) - 1 else "",
            )
        out.append(pad + "}" + suffix)
    elif isinstance(value, list) and value:
        out.append(first_prefix + "[")
        for i, v in enumerate(value):
            _emit(v, level + 1, out, pad + "  ", "," if i < len(value) - 1 else "")
        out.append(pad + "]" + suffix)
    else:
        out.append(first_prefix + json.dumps(value) + suffix)


def render(document: Mapping[str, Any]) -> tuple[str, list[LineRange]]:
    """Canonical text of a document and the line range of each statement in it."""
    out: list[str] = ["{"]
    spans: list[LineRange] = []
    items = list(document.items())
    for i, (k, v) in enumerate(items):
        prefix = f"  {json.dumps(k)}: "
        suffix = "," if i < len(items) - 1 else ""
        if k == "Statement" and isinstance(v, list) and v:
            out.append(prefix + "[")
            for j, stmt in enumerate(v):
                start = len(out) + 1
                _emit(stmt, 2, out, "    ", "," if j < len(v) - 1 else "")
                spans.append(LineRange(start, len(out)))
            out.append("  ]" + suffix)
        else:
            start = len(out) + 1
            _emit(v, 1, out, prefix, suffix)
            if k == "Statement" and isinstance(v, dict):
                spans.append(LineRange(start, len(out)))
    out.append("}")
    if not items:
        return "{}", []
    return "\n".join(out), spans


# -- parsing ------------------------------------------------------------------------------

_STATEMENT_FIELDS = frozenset(
    {
        "Sid",
        "Effect",
        "Action",
        "NotAction",
        "Resource",
        "NotResource",
        "Principal",
        "NotPrincipal",
        "Condition",
    }
)
_TOP_FIELDS = frozenset({"Version", "Id", "Statement"})


def _strings(value: Any, field_name: str, index: int) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    if not items:
        raise PolicyError("must not be an empty list", statement=index, field=field_name)
    for item in items:
        if not isinstance(item, str):
            raise PolicyError(
                f"every entry must be a string, not {type(item).__name__} {item!r}"[:200],
                statement=index,
                field=field_name,
            )
    return tuple(items)


def _actions(value: Any, field_name: str, index: int) -> tuple[str, ...]:
    actions = _strings(value, field_name, index)
    for action in actions:
        if action != "*" and (":" not in action or action.startswith(":")):
            raise PolicyError(
                f"{action!r} is not an action (expected service:Name, e.g. ses:SendRawEmail)",
                statement=index,
                field=field_name,
            )
    return actions


def _principal(value: Any, field_name: str, index: int) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(wildcard=True)
    if not isinstance(value, dict) or not value:
        raise PolicyError(
            'must be "*" or an object such as {"AWS": …}', statement=index, field=field_name
        )
    buckets: dict[str, tuple[str, ...]] = {}
    for key, entries in value.items():
        if key not in ("AWS", "Service", "Federated", "CanonicalUser"):
            raise PolicyError(
                f"unknown principal type {key!r}", statement=index, field=f"{field_name}.{key}"
            )
        buckets[key] = _strings(entries, f"{field_name}.{key}", index)
    aws = buckets.get("AWS", ())
    return PrincipalSpec(
        wildcard="*" in aws,
        aws=tuple(a for a in aws if a != "*"),
        service=buckets.get("Service", ()),
        federated=buckets.get("Federated", ()),
        canonical_user=buckets.get("CanonicalUser", ()),
    )


def _statement(
    raw: Any, index: int, lines: LineRange, kind: PolicyKind, variables: bool
) -> Statement:
    if not isinstance(raw, dict):
        raise PolicyError("a statement must be an object", statement=index)
    for key in raw:
        if key not in _STATEMENT_FIELDS:
            raise PolicyError(f"unknown statement element {key!r}", statement=index, field=key)
    sid = raw.get("Sid")
    if sid is not None and not isinstance(sid, str):
        raise PolicyError("Sid must be a string", statement=index, field="Sid")
    effect_raw = raw.get("Effect")
    try:
        effect = Effect(effect_raw)
    except ValueError:
        raise PolicyError(
            f'Effect must be "Allow" or "Deny", not {effect_raw!r}', statement=index, field="Effect"
        ) from None

    if ("Action" in raw) == ("NotAction" in raw):
        raise PolicyError(
            "needs exactly one of Action and NotAction", statement=index, field="Action"
        )
    not_action = "NotAction" in raw
    action_field = "NotAction" if not_action else "Action"
    actions = _actions(raw[action_field], action_field, index)

    has_resource = True
    if "Resource" in raw and "NotResource" in raw:
        raise PolicyError(
            "needs only one of Resource and NotResource", statement=index, field="Resource"
        )
    not_resource = "NotResource" in raw
    resource_field = "NotResource" if not_resource else "Resource"
    if resource_field in raw:
        texts = _strings(raw[resource_field], resource_field, index)
    elif kind is PolicyKind.SCP:
        texts, has_resource = ("*",), False
    else:
        raise PolicyError("needs Resource or NotResource", statement=index, field="Resource")
    resources = tuple(
        ResourcePattern(t, parse_template(t) if variables and has_variables(t) else None)
        for t in texts
    )

    principal: PrincipalSpec | None = None
    not_principal = "NotPrincipal" in raw
    if "Principal" in raw or not_principal:
        if kind is not PolicyKind.RESOURCE:
            raise PolicyError(
                f"a {kind.label} cannot name a principal",
                statement=index,
                field="NotPrincipal" if not_principal else "Principal",
            )
        if "Principal" in raw and not_principal:
            raise PolicyError(
                "needs only one of Principal and NotPrincipal", statement=index, field="Principal"
            )
        pf = "NotPrincipal" if not_principal else "Principal"
        principal = _principal(raw[pf], pf, index)
    elif kind is PolicyKind.RESOURCE:
        raise PolicyError(
            "a resource policy statement needs Principal or NotPrincipal",
            statement=index,
            field="Principal",
        )

    conditions: tuple[Condition, ...] = ()
    if "Condition" in raw:
        try:
            conditions = parse_conditions(raw["Condition"], variables_enabled=variables)
        except PolicyError as exc:
            raise PolicyError(exc.message, statement=index, field=exc.field) from None

    return Statement(
        index=index,
        sid=sid,
        effect=effect,
        actions=actions,
        not_action=not_action,
        resources=resources,
        not_resource=not_resource,
        principal=principal,
        not_principal=not_principal,
        conditions=conditions,
        lines=lines,
        has_resource=has_resource,
    )


Compiled = tuple[str | None, str | None, tuple[Statement, ...], dict[str, Any]]


@lru_cache(maxsize=8192)
def _compile(text: str, kind: PolicyKind) -> Compiled:
    """Parse one document's JSON text. Cached: the same document is compiled once per kind."""
    document = load_json(text)
    return _compile_document(document, kind)


def _compile_document(document: Any, kind: PolicyKind) -> Compiled:
    if not isinstance(document, dict):
        raise PolicyError("a policy document must be a JSON object")
    if not tree_ok(document):  # an object-form document: the bounds its JSON text would have
        message, path = tree_problem(document) or ("nested too deeply", "$")
        raise PolicyError(message, field=path)
    for key in document:
        if key not in _TOP_FIELDS:
            raise PolicyError(f"unknown top-level element {key!r}", field=key)
    version = document.get("Version")
    if version is not None and (not isinstance(version, str) or version not in VERSIONS):
        raise PolicyError(
            f'Version must be "2012-10-17" or "2008-10-17", not {version!r}', field="Version"
        )
    policy_id = document.get("Id")
    if policy_id is not None and not isinstance(policy_id, str):
        raise PolicyError("Id must be a string", field="Id")
    if "Statement" not in document:
        raise PolicyError("needs a Statement", field="Statement")
    raw = document["Statement"]
    if not isinstance(raw, list | dict):
        raise PolicyError("Statement must be an object or a list of objects", field="Statement")
    spans = statement_spans(document)
    raws = raw if isinstance(raw, list) else [raw]
    variables = version == VERSION_2012
    statements = tuple(_statement(r, i, spans[i], kind, variables) for i, r in enumerate(raws))
    return version, policy_id, statements, document


_COMPILED: dict[tuple[str, PolicyKind], Compiled] = {}


def document_key(document: Mapping[str, Any]) -> str:
    """Compact JSON of a decoded document: equal documents compile once (see parse_policy)."""
    try:
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise PolicyError(f"not a JSON document: {exc}") from None


def parse_policy(
    document: str | Mapping[str, Any], source: PolicySource, *, key: str | None = None
) -> Policy:
    """Parse a document (JSON text or already-decoded object) into a Policy.

    Decoded documents are compiled once per distinct content (`key`, their compact JSON, may be
    passed in when the caller already has it). Raises PolicyError naming the policy, the
    statement index and the field.
    """
    try:
        if isinstance(document, str):
            version, policy_id, statements, raw = _compile(document, source.kind)
        else:
            cache_key = (key if key is not None else document_key(document), source.kind)
            found = _COMPILED.get(cache_key)
            if found is None:
                found = _compile_document(document, source.kind)
                if len(_COMPILED) > 200_000:
                    _COMPILED.clear()
                _COMPILED[cache_key] = found
            version, policy_id, statements, raw = found
    except PolicyError as exc:
        raise exc.located(source.name) from None
    except RecursionError:
        raise PolicyError("nested too deeply", policy=source.name) from None
    return Policy(source, version, policy_id, statements, raw)
