"""The neutral evaluation case format (`sestui eval`): one request and its policies per case."""

from __future__ import annotations

from typing import Any

from sestui.policy.document import Policy, PolicyKind, PolicySource, parse_policy
from sestui.policy.errors import PolicyError
from sestui.policy.evaluate import Evaluation, PolicySet, evaluate
from sestui.policy.request import Request
from sestui.textsafe import json_text


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


def run_cases(cases: Any) -> list[dict[str, Any]]:
    """Decide every case; a case that does not parse gets an "error" and the rest go on."""
    if not isinstance(cases, list):
        raise PolicyError("the cases file must hold a JSON array of cases")
    out: list[dict[str, Any]] = []
    for i, case in enumerate(cases):
        case_id = case.get("id", i) if isinstance(case, dict) else i
        try:
            result = evaluate_case(case)
        except PolicyError as exc:
            out.append({"id": case_id, "decision": None, "error": str(exc)})
            continue
        out.append({"id": case_id, "decision": result.decision.value})
    return out


def dumps(results: list[dict[str, Any]]) -> str:
    return json_text(results) + "\n"
