"""What changed between two snapshots of one account: who-can-send verdicts lost and gained, and
the policy changes (statement by statement) and facts (verification, sandbox, …) behind them.

Only cells that a change can reach are evaluated: a principal whose policies, groups, attachments
and boundary are unchanged keeps its row unless something region- or account-wide changed
(sending-authorization policies, identities, verification, SCPs), and rows come from the
who-can-send matrix, never from the exact per-cell path.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sestui.account import Account, IamPrincipal, PolicyDocument, RegionState
from sestui.matrix.fast import FastMatrix
from sestui.matrix.fingerprint import Fingerprinter
from sestui.policy import LineRange, PolicyError, PolicyKind, PrincipalSpec, action_matches
from sestui.verdict.model import Outcome
from sestui.verdict.selection import SendPath

ACCOUNT = "account"  # the subject of changes that reach every cell (SCPs, organization)


class Edit(Enum):
    ADDED = "added"
    REMOVED = "removed"
    EDITED = "edited"


class PolicyType(Enum):
    USER_INLINE = "user-inline"
    ROLE_INLINE = "role-inline"
    GROUP_INLINE = "group-inline"
    MANAGED = "managed"
    BOUNDARY = "boundary"
    SENDING_AUTHORIZATION = "sending-authorization"
    SCP = "scp"


class FactKind(Enum):
    PRINCIPAL = "principal"  # a user or role added or removed
    GROUP = "group"
    MEMBERSHIP = "membership"  # joined or left a group
    ATTACHMENT = "attachment"  # a managed policy attached or detached
    BOUNDARY = "boundary"  # the permissions boundary set, changed or removed
    TAGS = "tags"
    IDENTITY = "identity"  # an SES identity added or removed
    VERIFICATION = "verification"
    IDENTITY_POLICIES = "identity-policies"  # readable or not
    CONFIGURATION_SET = "configuration-set"  # an identity's default configuration set
    SANDBOX = "sandbox"
    SENDING = "sending"  # sending enabled / enforcement status
    ORGANIZATION = "organization"
    SCP_ATTACHMENT = "scp-attachment"


@dataclass(frozen=True, slots=True)
class LineChange:
    sign: str  # "-": a line of the old document, "+": a line of the new one
    line: int  # 1-based, in json.dumps(document, indent=2) of its side
    text: str


@dataclass(frozen=True, slots=True)
class StatementDiff:
    edit: Edit
    sid: str | None
    old_index: int | None
    new_index: int | None
    old_lines: LineRange | None
    new_lines: LineRange | None
    lines: tuple[LineChange, ...]

    def label(self) -> str:
        index = self.new_index if self.new_index is not None else self.old_index
        if index is None:
            return "the document"
        return f"Statement[{index}]" + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class PolicyChange:
    """One policy document added, removed or edited."""

    key: str  # stable id: user/NAME/inline/POLICY, managed/ARN, ses/REGION/IDENTITY/POLICY, …
    type: PolicyType
    label: str
    edit: Edit
    subject: str  # which cells it can reach (see `_subjects`)
    statements: tuple[StatementDiff, ...]
    region: str | None = None
    old_version: str | None = None  # managed policies: default version before and after
    new_version: str | None = None
    old: PolicyDocument | None = field(default=None, repr=False, compare=False)
    new: PolicyDocument | None = field(default=None, repr=False, compare=False)

    def touches(self, actions: tuple[str, ...], principal_arn: str | None = None) -> bool:
        """Whether a changed statement can apply to one of the actions (its Action or NotAction
        admits one) and, in a resource policy, to the principal; a change it cannot tell apart
        (unparsable, Version only) counts."""
        if not self.statements:
            return True
        for s in self.statements:
            for doc, index in ((self.old, s.old_index), (self.new, s.new_index)):
                if doc is None or index is None:
                    if s.old_index is None and s.new_index is None:
                        return True
                    continue
                try:
                    st = doc.policy.statements[index]
                except (PolicyError, IndexError):
                    return True
                hit = any(action_matches(p, a) for p in st.actions for a in actions)
                if hit != st.not_action and _names(st.principal, st.not_principal, principal_arn):
                    return True
        return False


def _names(spec: PrincipalSpec | None, negated: bool, arn: str | None) -> bool:
    """Whether a statement's Principal can name the principal (no Principal: identity policy)."""
    if spec is None or negated or arn is None or spec.wildcard:
        return True
    parts = arn.split(":")
    account = parts[4] if len(parts) > 4 else ""
    root = f"{':'.join(parts[:2])}:iam::{account}:root"
    return any(p in (arn, account, root, "*") for p in spec.aws)


