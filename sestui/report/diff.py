"""`sestui diff` output: text for people, JSON (schema sestui-diff/1) for programs."""

from __future__ import annotations

import re
from typing import Any

from sestui.matrix.diff import (
    Change,
    FactChange,
    PolicyChange,
    SnapshotDiff,
    StatementDiff,
    VerdictChange,
)
from sestui.matrix.orgdiff import ACCOUNT_ADDED, ACCOUNT_REMOVED, AccountDiff, OrgDiff
from sestui.textsafe import json_text

SCHEMA = "sestui-diff/1"
ORG_SCHEMA = "sestui-diff/2"
# C0/C1 controls, DEL and the bidi overrides: names in a snapshot are not trusted terminal text.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _safe(text: str) -> str:
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _outcome(v: object) -> str:
    return getattr(v, "value", "absent")


def _range(r: Any) -> list[int] | None:
    return None if r is None else [r.first, r.last]


def _statement_json(s: StatementDiff) -> dict[str, Any]:
    return {
        "change": s.edit.value,
        "sid": s.sid,
        "old_index": s.old_index,
        "new_index": s.new_index,
        "old_lines": _range(s.old_lines),
        "new_lines": _range(s.new_lines),
        "lines": [{"sign": x.sign, "line": x.line, "text": x.text} for x in s.lines],
    }


def _change_json(
    d: SnapshotDiff, c: Change, elsewhere: frozenset[str] = frozenset()
) -> dict[str, Any]:
    affects = d.caused_verdicts(c.key) or c.key in elsewhere
    common = {"id": c.key, "label": c.label, "affects_verdicts": affects}
    if isinstance(c, PolicyChange):
        return {
            **common,
            "kind": "policy",
            "type": c.type.value,
            "change": c.edit.value,
            "region": c.region,
            "old_version": c.old_version,
            "new_version": c.new_version,
            "statements": [_statement_json(s) for s in c.statements],
        }
    return {
        **common,
        "kind": "fact",
        "type": c.kind.value,
        "region": c.region,
        "old": c.old,
        "new": c.new,
    }


def render_diff_json(d: SnapshotDiff, old_name: str, new_name: str) -> str:
    return json_text(diff_data(d, old_name, new_name)) + "\n"


def _verdict_json(v: VerdictChange) -> dict[str, Any]:
    return {
        "region": v.region,
        "principal": v.principal_arn,
        "principal_label": v.principal_label,
        "identity": v.identity,
        "before": _outcome(v.before),
        "after": _outcome(v.after),
        "change": v.direction,
        "causes": list(v.causes),
    }


