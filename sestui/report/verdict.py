"""Render a verdict for people (text with glyphs and numbered policy lines) or for programs
(JSON, schema `sestui-check/1`, documented in the README)."""

from __future__ import annotations

from typing import Any

from sestui.decide.verify import CellComparison, VerifyResult, VerifyStatus
from sestui.matrix.exact import Matrix
from sestui.textsafe import Span, json_text, terminal_lines, visible
from sestui.verdict.model import CheckResult, Finding, Outcome, Status, Verdict
from sestui.verdict.selection import Selection

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


def _check_lines(c: CheckResult, verbose: bool) -> list[str | list[Span]]:
    out: list[str | list[Span]] = [
        ["  ", (c.status.glyph, _COLOURS[c.status]), f" {c.check_id:<22} {c.summary}"]
    ]
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
            if c.fix.account:
                out.append(f"      Apply it in account {c.fix.account}.")
    return out


def describe_selection(sel: Selection, principal_label: str) -> str:
    parts = [principal_label, sel.region]
    if sel.from_address:
        name = f'"{sel.display_name}" ' if sel.display_name else ""
        parts.append(f"From {name}<{sel.from_address}>" if name else f"From {sel.from_address}")
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
    verify: VerifyResult | None = None,
) -> str:
    banner = (_BANNER[verdict.outcome], "1;" + _OUTCOME_COLOURS[verdict.outcome])
    lines: list[str | list[Span]] = []
    if verify is not None and verify.status is VerifyStatus.DISAGREES:
        # AWS's simulator and sestui differ: that comes before anything else.
        lines.append([("DISAGREES", "1;33"), f"  {verify.headline}"])
    lines += [
        [banner, f"  {verdict.summary}"],
        f"  {describe_selection(selection, principal_label)}",
    ]
    if verdict.error_text:
        # Undecided, the text is what AWS answers if it refuses; sestui cannot say that it will.
        said = "if AWS refuses it, it answers" if verdict.outcome is Outcome.UNDECIDED else None
        lines += [f"  {said or 'AWS would answer'}:", f"    {verdict.error_text}"]
    for reason in verdict.reasons if verdict.outcome is Outcome.UNDECIDED else ():
        lines.append(f"  undecided: {reason}")
    if verdict.outcome is Outcome.UNDECIDED and verdict.missing_keys:
        from sestui.decide.decision import how_to_set

        # The first suggestion: give the value the answer hangs on (no policy change needed).
        lines.append(f"  first: give {how_to_set(verdict.missing_keys)} and check again")
    if verify is not None:
        lines.extend(verify_lines(verify, verbose=verbose))
    for note in verdict.assumed:
        lines.append(f"  assumed: {note} (the answer is the same for every such value)")
    lines.append("")
    lines.append("Checks")
    for c in verdict.checks:
        lines.extend(_check_lines(c, verbose))
    return terminal_lines(lines, colour=colour)


def _cell_lines(c: CellComparison) -> list[str | list[Span]]:
    agrees = c.agrees
    glyph = "·" if agrees is None else ("✓" if agrees else "✗")
    code = "2" if agrees is None else ("32" if agrees else "31")
    where = c.resource.split(":", 5)[5] if c.resource.count(":") >= 5 else c.resource
    out: list[str | list[Span]] = [["    ", (glyph, code), f" {c.action} on {where}"]]
    out.append(f"        sestui: {c.local} — {c.local_reason}")
    matched = "; ".join(m.describe() for m in c.matched)
    out.append(
        "        AWS:    "
        + (c.aws or "no result")
        + (f" — matched {matched}" if matched else (" — no statement matched" if c.aws else ""))
    )
    details = []
    if c.organizations_allowed is not None:
        details.append("SCPs " + ("allow" if c.organizations_allowed else "deny"))
    if c.boundary_allowed is not None:
        details.append("boundary " + ("allows" if c.boundary_allowed else "denies"))
    if c.missing:
        details.append("missing context values: " + ", ".join(c.missing))
    if details:
        out.append("        AWS:    " + " · ".join(details))
    return out


def verify_lines(v: VerifyResult, *, verbose: bool = False) -> list[str | list[Span]]:
    """The simulator's answer beside sestui's: one line when they agree (cells with -v), every
    cell and what may explain it when they differ, the reason when it could not run."""
    if v.status is VerifyStatus.UNVERIFIED:
        return [["  ", ("?", "33"), f" {v.headline} (the verdict above stands)"]]
    if v.status is VerifyStatus.AGREES:
        out: list[str | list[Span]] = [["  ", ("✓", "32"), f" {v.headline}"]]
        out += [f"    note: {n}" for n in v.notes]
        if verbose:
            for c in v.cells:
                out.extend(_cell_lines(c))
        return out
    out = ["", "AWS's policy simulator (iam:SimulatePrincipalPolicy) disagrees"]
    for c in v.cells:
        out.extend(_cell_lines(c))
    if v.explanations:
        out.append("  What may explain it:")
        out.extend(f"    - {e}" for e in v.explanations)
    return out


