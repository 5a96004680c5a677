"""The neutral evaluation case format (`sestui eval`): one request and its policies per case."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sestui.policy.decide import decide
from sestui.policy.document import Policy, PolicyKind, PolicySource, parse_policy
from sestui.policy.errors import PolicyError
from sestui.policy.evaluate import Evaluation, PolicySet, evaluate
from sestui.policy.jsontext import _SURROGATE, depth_ok, load_json, too_deep
from sestui.policy.request import Request
from sestui.textsafe import UNSAFE_MULTILINE, json_text


def _doc(raw: Any, source: PolicySource) -> Policy:
    if not isinstance(raw, str | dict):
        raise PolicyError(
            "a policy must be a JSON object or a string holding one", policy=source.name
        )
    return parse_policy(raw, source)


def _list(case: dict[str, Any], key: str) -> list[Any]:
    value = case.get(key) or []
    if not isinstance(value, list):
        raise PolicyError(f"{key} must be a list")
    return value


def case_policies(case: dict[str, Any]) -> PolicySet:
    identity = tuple(
        _doc(d, PolicySource(PolicyKind.IDENTITY, f"identity_policies[{i}]"))
        for i, d in enumerate(_list(case, "identity_policies"))
    )
    boundary_raw = case.get("permissions_boundary")
    boundary = (
        _doc(boundary_raw, PolicySource(PolicyKind.BOUNDARY, "permissions_boundary"))
        if boundary_raw is not None
        else None
    )
    levels: list[tuple[Policy, ...]] = []
    for i, level in enumerate(_list(case, "scps")):
        if not isinstance(level, list):
            raise PolicyError(f"scps[{i}] must be a list of policies (one level)")
        levels.append(
            tuple(
                _doc(d, PolicySource(PolicyKind.SCP, f"scps[{i}][{j}]", level=i))
                for j, d in enumerate(level)
            )
        )
    resource = tuple(
        _doc(d, PolicySource(PolicyKind.RESOURCE, f"resource_policies[{i}]"))
        for i, d in enumerate(_list(case, "resource_policies"))
    )
    return PolicySet(identity, boundary, tuple(levels) if levels else None, resource)


def evaluate_case(case: Any) -> Evaluation:
    if not isinstance(case, dict):
        raise PolicyError("a case must be a JSON object")
    for key in ("principal", "action", "resource"):
        if not isinstance(case.get(key), str):
            raise PolicyError(f"case needs a string {key!r}")
    context = case.get("context") or {}
    if not isinstance(context, dict):
        raise PolicyError("context must be an object")
    request = Request.build(case["principal"], case["action"], case["resource"], context)
    return evaluate(request, case_policies(case))


def run_cases(
    cases: Any, *, before_exact: Callable[[], None] | None = None
) -> list[dict[str, Any]]:
    """Decide every case; a case that does not parse gets an "error" and the rest go on.

    Each case is first tried on the fast path (`decide.decide`); a case it leaves alone is
    decided (or refused, with its located error) by `evaluate_case`, after `before_exact`.
    """
    if not isinstance(cases, list):
        raise PolicyError("the cases file must hold a JSON array of cases")
    out: list[dict[str, Any]] = []
    for i, case in enumerate(cases):
        case_id = case.get("id", i) if isinstance(case, dict) else i
        decision = decide(case)
        if decision is not None:
            out.append({"id": case_id, "decision": decision.value})
            continue
        if before_exact is not None:
            before_exact()
        try:
            result = evaluate_case(case)
        except PolicyError as exc:
            out.append({"id": case_id, "decision": None, "error": str(exc)})
            continue
        out.append({"id": case_id, "decision": result.decision.value})
    return out


def run_text(text: str) -> list[dict[str, Any]]:
    """Decide the cases of a cases file's JSON text: what run_cases(load_json(text)) gives.

    load_json's checks of the whole text (nesting bound, lone surrogates) cost as much as the
    parse itself; the fast path accepts only cases of bounded nesting, so the nesting check
    runs only once a case needs the exact path (before it, as load_json would have), and the
    whole exact path is taken when the text may hold a lone surrogate. A text that is one
    well-formed array is decoded and decided a case at a time (_run_streamed).
    """
    if "\\u" in text and _SURROGATE.search(text) is not None:  # the `in` is much faster
        return run_cases(load_json(text))
    streamed = _run_streamed(text)
    if streamed is not None:
        return streamed
    try:
        cases = json.loads(text)
    except (ValueError, RecursionError):
        return run_cases(load_json(text))  # raises the located error
    checked = False

    def check_depth() -> None:
        nonlocal checked
        if not checked:
            if not depth_ok(text):
                raise too_deep(text)
            checked = True

    if not isinstance(cases, list):
        check_depth()
    return run_cases(cases, before_exact=check_depth)


_DECODER = json.JSONDecoder()  # json.loads' own settings
_SPACE = " \t\n\r"  # what JSON (and json's scanner) skips between tokens


def _run_streamed(text: str) -> list[dict[str, Any]] | None:
    """run_text's results for a text that is one JSON array, decoding and deciding one case at
    a time: each case is decided while its objects are still in the processor's cache, and
    freed before the next is decoded (a 34 MB file otherwise becomes a tree of some 150 MB
    that is built, walked once and freed). None when the text is not one well-formed array,
    or a case needs the exact path and the text's nesting is out of bounds: run_text then
    takes the whole-text path, which gives the same located error as ever.

    The array is read as json's own array parser reads it (whitespace, a value, whitespace,
    then `,` or `]`), each value with json.loads' scanner, so a text accepted here holds
    exactly the cases json.loads(text) would give.
    """
    scan: Callable[[str, int], tuple[Any, int]] = _DECODER.scan_once  # type: ignore[attr-defined]
    size = len(text)
    i = 0
    while i < size and text[i] in _SPACE:
        i += 1
    if i >= size or text[i] != "[":
        return None
    i += 1
    while i < size and text[i] in _SPACE:
        i += 1
    out: list[dict[str, Any]] = []
    checked = False
    if i < size and text[i] == "]":
        i += 1
    else:
        index = 0
        while True:
            try:
                case, i = scan(text, i)
            except (StopIteration, ValueError, RecursionError):
                return None
            case_id = case.get("id", index) if isinstance(case, dict) else index
            decision = decide(case)
            if decision is not None:
                out.append({"id": case_id, "decision": decision.value})
            else:
                if not checked:
                    if not depth_ok(text):
                        return None
                    checked = True
                try:
                    result = evaluate_case(case)
                except PolicyError as exc:
                    out.append({"id": case_id, "decision": None, "error": str(exc)})
                else:
                    out.append({"id": case_id, "decision": result.decision.value})
            del case  # the case is decided: free it before the next one is decoded
            index += 1
            while i < size and text[i] in _SPACE:
                i += 1
            if i < size and text[i] == ",":
                i += 1
                while i < size and text[i] in _SPACE:
                    i += 1
                continue
            if i < size and text[i] == "]":
                i += 1
                break
            return None
    while i < size and text[i] in _SPACE:
        i += 1
    return out if i == size else None


def dumps(results: list[dict[str, Any]]) -> str:
    """The results as textsafe.json_text writes them (indent 2), built here for the usual
    results (string or integer ids) without json's pure-Python indenting encoder."""
    quote = json.encoder.encode_basestring  # what json.dumps uses with ensure_ascii=False
    parts: list[str] = []
    for r in results:
        fields: list[str] = []
        for key, value in r.items():
            kind = type(value)
            if kind is str:
                text = quote(value)
            elif value is None:
                text = "null"
            elif kind is int:
                text = str(value)
            else:
                return json_text(results) + "\n"
            fields.append(f'    "{key}": {text}')
        parts.append("  {\n" + ",\n".join(fields) + "\n  }")
    text = "[\n" + ",\n".join(parts) + "\n]\n"
    if not parts or UNSAFE_MULTILINE.search(text) is not None:
        return json_text(results) + "\n"
    return text