@dataclass(frozen=True, slots=True)
class FactChange:
    """A change that is not a policy document: verification, sandbox, an attachment, …"""

    key: str
    kind: FactKind
    subject: str
    label: str
    old: str | None
    new: str | None
    region: str | None = None


Change = PolicyChange | FactChange


@dataclass(frozen=True, slots=True)
class VerdictChange:
    region: str
    principal_arn: str
    principal_label: str  # "user alice"
    identity: str
    before: Outcome | None  # None: the principal or identity did not exist
    after: Outcome | None
    causes: tuple[str, ...]  # keys of the changes that reach this cell

    @property
    def direction(self) -> str:
        was = self.before is Outcome.ALLOWED
        now = self.after is Outcome.ALLOWED
        return "lost" if was and not now else "gained" if now and not was else "changed"


@dataclass(frozen=True)
class SnapshotDiff:
    path: SendPath
    actions: tuple[str, ...]
    regions: tuple[str, ...]  # compared (in both snapshots)
    regions_only_old: tuple[str, ...]
    regions_only_new: tuple[str, ...]
    verdicts: tuple[VerdictChange, ...]
    changes: tuple[Change, ...]
    rows_evaluated: int = 0  # principal rows computed (both sides), for the curious
    _causing: frozenset[str] = field(default=frozenset(), repr=False)

    @property
    def verdict_changed(self) -> bool:
        return bool(self.verdicts)

    def caused_verdicts(self, key: str) -> bool:
        return key in self._causing

    def change(self, key: str) -> Change:
        for c in self.changes:
            if c.key == key:
                return c
        raise KeyError(key)

    def policy_change(self, key: str) -> PolicyChange | None:
        """The change of one policy (by key), for a policy view that marks it."""
        found = next((c for c in self.changes if c.key == key), None)
        return found if isinstance(found, PolicyChange) else None


# -- statement-level document diff ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stmt:
    index: int
    sid: str | None
    canon: str
    lines: LineRange | None


def _stmts(doc: PolicyDocument) -> tuple[list[_Stmt], list[str]] | None:
    """The document's statements with their line spans, and its text lines; None if unparsable."""
    try:
        policy = doc.policy
    except PolicyError:
        return None
    found = doc.raw.get("Statement")
    raws: list[Any] = [found] if isinstance(found, dict) else list(found or [])
    out = []
    for st, raw in zip(policy.statements, raws, strict=False):
        out.append(_Stmt(st.index, st.sid, json.dumps(raw, sort_keys=True), st.lines))
    return out, policy.text.splitlines()


def _span(text: list[str], r: LineRange | None) -> list[tuple[int, str]]:
    if r is None:
        return []
    return [(n, text[n - 1]) for n in range(r.first, min(r.last, len(text)) + 1)]


def _line_diff(old: list[tuple[int, str]], new: list[tuple[int, str]]) -> tuple[LineChange, ...]:
    matcher = difflib.SequenceMatcher(a=[t for _, t in old], b=[t for _, t in new], autojunk=False)
    out: list[LineChange] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        out.extend(LineChange("-", n, t) for n, t in old[a1:a2])
        out.extend(LineChange("+", n, t) for n, t in new[b1:b2])
    return tuple(out)


def _whole(doc: PolicyDocument | None) -> list[tuple[int, str]]:
    if doc is None:
        return []
    text = json.dumps(doc.raw, indent=2).splitlines()
    return list(enumerate(text, 1))