def plain(line: str | list[Span]) -> str:
    """A report line's text without its styling (for the TUI, which styles on its own)."""
    if isinstance(line, str):
        return line
    return "".join(part if isinstance(part, str) else part[0] for part in line)


def verify_json(v: VerifyResult, local: Outcome) -> dict[str, Any]:
    """The `verify` object of `sestui-check/1`."""
    return {
        "status": v.status.value,
        "exit_code": v.exit_code(local),
        "headline": v.headline,
        "error": v.error,
        "notes": list(v.notes),
        "request": v.request.api() if v.request else None,
        "results": [
            {
                "action": c.action,
                "resource": c.resource,
                "resource_type": c.resource_type,
                "sestui": c.local,
                "sestui_reason": c.local_reason,
                "aws": c.aws,
                "agrees": c.agrees,
                "aws_matched_statements": [
                    {
                        "policy_id": m.policy_id,
                        "policy_type": m.policy_type,
                        "start": list(m.start) if m.start else None,
                        "end": list(m.end) if m.end else None,
                    }
                    for m in c.matched
                ],
                "missing_context_values": list(c.missing),
                "allowed_by_organizations": c.organizations_allowed,
                "allowed_by_permissions_boundary": c.boundary_allowed,
            }
            for c in v.cells
        ],
        "explanations": list(v.explanations),
    }


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
        "effect": f.effect.value if f.effect else None,
        "reason": f.reason,
        **({"account": src.account} if src and src.account else {}),
    }


def verdict_json(
    verdict: Verdict,
    selection: Selection,
    principal_arn: str,
    verify: VerifyResult | None = None,
) -> dict[str, Any]:
    out = _verdict_json(verdict, selection, principal_arn)
    if verify is not None:
        out["verify"] = verify_json(verify, verdict.outcome)
    return out


def _verdict_json(verdict: Verdict, selection: Selection, principal_arn: str) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "selection": {
            "principal": principal_arn,
            "region": selection.region,
            "from": selection.from_address,
            "display_name": selection.display_name,
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
                    **({"account": c.fix.account} if c.fix.account else {}),
                },
            }
            for c in verdict.checks
        ],
    }


def render_json(
    verdict: Verdict,
    selection: Selection,
    principal_arn: str,
    verify: VerifyResult | None = None,
) -> str:
    return json_text(verdict_json(verdict, selection, principal_arn, verify)) + "\n"


_CELL = {outcome: outcome.glyph for outcome in Outcome}


def render_matrix_text(m: Matrix) -> str:
    labels = [visible(p.label) for p in m.principals]  # escaped first: the widths are of these
    width = max([len(label) for label in labels] + [9])
    lines = [
        f"Who can send in {m.region} ({len(m.principals)} principals × "
        f"{len(m.identities)} identities; ✓ allowed ✗ denied ? undecided)",
        "",
    ]
    for i, name in enumerate(m.identities):
        lines.append(" " * (width + 2) + "│ " * i + f"┌ {name}")
    lines.append(" " * (width + 2) + "│ " * len(m.identities))
    for label, row in zip(labels, m.cells, strict=True):
        lines.append(f"{label:<{width}}  " + " ".join(_CELL[c] for c in row))
    return terminal_lines(lines, colour=False)


def matrix_json(m: Matrix) -> str:
    return (
        json_text(
            {
                "schema": "sestui-matrix/1",
                "region": m.region,
                "identities": list(m.identities),
                "principals": [p.arn for p in m.principals],
                "cells": [[c.value for c in row] for row in m.cells],
            }
        )
        + "\n"
    )


SendsGroups = list[
    tuple[str, list[tuple[str, str, Outcome]]]
]  # account title: (label, ARN, outcome)


def sends_text(title: str, groups: SendsGroups) -> str:
    """`check --all --identity` / `--user`: one line per principal (or identity), grouped by
    account, with its outcome."""
    lines = [f"{title}; ✓ allowed ✗ denied ? undecided", ""]
    for account, entries in groups:
        lines.append(f"account {account}")
        lines.extend(f"  {_CELL[outcome]} {label}" for label, _, outcome in entries)
    counts = {o: sum(e[2] is o for _, es in groups for e in es) for o in Outcome}
    lines += ["", ", ".join(f"{n} {o.value}" for o, n in counts.items())]
    return terminal_lines(lines, colour=False)


def sends_json(
    region: str, selection: Selection, subject: dict[str, str], groups: SendsGroups
) -> str:
    """Schema `sestui-sends/1`: {"schema", "region", "via", "actions", "identity" or
    "principal", "cells": [{"account" (its ID), "arn", "outcome"}]}."""
    return (
        json_text(
            {
                "schema": "sestui-sends/1",
                "region": region,
                "via": selection.path.value,
                "actions": list(selection.effective_actions),
                **subject,
                "cells": [
                    {"account": arn.split(":")[4], "arn": arn, "outcome": outcome.value}
                    for _, entries in groups
                    for _, arn, outcome in entries
                ],
            }
        )
        + "\n"
    )
