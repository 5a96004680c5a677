"""JSON text as sestui reads it: bounded nesting, real Unicode strings, every error located."""

from __future__ import annotations

import json
import re
from typing import Any

from sestui.policy.errors import PolicyError

# Deeper than any policy or snapshot AWS produces (a snapshot's deepest condition value sits at
# about 12), and far below where Python's own recursion would give out.
MAX_DEPTH = 64

_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def load_json(text: str) -> Any:
    """json.loads with a PolicyError that carries line and column.

    Nesting deeper than MAX_DEPTH is refused at the line where it passes the bound (the same
    for a document given as an object or as JSON text inside JSON), and so is a string that
    holds a lone surrogate (`"\\ud800"`), which no terminal or file can show.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise too_deep(text) from None
    if not tree_ok(value):
        problem = tree_problem(value)
        if problem is not None:
            message, path = problem
            if message.startswith("nested"):
                raise too_deep(text)
            raise PolicyError(message, field=path)
    return value


def too_deep(text: str) -> PolicyError:
    """The error for text nested deeper than MAX_DEPTH, at the bracket that passes the bound."""
    depth = 0
    for token in _TOKENS.finditer(text):
        t = token.group()
        if t in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                pos = token.start()
                line = text.count("\n", 0, pos) + 1
                column = pos - (text.rfind("\n", 0, pos) + 1) + 1
                return PolicyError(
                    f"nested deeper than {MAX_DEPTH} levels", line=line, column=column
                )
        elif t in "]}":
            depth -= 1
    return PolicyError(f"nested deeper than {MAX_DEPTH} levels")


def _unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def tree_ok(value: Any, base: int = 0) -> bool:
    """Whether decoded JSON nests at most MAX_DEPTH - base deep and every string is Unicode.

    Iterative, and without paths: the fast pass every file and document goes through.
    """
    stack: list[tuple[Any, int]] = [(value, base + 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            items: Any = node.items()
        elif isinstance(node, list):
            items = enumerate(node)
        elif isinstance(node, str):
            if not _unicode(node):
                return False
            continue
        else:
            continue
        if depth > MAX_DEPTH:
            return False
        for key, item in items:
            if isinstance(key, str) and not _unicode(key):
                return False
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
            elif isinstance(item, str) and not _unicode(item):
                return False
    return True


def tree_problem(value: Any, base: int = 0) -> tuple[str, str] | None:
    """What tree_ok refused, and its JSON path (`$.a[0].b`); None when nothing is wrong."""
    stack: list[tuple[Any, int, str]] = [(value, base + 1, "$")]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, str):
            if not _unicode(node):
                return "the string holds a lone surrogate, not Unicode text", path
            continue
        if isinstance(node, dict):
            pairs = [(k, v, f"{path}.{k}") for k, v in node.items()]
        elif isinstance(node, list):
            pairs = [(i, v, f"{path}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        if depth > MAX_DEPTH:
            return f"nested deeper than {MAX_DEPTH} levels", path
        for key, item, where in reversed(pairs):
            if isinstance(key, str) and not _unicode(key):
                return "a key holds a lone surrogate, not Unicode text", path
            stack.append((item, depth + 1, where))
    return None