def diff_documents(
    old: PolicyDocument | None, new: PolicyDocument | None
) -> tuple[StatementDiff, ...]:
    """Statements added, removed and edited: paired by equal content, then by Sid, then (both
    without a Sid) by position; an unparsable side is diffed as a whole document."""
    a = _stmts(old) if old is not None else ([], [])
    b = _stmts(new) if new is not None else ([], [])
    if a is None or b is None:
        lines = _line_diff(_whole(old), _whole(new))
        return (StatementDiff(Edit.EDITED, None, None, None, None, None, lines),) if lines else ()
    (sa, ta), (sb, tb) = a, b
    left = {s.index: s for s in sa}
    right = {s.index: s for s in sb}
    pairs: list[tuple[_Stmt, _Stmt]] = []
    by_canon: dict[str, list[_Stmt]] = {}
    for s in sb:
        by_canon.setdefault(s.canon, []).append(s)
    for s in sa:  # equal content: unchanged, wherever it moved
        bucket = by_canon.get(s.canon)
        if bucket:
            same = bucket.pop(0)
            del left[s.index], right[same.index]
    for s in list(left.values()):  # the same Sid: edited
        named = next((t for t in right.values() if s.sid and t.sid == s.sid), None)
        if named is not None:
            pairs.append((s, named))
            del left[s.index], right[named.index]
    for i in list(left):  # no Sid on either side, same position: edited
        s, twin = left[i], right.get(i)
        if twin is not None and s.sid is None and twin.sid is None:
            pairs.append((s, twin))
            del left[i], right[i]
    out = [
        StatementDiff(
            Edit.EDITED,
            t.sid,
            s.index,
            t.index,
            s.lines,
            t.lines,
            _line_diff(_span(ta, s.lines), _span(tb, t.lines)),
        )
        for s, t in pairs
    ]
    out += [
        StatementDiff(
            Edit.REMOVED, s.sid, s.index, None, s.lines, None, _line_diff(_span(ta, s.lines), [])
        )
        for s in left.values()
    ]
    out += [
        StatementDiff(
            Edit.ADDED, t.sid, None, t.index, None, t.lines, _line_diff([], _span(tb, t.lines))
        )
        for t in right.values()
    ]
    rest_a = {k: v for k, v in old.raw.items() if k != "Statement"} if old else {}
    rest_b = {k: v for k, v in new.raw.items() if k != "Statement"} if new else {}
    if not out and old is not None and new is not None and rest_a != rest_b:
        # Only the text around the statements changed (Version, Id): show those lines.
        lines = _line_diff(_whole(old), _whole(new))
        if lines:
            out.append(StatementDiff(Edit.EDITED, None, None, None, None, None, lines))
    out.sort(key=lambda d: d.new_index if d.new_index is not None else d.old_index or 0)
    return tuple(out)


# -- what changed -----------------------------------------------------------------------------


def _by_name(docs: Iterable[PolicyDocument]) -> dict[str, PolicyDocument]:
    return {d.source.name: d for d in docs}


