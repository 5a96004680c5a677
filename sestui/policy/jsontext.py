"""JSON text as sestui reads it: bounded nesting, real Unicode strings, every error located."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from sestui.policy.errors import PolicyError

# Deeper than any policy or snapshot AWS produces (a snapshot's deepest condition value sits at
# about 12), and far below where Python's own recursion would give out.
MAX_DEPTH = 64

_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def load_json(text: str, *, bounded: bool = True) -> Any:
    """json.loads with a PolicyError that carries line and column.

    Nesting deeper than MAX_DEPTH is refused at the line where it passes the bound (the same
    for a document given as an object or as JSON text inside JSON), and so is a string that
    holds a lone surrogate (`"\\ud800"`), which no terminal or file can show. `bounded=False`
    (whole snapshot files, where the documents inside are bounded when they are parsed) leaves
    out the nesting check, which costs as much as the parse on a large file, and keeps the
    parser's own limit.
    """
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"not valid JSON: {exc.msg}", line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise too_deep(text) from None
    limit = MAX_DEPTH if bounded else sys.maxsize
    if (bounded and not depth_ok(text)) or (_SURROGATE.search(text) and not tree_ok(value, limit)):
        problem = tree_problem(value, limit)
        if problem is None or problem[0].startswith("nested"):
            raise too_deep(text)
        raise PolicyError(problem[0], field=problem[1])
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


_KEEP = b'[]{}"'
_DROP = bytes(c for c in range(256) if c not in _KEEP)
_INNERMOST = re.compile(rb"\[\]|\{\}")


def depth_ok(text: str) -> bool:
    """Whether valid JSON text nests at most MAX_DEPTH deep: bytes operations only, no walk.

    Escaped backslashes and quotes go first, then everything but brackets and quotes, then
    string contents; the brackets left lose their innermost pairs once per level.
    """
    data = text.encode("utf-8", "surrogatepass")
    if b"\\" in data:
        # Left to right, as JSON pairs them: `\\\\` is one escape, then `\\"` an escaped quote.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    data = b"".join(data.translate(None, _DROP).split(b'"')[::2])
    for _ in range(MAX_DEPTH):
        if not data:
            return True
        data = _INNERMOST.sub(b"", data)  # one pass removes exactly one level
    return not data


def tree_ok(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether decoded JSON nests at most `limit` deep and every string is Unicode."""
    if not isinstance(value, dict | list):
        return not isinstance(value, str) or _unicode(value)
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            if not all(_unicode(k) for k in node):
                return False
            children: Any = node.values()
        else:
            children = node
        for item in children:
            if isinstance(item, dict | list):
                stack.append((item, depth + 1))
            elif isinstance(item, str) and not _unicode(item):
                return False
    return True


def tree_problem(value: Any, limit: int = MAX_DEPTH) -> tuple[str, str] | None:
    """What tree_ok refused, and its JSON path (`$.a[0].b`); None when nothing is wrong."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "$")]
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
        if depth > limit:
            short = path if len(path) <= 60 else path[:59] + "…"  # a path 64 levels long
            return f"nested deeper than {MAX_DEPTH} levels", short
        for key, item, where in reversed(pairs):
            if isinstance(key, str) and not _unicode(key):
                return "a key holds a lone surrogate, not Unicode text", path
            stack.append((item, depth + 1, where))
    return None
