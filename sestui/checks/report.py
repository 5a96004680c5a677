"""Render a verdict for people (text with glyphs and numbered policy lines) or for programs
(JSON, schema `sestui-check/1`, documented in the README)."""

from __future__ import annotations

import json
from typing import Any

from sestui.checks.matrix import Matrix
from sestui.checks.model import CheckResult, Finding, Outcome, Status, Verdict
from sestui.checks.selection import Selection

SCHEMA = "sestui-check/1"
_BANNER = {Outcome.ALLOWED: "ALLOWED", Outcome.DENIED: "DENIED", Outcome.UNDECIDED: "UNDECIDED"}
_COLOURS = {
    Status.PASS: "32",
    Status.FAIL: "31",
    Status.WARN: "33",
    Status.UNKNOWN: "35",
    Status.NA: "2",
}
_OUTCOME_COLOURS = {Outcome.ALLOWED: "32", Outcome.DENIED: "31", Outcome.UNDECIDED: "33"}


def _c(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _finding_lines(f: Finding, indent: str) -> list[str]:
    out = [f"{indent}- {f.reason}" + (f"  [{f.where()}]" if f.where() else "")]
    if f.document is not None and f.lines is not None:
        try:
            text = f.document.policy.text.split("\n")
        except ValueError:
            return out
        width = len(str(f.lines.last))
        for n in range(f.lines.first, f.lines.last + 1):
            out.append(f"{indent}    {n:>{width}} │ {text[n - 1]}")
    return out


def _check_lines(c: CheckResult, colour: bool, verbose: bool) -> list[str]:
    glyph = _c(c.status.glyph, _COLOURS[c.status], colour)
    out = [f"  {glyph} {c.check_id:<22} {c.summary}"]
    if c.status in (Status.FAIL, Status.WARN, Status.UNKNOWN) or verbose:
        if c.explanation:
            out.append(f"      {c.explanation}")
        for f in c.findings:
            out.extend(_finding_lines(f, "      "))
        if c.missing_keys:
            out.append("      missing request values: " + ", ".join(c.missing_keys))
        if c.fix is not None:
            out.append(
                f"      Fix: {c.fix.title}"
                + (" (edit " + c.fix.replaces.source.describe() + ")" if c.fix.replaces else "")
            )
            out.extend("        " + line for line in c.fix.text().split("\n"))
            if c.fix.note:
                out.append(f"      {c.fix.note}")
    return out


def describe_selection(sel: Selection, principal_label: str) -> str:
    parts = [principal_label, sel.region]
    if sel.from_address:
        parts.append(f"From {sel.from_address}")
    elif sel.identity:
        parts.append(f"identity {sel.identity}")
    parts.append(sel.path.value)
    parts.append(", ".join(sel.effective_actions))
    return " · ".join(parts)


def render_text(
    verdict: Verdict,
    selection: Selection,
    principal_label: str,
    *,
    colour: bool = False,
    verbose: bool = False,
) -> str:
    banner = _c(_BANNER[verdict.outcome], "1;" + _OUTCOME_COLOURS[verdict.outcome], colour)
    lines = [f"{banner}  {verdict.summary}", f"  {describe_selection(selection, principal_label)}"]
    if verdict.error_text:
        lines += ["  AWS would answer:", f"    {verdict.error_text}"]
    for reason in verdict.reasons if verdict.outcome is Outcome.UNDECIDED else ():
        lines.append(f"  undecided: {reason}")
    for note in verdict.assumed:
        lines.append(f"  assumed: {note} (the answer is the same for every such value)")
    lines.append("")
    lines.append("Checks")
    for c in verdict.checks:
        lines.extend(_check_lines(c, colour, verbose))
    return "\n".join(lines) + "\n"


def _finding_json(f: Finding) -> dict[str, Any]:
    src = f.document.source if f.document else None
    return {
        "policy_kind": src.kind.value if src else None,
        "policy_name": src.name if src else None,
        "policy_arn": src.arn if src else None,
        "via": src.via if src else None,
        "statement": f.statement,
        "sid": f.sid,
        "lines": [f.lines.first, f.lines.last] if f.lines else None,
        "effect": f.effect,
        "reason": f.reason,
    }


def verdict_json(verdict: Verdict, selection: Selection, principal_arn: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "selection": {
            "principal": principal_arn,
            "region": selection.region,
            "from": selection.from_address,
            "identity": selection.identity,
            "via": selection.path.value,
            "actions": list(selection.effective_actions),
            "configuration_set": selection.configuration_set,
            "template": selection.template,
            "recipients": list(selection.recipients) if selection.recipients is not None else None,
            "source_ip": selection.source_ip,
        },
        "verdict": {
            "outcome": verdict.outcome.value,
            "exit_code": verdict.outcome.exit_code,
            "summary": verdict.summary,
            "deciding_policy_type": verdict.deciding.value if verdict.deciding else None,
            "error_text": verdict.error_text,
            "identity_arn": verdict.identity_arn,
            "reasons": list(verdict.reasons),
            "missing_keys": list(verdict.missing_keys),
            "assumed": list(verdict.assumed),
            "decisions": [
                {
                    "action": e.action,
                    "resource": e.resource,
                    "resource_type": e.resource_type,
                    "decision": e.decision.value,
                    "deciding_policy_type": e.evaluation.deciding.value
                    if e.evaluation.deciding
                    else None,
                }
                for e in verdict.evaluations
            ],
        },
        "checks": [
            {
                "id": c.check_id,
                "title": c.title,
                "status": c.status.value,
                "summary": c.summary,
                "explanation": c.explanation,
                "findings": [_finding_json(f) for f in c.findings],
                "missing_keys": list(c.missing_keys),
                "fix": None
                if c.fix is None
                else {
                    "title": c.fix.title,
                    "kind": c.fix.kind.value,
                    "note": c.fix.note,
                    "replaces": None
                    if c.fix.replaces is None
                    else {
                        "policy_kind": c.fix.replaces.source.kind.value,
                        "policy_name": c.fix.replaces.source.name,
                        "policy_arn": c.fix.replaces.source.arn,
                    },
                    "document": c.fix.document,
                },
            }
            for c in verdict.checks
        ],
    }


def render_json(verdict: Verdict, selection: Selection, principal_arn: str) -> str:
    return (
        json.dumps(verdict_json(verdict, selection, principal_arn), indent=2, ensure_ascii=False)
        + "\n"
    )


_CELL = {Outcome.ALLOWED: "✓", Outcome.DENIED: "✗", Outcome.UNDECIDED: "?"}


def render_matrix_text(m: Matrix) -> str:
    width = max([len(p.label) for p in m.principals] + [9])
    lines = [
        f"Who can send in {m.region} ({len(m.principals)} principals × "
        f"{len(m.identities)} identities; ✓ allowed ✗ denied ? undecided)",
        "",
    ]
    for i, name in enumerate(m.identities):
        lines.append(" " * (width + 2) + "│ " * i + f"┌ {name}")
    lines.append(" " * (width + 2) + "│ " * len(m.identities))
    for p, row in zip(m.principals, m.cells, strict=True):
        lines.append(f"{p.label:<{width}}  " + " ".join(_CELL[c] for c in row))
    return "\n".join(lines) + "\n"


def matrix_json(m: Matrix) -> str:
    return (
        json.dumps(
            {
                "schema": "sestui-matrix/1",
                "region": m.region,
                "identities": list(m.identities),
                "principals": [p.arn for p in m.principals],
                "cells": [[c.value for c in row] for row in m.cells],
            },
            indent=2,
        )
        + "\n"
    )