class _Collector:
    def __init__(self) -> None:
        self.changes: list[Change] = []

    def policy(
        self,
        key: str,
        type: PolicyType,
        label: str,
        subject: str,
        old: PolicyDocument | None,
        new: PolicyDocument | None,
        **extra: Any,
    ) -> None:
        if old is None and new is None:
            return  # not read on either side: nothing to compare (a gap says so)
        same = old is not None and new is not None and old.fingerprint == new.fingerprint
        if same and extra.get("old_version") == extra.get("new_version"):
            return
        edit = Edit.ADDED if old is None else Edit.REMOVED if new is None else Edit.EDITED
        statements = diff_documents(old, new)
        if (
            edit is Edit.EDITED
            and not statements
            and extra.get("old_version") == extra.get("new_version")
        ):
            return  # statements only moved: the same policy
        self.changes.append(
            PolicyChange(key, type, label, edit, subject, statements, old=old, new=new, **extra)
        )

    def inline(
        self,
        owner: str,
        type: PolicyType,
        subject: str,
        old: Iterable[PolicyDocument],
        new: Iterable[PolicyDocument],
    ) -> None:
        a, b = _by_name(old), _by_name(new)
        for name in sorted(a.keys() | b.keys()):
            self.policy(
                f"{owner}/inline/{name}",
                type,
                f"inline policy {name} of {owner.replace('/', ' ', 1)}",
                subject,
                a.get(name),
                b.get(name),
            )

    def fact(
        self,
        kind: FactKind,
        subject: str,
        label: str,
        old: object,
        new: object,
        region: str | None = None,
    ) -> None:
        if old == new:
            return
        key = f"{kind.value}/{subject}/{label}"
        self.changes.append(FactChange(key, kind, subject, label, _show(old), _show(new), region))

    def members(
        self, kind: FactKind, subject: str, what: str, old: Iterable[str], new: Iterable[str]
    ) -> None:
        a, b = set(old), set(new)
        for item in sorted(a | b):
            if (item in a) != (item in b):
                self.fact(kind, subject, f"{what} {item}", item in a, item in b)


