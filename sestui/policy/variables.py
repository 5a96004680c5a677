"""Policy variables: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`, `${*}` `${?}` `${$}`.

AWS expands them only in `Resource` (the resource part) and in string conditions, and only in
documents with `"Version": "2012-10-17"`; elsewhere `${…}` is literal text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from sestui.policy.patterns import LITERAL_QUESTION, LITERAL_STAR

_VARIABLE = re.compile(r"\$\{([^}]*)\}")
_DEFAULT = re.compile(r"^\s*([^,\s]+)\s*,\s*'([^']*)'\s*$")
_ESCAPES = {"*": LITERAL_STAR, "?": LITERAL_QUESTION, "$": "$"}


@dataclass(frozen=True, slots=True)
class Variable:
    key: str  # lower-cased: condition key names are case-insensitive
    default: str | None


Template = tuple["str | Variable", ...]


def has_variables(text: str) -> bool:
    return "${" in text


def parse_template(text: str) -> Template:
    """Split text into literal pieces and variables. Escapes become literal stand-ins."""
    parts: list[str | Variable] = []
    pos = 0
    for m in _VARIABLE.finditer(text):
        if m.start() > pos:
            parts.append(text[pos : m.start()])
        body = m.group(1)
        if body in _ESCAPES:
            parts.append(_ESCAPES[body])
        else:
            d = _DEFAULT.match(body)
            if d:
                parts.append(Variable(d.group(1).lower(), d.group(2)))
            else:
                parts.append(Variable(body.strip().lower(), None))
        pos = m.end()
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


def _literal(value: str) -> str:
    """A substituted value matches literally, even if it holds `*` or `?`."""
    return value.replace("*", LITERAL_STAR).replace("?", LITERAL_QUESTION)


def expand(
    template: Template, context: Mapping[str, str | tuple[str, ...]]
) -> tuple[str | None, frozenset[str]]:
    """The text with variables replaced, or None when one resolves to null; also the keys read
    that the request did not carry (so callers can say which key was missing)."""
    out: list[str] = []
    missing: set[str] = set()
    for part in template:
        if isinstance(part, str):
            out.append(part)
            continue
        value = context.get(part.key)
        if isinstance(value, str):
            out.append(_literal(value))
        elif part.default is not None:
            if value is None:
                missing.add(part.key)
            out.append(_literal(part.default))
        else:
            missing.add(part.key)
            return None, frozenset(missing)
    return "".join(out), frozenset(missing)