def diff_data(
    d: SnapshotDiff, old_name: str, new_name: str, elsewhere: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """`elsewhere`: keys of changes behind verdicts reported outside this diff (delegate sends
    across accounts): they affect verdicts too."""
    return {
        "schema": SCHEMA,
        "old": old_name,
        "new": new_name,
        "path": d.path.value,
        "actions": list(d.actions or ("ses:SendRawEmail",)),
        "regions": list(d.regions),
        "regions_only_old": list(d.regions_only_old),
        "regions_only_new": list(d.regions_only_new),
        "verdict_changed": d.verdict_changed,
        "verdicts": [_verdict_json(v) for v in d.verdicts],
        "changes": [_change_json(d, c, elsewhere) for c in d.changes],
    }


def _policy_lines(c: PolicyChange, indent: str) -> list[str]:
    version = ""
    if c.old_version != c.new_version:
        version = f" (default version {c.old_version or '-'} → {c.new_version or '-'})"
    out = [f"{indent}{_safe(c.label)}: {c.edit.value}{version}"]
    for s in c.statements:
        where = ""
        if s.new_lines is not None:
            where = f", lines {s.new_lines.first}-{s.new_lines.last}"
        elif s.old_lines is not None:
            where = f", old lines {s.old_lines.first}-{s.old_lines.last}"
        out.append(f"{indent}  {s.edit.value} {_safe(s.label())}{where}")
        for x in s.lines:
            out.append(f"{indent}    {x.sign}{x.line:>4} {_safe(x.text)}")
    return out


def _fact_line(c: FactChange, indent: str) -> str:
    return f"{indent}{_safe(c.label)}: {_safe(c.old or '-')} → {_safe(c.new or '-')}"


def _change_lines(c: Change, indent: str) -> list[str]:
    return _policy_lines(c, indent) if isinstance(c, PolicyChange) else [_fact_line(c, indent)]


def _brief(c: Change) -> str:
    if isinstance(c, PolicyChange):
        counts: dict[str, int] = {}
        for s in c.statements:
            counts[s.edit.value] = counts.get(s.edit.value, 0) + 1
        parts = ", ".join(f"{n} statement{'s' * (n != 1)} {k}" for k, n in counts.items())
        return f"{_safe(c.label)}: {c.edit.value}" + (f" ({parts})" if parts else "")
    return _fact_line(c, "")


def _verdict_line(v: VerdictChange) -> str:
    return (
        f"    {v.direction.upper():<7} {_safe(v.principal_label)} → {_safe(v.identity)}"
        f"  ({_outcome(v.before)} → {_outcome(v.after)})"
    )


def _elsewhere(d: OrgDiff, a: AccountDiff) -> frozenset[str]:
    """The keys of this account's changes that changed delegate sends across accounts."""
    prefix = a.account_id + "/"
    return frozenset(c[len(prefix) :] for v in d.cross for c in v.causes if c.startswith(prefix))


def render_org_diff_json(d: OrgDiff, old_name: str, new_name: str) -> str:
    """Schema `sestui-diff/2`: each account's own diff (a `sestui-diff/1` object without its
    file names), and the delegate sends across accounts whose verdict changed (a send lost or
    gained with an account in one snapshot only has the cause `account/removed` or
    `account/added` of that account)."""
    data = {
        "schema": ORG_SCHEMA,
        "old": old_name,
        "new": new_name,
        "path": d.path.value,
        "actions": list(d.actions or ("ses:SendRawEmail",)),
        "verdict_changed": d.verdict_changed,
        "accounts_only_old": list(d.accounts_only_old),
        "accounts_only_new": list(d.accounts_only_new),
        "accounts": [
            {
                "account": a.account_id,
                "title": a.title,
                "diff": {
                    k: v
                    for k, v in diff_data(a.diff, old_name, new_name, _elsewhere(d, a)).items()
                    if k not in ("schema", "old", "new", "path", "actions")
                },
            }
            for a in d.accounts
        ],
        "cross_account": [
            {
                **_verdict_json(v),
                "causes": [
                    {"account": c.split("/", 1)[0], "change": c.split("/", 1)[1]} for c in v.causes
                ],
            }
            for v in d.cross
        ],
    }
    return json_text(data) + "\n"


_ONE_SIDE = {
    ACCOUNT_REMOVED: "removed (only in the old snapshot)",
    ACCOUNT_ADDED: "added (only in the new snapshot)",
}


def render_org_diff_text(d: OrgDiff, old_name: str, new_name: str) -> str:
    actions = ", ".join(d.actions or ("ses:SendRawEmail",))
    lines = [
        f"sestui diff: {_safe(old_name)} → {_safe(new_name)} (via {d.path.value}; {actions}; "
        f"{len(d.accounts)} accounts in both)"
    ]
    for label, titles in (("old", d.accounts_only_old), ("new", d.accounts_only_new)):
        if titles:
            lines.append(f"  only in the {label} snapshot: account {', '.join(titles)}")
    total = len(d.cross) + sum(len(a.diff.verdicts) for a in d.accounts)
    lines.append(f"{total} verdict{'s' * (total != 1)} changed" if total else "No verdict changed.")
    for a in d.accounts:
        lines.append("")
        if not a.diff.changes and not a.diff.verdicts:
            lines.append(f"account {_safe(a.title)}: no change")
            continue
        lines.append(f"account {_safe(a.title)}:")
        body = render_diff_text(a.diff, old_name, new_name, _elsewhere(d, a)).splitlines()[1:]
        lines += [
            "  No verdict within this account changed." if line == "No verdict changed." else line
            for line in body
        ]
    lines += ["", "Delegate sends across accounts:"]
    if not d.cross:
        lines.append("  no verdict changed")
    for v in d.cross:
        lines.append(_verdict_line(v))
        lines.append(
            "      because:" if v.causes else "      because: (no change found that reaches it)"
        )
        for cause in v.causes:
            account_id, key = cause.split("/", 1)
            found = d.account(account_id)
            if found is not None:
                lines += [
                    f"        in account {_safe(found.title)}:",
                    *_change_lines(found.diff.change(key), "          "),
                ]
            elif key in _ONE_SIDE:
                lines.append(f"        account {_safe(d.title(account_id))}: {_ONE_SIDE[key]}")
    return "\n".join(lines) + "\n"


def render_diff_text(
    d: SnapshotDiff, old_name: str, new_name: str, elsewhere: frozenset[str] = frozenset()
) -> str:
    """`elsewhere`: keys of changes that changed verdicts reported elsewhere (delegate sends
    across accounts): listed as such, not among the changes that changed no verdict."""
    actions = ", ".join(d.actions or ("ses:SendRawEmail",))
    lost = sum(v.direction == "lost" for v in d.verdicts)
    gained = sum(v.direction == "gained" for v in d.verdicts)
    lines = [
        f"sestui diff: {_safe(old_name)} → {_safe(new_name)} (via {d.path.value}; {actions})",
        f"  regions compared: {', '.join(d.regions) or 'none'}",
    ]
    if d.regions_only_old:
        lines.append(f"  only in the old snapshot: {', '.join(d.regions_only_old)}")
    if d.regions_only_new:
        lines.append(f"  only in the new snapshot: {', '.join(d.regions_only_new)}")
    if not d.verdicts:
        lines.append("No verdict changed.")
    else:
        lines.append(
            f"{len(d.verdicts)} verdict{'s' * (len(d.verdicts) != 1)} changed: {lost} lost, "
            f"{gained} gained, {len(d.verdicts) - lost - gained} other"
        )
    # Cells with the same causes print together, the causes once after them.
    groups: dict[tuple[str, tuple[str, ...]], list[VerdictChange]] = {}
    for v in d.verdicts:
        groups.setdefault((v.region, v.causes), []).append(v)
    region = None
    for (reg, causes), cells in groups.items():
        if reg != region:
            lines += ["", reg]
            region = reg
        lines += [_verdict_line(v) for v in cells]
        lines.append(
            "      because:" if causes else "      because: (no change found that reaches it)"
        )
        for key in causes:
            lines += _change_lines(d.change(key), "        ")
    behind = [c for c in d.changes if not d.caused_verdicts(c.key) and c.key in elsewhere]
    if behind:
        lines += ["", "Changes behind delegate sends across accounts (below):"]
        lines += [f"  {_brief(c)}" for c in behind]
    quiet = [c for c in d.changes if not d.caused_verdicts(c.key) and c.key not in elsewhere]
    if quiet:
        lines += ["", "Changes that changed no verdict:"]
        lines += [f"  {_brief(c)}" for c in quiet]
    return "\n".join(lines) + "\n"