def _show(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(f"{k}={v}" for k, v in value) if value else "(none)"
    return str(value)


def _principal_changes(c: _Collector, old: Account, new: Account) -> None:
    a = {p.arn: p for p in old.principals}
    b = {p.arn: p for p in new.principals}
    for arn in sorted(a.keys() | b.keys()):
        p, q = a.get(arn), b.get(arn)
        subject = f"principal:{arn}"
        if p is None or q is None:
            either = p or q
            assert either is not None
            c.fact(FactKind.PRINCIPAL, subject, either.label, p is not None, q is not None)
            continue
        owner = f"{p.type.value}/{p.name}"
        kind = PolicyType.USER_INLINE if p.is_user else PolicyType.ROLE_INLINE
        c.inline(owner, kind, subject, p.inline_policies, q.inline_policies)
        what = f"{p.label}: attached"
        c.members(
            FactKind.ATTACHMENT, subject, what, p.attached_policy_arns, q.attached_policy_arns
        )
        c.members(FactKind.MEMBERSHIP, subject, f"{p.label}: in group", p.groups, q.groups)
        c.fact(FactKind.BOUNDARY, subject, f"{p.label}: boundary", p.boundary_arn, q.boundary_arn)
        c.fact(FactKind.TAGS, subject, f"{p.label}: tags", tuple(p.tags), tuple(q.tags))


def _group_changes(c: _Collector, old: Account, new: Account) -> None:
    for name in sorted(old.groups.keys() | new.groups.keys()):
        g, h = old.groups.get(name), new.groups.get(name)
        subject = f"group:{name}"
        if g is None or h is None:
            c.fact(FactKind.GROUP, subject, f"group {name}", g is not None, h is not None)
            continue
        c.inline(
            f"group/{name}", PolicyType.GROUP_INLINE, subject, g.inline_policies, h.inline_policies
        )
        c.members(
            FactKind.ATTACHMENT,
            subject,
            f"group {name}: attached",
            g.attached_policy_arns,
            h.attached_policy_arns,
        )


def _boundary_arns(*accounts: Account) -> tuple[set[str], set[str]]:
    """ARNs used as a boundary, and ARNs attached as identity policies, in any of the accounts."""
    boundaries: set[str] = set()
    attached: set[str] = set()
    for account in accounts:
        for p in account.principals:
            if p.boundary_arn:
                boundaries.add(p.boundary_arn)
            attached.update(p.attached_policy_arns)
        for g in account.groups.values():
            attached.update(g.attached_policy_arns)
    return boundaries, attached


def _managed_changes(c: _Collector, old: Account, new: Account) -> None:
    boundaries, attached = _boundary_arns(old, new)
    for arn in sorted(old.managed_policies.keys() | new.managed_policies.keys()):
        m, n = old.managed_policies.get(arn), new.managed_policies.get(arn)
        either = m or n
        assert either is not None
        only_boundary = arn in boundaries and arn not in attached
        type = PolicyType.BOUNDARY if only_boundary else PolicyType.MANAGED
        label = ("permissions boundary " if only_boundary else "managed policy ") + either.name
        c.policy(
            f"managed/{arn}",
            type,
            f"{label} ({arn})",
            f"managed:{arn}",
            m.document if m else None,
            n.document if n else None,
            old_version=m.default_version if m else None,
            new_version=n.default_version if n else None,
        )


def _region_changes(c: _Collector, name: str, a: RegionState, b: RegionState) -> None:
    for ident in sorted(a.identities.keys() | b.identities.keys()):
        i, j = a.identities.get(ident), b.identities.get(ident)
        subject = f"identity:{name}:{ident}"
        where = f"{ident} in {name}"
        if i is None or j is None:
            c.fact(
                FactKind.IDENTITY, subject, f"identity {where}", i is not None, j is not None, name
            )
            continue
        c.fact(
            FactKind.VERIFICATION,
            subject,
            f"verification of {where}",
            i.verification_status,
            j.verification_status,
            name,
        )
        c.fact(
            FactKind.IDENTITY_POLICIES,
            subject,
            f"sending-authorization policies of {where} readable",
            i.policies_known,
            j.policies_known,
            name,
        )
        c.fact(
            FactKind.CONFIGURATION_SET,
            subject,
            f"default configuration set of {where}",
            i.default_configuration_set,
            j.default_configuration_set,
            name,
        )
        p, q = _by_name(i.policies), _by_name(j.policies)
        for pname in sorted(p.keys() | q.keys()):
            c.policy(
                f"ses/{name}/{ident}/{pname}",
                PolicyType.SENDING_AUTHORIZATION,
                f"sending-authorization policy {pname} of {where}",
                subject,
                p.get(pname),
                q.get(pname),
                region=name,
            )
    subject = f"region:{name}"
    c.fact(
        FactKind.SANDBOX,
        subject,
        f"{name} in the sandbox",
        a.sending.sandbox,
        b.sending.sandbox,
        name,
    )
    c.fact(
        FactKind.SENDING,
        subject,
        f"sending enabled in {name}",
        a.sending.sending_enabled,
        b.sending.sending_enabled,
        name,
    )
    c.fact(
        FactKind.SENDING,
        subject,
        f"enforcement status in {name}",
        a.sending.enforcement_status,
        b.sending.enforcement_status,
        name,
    )


def _scps(account: Account) -> tuple[dict[str, PolicyDocument], set[tuple[str, str]]]:
    docs: dict[str, PolicyDocument] = {}
    attached: set[tuple[str, str]] = set()
    for level in account.organization.levels or ():
        for d in level.policies:
            pid = (d.source.arn or "").rsplit("/", 1)[-1] or d.source.name
            docs.setdefault(pid, d)
            attached.add((f"{level.type.lower().replace('_', ' ')} {level.name}", pid))
    return docs, attached


def _org_changes(c: _Collector, old: Account, new: Account) -> None:
    o, n = old.organization, new.organization
    c.fact(FactKind.ORGANIZATION, ACCOUNT, "organization status", o.status.value, n.status.value)
    c.fact(
        FactKind.ORGANIZATION, ACCOUNT, "SCPs readable", o.levels is not None, n.levels is not None
    )
    (da, aa), (db, ab) = _scps(old), _scps(new)
    for pid in sorted(da.keys() | db.keys()):
        d = da.get(pid) or db.get(pid)
        assert d is not None
        c.policy(
            f"scp/{pid}",
            PolicyType.SCP,
            f"service control policy {d.source.name} ({pid})",
            ACCOUNT,
            da.get(pid),
            db.get(pid),
        )
    for target, pid in sorted(aa ^ ab):
        c.fact(
            FactKind.SCP_ATTACHMENT,
            ACCOUNT,
            f"SCP {pid} attached to {target}",
            (target, pid) in aa,
            (target, pid) in ab,
        )


def changes_between(old: Account, new: Account) -> tuple[Change, ...]:
    """Every policy and fact change between two accounts, in a stable order."""
    c = _Collector()
    _principal_changes(c, old, new)
    _group_changes(c, old, new)
    _managed_changes(c, old, new)
    for name in sorted(old.regions.keys() & new.regions.keys()):
        _region_changes(c, name, old.regions[name], new.regions[name])
    _org_changes(c, old, new)
    return tuple(c.changes)


# -- which cells a change can reach ---------------------------------------------------------------


def principal_subjects(account: Account, p: IamPrincipal) -> set[str]:
    out = {f"principal:{p.arn}"}
    arns = set(p.attached_policy_arns)
    for g in p.groups:
        out.add(f"group:{g}")
        group = account.groups.get(g)
        if group is not None:
            arns.update(group.attached_policy_arns)
    if p.boundary_arn:
        arns.add(p.boundary_arn)
    out.update(f"managed:{arn}" for arn in arns)
    return out


def identity_subjects(region: str, identity: str) -> set[str]:
    """A cell names its identity: SES authorizes against that identity's ARN and policies."""
    return {f"identity:{region}:{identity}", f"region:{region}"}


def _reach(fm: FastMatrix, change: PolicyChange, doc: PolicyDocument | None, old: bool) -> int:
    """The identities (bits of `fm.names`) where the change's statements on one side can apply:
    elsewhere the change decides nothing. Every identity when the change is not statement-level
    (a whole document, a version) or a side cannot be parsed."""
    indexes = []
    for s in change.statements:
        if s.old_index is None and s.new_index is None:
            return fm.all
        i = s.old_index if old else s.new_index
        if i is not None:
            indexes.append(i)
    if not change.statements or (indexes and doc is None):
        return fm.all
    if not indexes or doc is None:
        return 0
    try:
        policy = doc.policy
    except PolicyError:
        return fm.all
    return fm.reach(policy, indexes)


@dataclass
class _Reach:
    """Which cells of one region the changes can reach: whole rows, whole columns, and columns
    of some rows."""

    every: bool = False
    rows: set[str] = field(default_factory=set)  # principal ARNs
    columns: set[str] = field(default_factory=set)  # identity names
    parts: dict[str, set[str]] = field(default_factory=dict)  # principal ARN -> identity names

    def of(self, arn: str) -> set[str] | None:
        """The identities to evaluate for one principal (None: all)."""
        if self.every or arn in self.rows:
            return None
        part = self.parts.get(arn)
        return self.columns | part if part else self.columns


def _names_of(fm: FastMatrix, mask: int) -> set[str]:
    return {fm.names[j] for j in range(len(fm.names)) if (mask >> j) & 1}


def _region_reach(
    region: str,
    live: list[Change],
    sides: tuple[FastMatrix, FastMatrix],
    by_subject: Mapping[str, set[str]],
) -> _Reach:
    out = _Reach()
    prefix = f"identity:{region}:"
    for c in live:
        if c.subject.startswith(prefix):
            out.columns.add(c.subject.removeprefix(prefix))
            continue
        if c.subject.startswith(("identity:", "region:")):
            continue  # another region, or a region fact no matrix cell reads (the sandbox)
        if isinstance(c, FactChange):
            if c.subject == ACCOUNT:
                out.every = True
            else:
                out.rows |= by_subject.get(c.subject, set())
            continue
        # A policy: only the identities its changed statements can apply to, on either side.
        names: set[str] = set()
        whole = False
        for fm, doc, old in ((sides[0], c.old, True), (sides[1], c.new, False)):
            mask = _reach(fm, c, doc, old)
            whole = whole or (mask == fm.all and mask != 0)
            names |= _names_of(fm, mask)
        if c.subject == ACCOUNT:
            if whole:
                out.every = True
            out.columns |= names
            continue
        for arn in by_subject.get(c.subject, set()):
            if whole:
                out.rows.add(arn)
            else:
                out.parts.setdefault(arn, set()).update(names)
    return out


def _matrix(
    account: Account,
    region: str,
    path: SendPath,
    actions: tuple[str, ...],
    now: str,
    fingerprinter: Fingerprinter,
) -> FastMatrix:
    """The full matrix of one snapshot's region."""
    names = tuple(sorted(account.regions[region].identities))
    return FastMatrix(account, region, names, path, actions, now, fingerprinter=fingerprinter)


def _side(
    account: Account, region: str, full: FastMatrix, reach: _Reach
) -> tuple[dict[str, tuple[Outcome, ...]], dict[tuple[str, str], Outcome], int]:
    """One snapshot's outcomes for the reached cells: whole rows by principal ARN (shared
    tuples, cheap to compare), and single cells. Cells of some identities only come from a
    matrix over just those identities: its statements are matched against them alone."""
    rows: dict[str, tuple[Outcome, ...]] = {}
    cells: dict[tuple[str, str], Outcome] = {}
    some = set(reach.columns)
    for part in reach.parts.values():
        some |= part
    names = tuple(sorted(n for n in some if n in account.regions[region].identities))
    narrow = (
        FastMatrix(
            account,
            region,
            names,
            full.path,
            full.actions,
            full.now,
            fingerprinter=full.fingerprinter,
        )
        if names and not reach.every
        else None
    )
    index = {name: j for j, name in enumerate(narrow.names)} if narrow else {}
    evaluated = 0
    for p in account.principals:
        wanted = reach.of(p.arn)
        if wanted is None:
            rows[p.arn] = full.row(p)
            evaluated += 1
            continue
        js = [index[n] for n in wanted if n in index]
        if not js or narrow is None:
            continue
        row = narrow.row(p, sum(1 << j for j in js))
        evaluated += 1
        for j in js:
            cells[(p.arn, narrow.names[j])] = row[j]
    return rows, cells, evaluated


def diff_accounts(
    old: Account,
    new: Account,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    regions: tuple[str, ...] | None = None,
    now: str | None = None,
) -> SnapshotDiff:
    """The verdicts that changed between `old` and `new` (every region both cover, or `regions`),
    each with the changes that reach its cell, and every change.

    Cells come from the matrix engine, and only cells a change can reach are evaluated: rows of
    principals whose policies, groups, attachments or boundary changed — only the identities
    their changed statements can apply to —, columns of identities whose policies or
    verification changed, and for SCP changes the identities the changed statements can apply to
    (every cell for other organization changes)."""
    now = now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    changes = changes_between(old, new)
    common = tuple(sorted(old.regions.keys() & new.regions.keys()))
    wanted = common if regions is None else tuple(r for r in regions if r in common)
    a_people = {p.arn: p for p in old.principals}
    b_people = {p.arn: p for p in new.principals}
    subjects: dict[str, set[str]] = {}
    by_subject: dict[str, set[str]] = {}
    for arn in a_people.keys() | b_people.keys():
        s: set[str] = set()
        if arn in a_people:
            s |= principal_subjects(old, a_people[arn])
        if arn in b_people:
            s |= principal_subjects(new, b_people[arn])
        subjects[arn] = s
        for subject in s:
            by_subject.setdefault(subject, set()).add(arn)
    asked = actions or ("ses:SendRawEmail",)
    # Only changes that can apply to the asked actions can change a cell.
    live = [c for c in changes if isinstance(c, FactChange) or c.touches(asked)]
    verdicts: list[VerdictChange] = []
    causing: set[str] = set()
    evaluated = 0
    prints = (Fingerprinter(old), Fingerprinter(new))
    for region in wanted:
        if not live:
            break
        sides = (
            _matrix(old, region, path, actions, now, prints[0]),
            _matrix(new, region, path, actions, now, prints[1]),
        )
        reach = _region_reach(region, live, sides, by_subject)
        rows_a, before, n_a = _side(old, region, sides[0], reach)
        rows_b, after, n_b = _side(new, region, sides[1], reach)
        evaluated += n_a + n_b
        same_names = sides[0].names == sides[1].names
        for arn in rows_a.keys() | rows_b.keys():
            ra, rb = rows_a.get(arn), rows_b.get(arn)
            if ra is not None and rb is not None and same_names and (ra is rb or ra == rb):
                continue  # rows shared by fingerprint: most compare by identity
            for fm, row, cells in ((sides[0], ra, before), (sides[1], rb, after)):
                if row is not None:
                    cells.update(((arn, name), o) for name, o in zip(fm.names, row, strict=True))
        for key in sorted(before.keys() | after.keys()):
            x, y = before.get(key), after.get(key)
            if x == y or (
                (x is None or y is None) and Outcome.ALLOWED not in (x, y)
            ):  # a principal or identity that appears or goes away matters if it could send
                continue
            arn, identity = key
            reach_of = subjects[arn] | identity_subjects(region, identity) | {ACCOUNT}
            near = [c for c in changes if c.subject in reach_of]
            causes = tuple(
                c.key for c in near if isinstance(c, FactChange) or c.touches(asked, arn)
            ) or tuple(c.key for c in near)  # none touches the action: show them all
            causing.update(causes)
            p = b_people.get(arn) or a_people[arn]
            verdicts.append(VerdictChange(region, arn, p.label, identity, x, y, causes))
    return SnapshotDiff(
        path,
        actions,
        wanted,
        tuple(sorted(old.regions.keys() - new.regions.keys())),
        tuple(sorted(new.regions.keys() - old.regions.keys())),
        tuple(verdicts),
        changes,
        evaluated,
        frozenset(causing),
    )


# -- the TUI's baseline: which rows differ, and what changed in a policy -------------------------


def other_account(path: str, old: Account, account: Account) -> str | None:
    """Why a baseline snapshot cannot be compared with the account opened: it is another
    account's (rows would be compared by name). None: it can."""
    if old.account_id == account.account_id:
        return None
    return (
        f"{path} is account {old.account_id}, but the account opened is {account.account_id} "
        "(compare snapshots of one account)"
    )


def policy_key(doc: PolicyDocument, principal: IamPrincipal | None, region: str) -> str | None:
    """The diff key of a document as the policy view shows it (None when it has none)."""
    src = doc.source
    if src.kind is PolicyKind.SCP:
        return f"scp/{(src.arn or '').rsplit('/', 1)[-1] or src.name}"
    if src.kind is PolicyKind.RESOURCE:
        if src.via and src.via.startswith("identity "):
            return f"ses/{region}/{src.via.removeprefix('identity ')}/{src.name}"
        return None
    if src.arn:  # managed, attached or as a boundary
        return f"managed/{src.arn}"
    if src.via and src.via.startswith("group "):
        return f"group/{src.via.removeprefix('group ')}/inline/{src.name}"
    if principal is not None and src.via is None:
        return f"{principal.type.value}/{principal.name}/inline/{src.name}"
    return None


@dataclass(frozen=True)
class Baseline:
    """A diff against an older snapshot, as the TUI asks it: is this row's verdict different,
    and what changed in this policy since then."""

    diff: SnapshotDiff
    name: str  # the baseline's file, for the notes

    def changed(self, region: str, identity: str) -> Mapping[str, VerdictChange]:
        """The principals (by ARN) whose verdict for this identity differs from the baseline."""
        return {
            v.principal_arn: v
            for v in self.diff.verdicts
            if v.region == region and v.identity == identity
        }

    def policy_note(
        self, doc: PolicyDocument, principal: IamPrincipal | None, region: str
    ) -> str | None:
        """One line on what changed in the document since the baseline (None: unchanged)."""
        key = policy_key(doc, principal, region)
        change = self.diff.policy_change(key) if key else None
        if change is None:
            return None
        if change.edit is not Edit.EDITED:
            return f"since {self.name}: {change.edit.value}"
        parts = []
        for st in change.statements:
            where = st.new_lines or st.old_lines
            lines = f" (lines {where.first}-{where.last})" if where and st.new_lines else ""
            parts.append(f"{st.label()} {st.edit.value}{lines}")
        version = ""
        if change.old_version != change.new_version:
            version = f" (version {change.old_version} → {change.new_version})"
        return f"since {self.name}{version}: " + ("; ".join(parts) or "edited")
