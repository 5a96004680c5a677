"""Decide a request whose context leaves some keys unknown, by trying every kind of value they
could take.

For each unknown key that a statement of the request's policies reads, the completions are: each
value the policies compare it with (made to satisfy the condition), values just beside numeric and
date bounds, a value that matches nothing in particular, and absence where AWS may leave the key
out. Every combination is evaluated by the engine. If all give the same answer, that answer
stands and the unknown keys were not decisive; otherwise the keys whose value alone flips the
answer are the deciding ones. The engine stays pure: completions are plain request contexts.
"""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sestui.checks.context import ABSENT, RequestContext, Unknown
from sestui.policy import Condition, Decision, Policy, PolicySet, Request, Statement, evaluate
from sestui.policy.conditions import parse_date
from sestui.policy.evaluate import Evaluation, candidates
from sestui.policy.patterns import unescape
from sestui.policy.request import normalize_context
from sestui.policy.variables import Variable, expand

# Evaluations (completions × targets) tried before giving up on proving the answer constant.
MAX_EVALUATIONS = 4096
_OUTSIDE_IPS = ("192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1")

Target = tuple[str, str, PolicySet]  # action, resource ARN, the policies in force


@dataclass(frozen=True, slots=True)
class Settled:
    """The answer over every completion of the unknown keys."""

    evaluations: tuple[Evaluation, ...]  # per target, for a representative completion
    deciding: tuple[str, ...]  # unknown keys whose value changes the answer (lower-case)
    assumed: tuple[str, ...]  # "ses:fromaddress: any address at example.com", for keys read
    explicit_always: bool  # every completion is explicitly denied somewhere
    completions: int  # how many were tried (1: nothing unknown was read)


def _policies(ps: PolicySet) -> Iterable[Policy]:
    yield from ps.identity
    if ps.boundary is not None:
        yield ps.boundary
    for level in ps.scp_levels or ():
        yield from level
    yield from ps.resource


def keys_read(targets: Sequence[Target]) -> dict[str, list[Condition]]:
    """Every key (lower-case) a statement that can apply reads, with the conditions naming it
    directly (keys read only through policy variables map to an empty list)."""
    out: dict[str, list[Condition]] = {}
    for action, _, ps in targets:
        for policy in _policies(ps):
            for i in candidates(policy, action):
                st = policy.statements[i]
                for r in st.resources:
                    for part in r.template or ():
                        if isinstance(part, Variable):
                            out.setdefault(part.key, [])
                for c in st.conditions:
                    out.setdefault(c.key_lower, []).append(c)
                    for template in c.templates or ():
                        for part in template:
                            if isinstance(part, Variable):
                                out.setdefault(part.key, [])
    return out


def reads_unknown(st: Statement, rc: RequestContext) -> bool:
    """Whether the statement's conditions or Resource read a key the context leaves unknown."""
    for c in st.conditions:
        if rc.unknown_of(c.key_lower) is not None:
            return True
        for template in c.templates or ():
            if any(isinstance(v, Variable) and rc.unknown_of(v.key) for v in template):
                return True
    for r in st.resources:
        if any(isinstance(v, Variable) and rc.unknown_of(v.key) for v in r.template or ()):
            return True
    return False


def _around(c: Condition, known: dict[str, Any]) -> list[str]:
    """Values of the key that satisfy (and just miss) each of the condition's values."""
    if c.base == "Null":
        return []
    if c.base == "Bool":
        return ["true", "false"]
    texts: list[str] = []
    if c.templates is not None:
        for template in c.templates:
            text, _ = expand(template, known)
            if text is not None:
                texts.append(text)
    else:
        texts = list(c.values)
    out: list[str] = []
    for text, parsed in zip(texts, c.parsed if c.templates is None else texts, strict=False):
        if c.base.startswith("Numeric"):
            n = float(parsed)
            out += [_num(n), _num(n + 1), _num(n - 1)]
        elif c.base.startswith("Date"):
            d = parse_date(text)
            if d is not None:
                for delta in (0, 1, -1):
                    moment = d + timedelta(seconds=delta)
                    out.append(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif c.base in ("IpAddress", "NotIpAddress"):
            try:
                net = ipaddress.ip_network(text.strip(), strict=False)
            except ValueError:
                continue
            out.append(str(net.network_address if net.num_addresses == 1 else net[1]))
        else:  # strings, ARNs, binary: a value matching the pattern
            out.append(unescape(text.replace("*", "x").replace("?", "x")))
    if c.base in ("IpAddress", "NotIpAddress"):
        out += list(_OUTSIDE_IPS)
    return out


def _num(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def options(u: Unknown, conditions: Sequence[Condition], known: dict[str, Any]) -> list[object]:
    """The completions of one key: values (str, or tuple for multi-valued keys), or ABSENT."""
    values: list[str] = [u.sample]
    if u.choices is not None:
        values += list(u.choices)
    for c in conditions:
        values += _around(c, known)
    singles = list(dict.fromkeys(v for v in values if u.fits(v)))
    out: list[object]
    if u.multi:
        out = [(v,) for v in singles]
        if len(singles) > 1:
            out.append(tuple(singles))
    else:
        out = list(singles)
    if u.may_be_absent:
        out.append(ABSENT)
    return out


def _describe(key: str, u: Unknown) -> str:
    return f"{key}: {u.meaning}"


def settle(request_arn: str, targets: Sequence[Target], rc: RequestContext) -> Settled:
    """Evaluate the targets over every completion of the unknown keys they read."""
    known = normalize_context(rc.known)
    read = keys_read(targets)
    keys = sorted(k for k in read if rc.unknown_of(k) is not None)
    opts = [options(rc.unknown_of(k), read[k], dict(known)) for k in keys]  # type: ignore[arg-type]
    total = 1
    for o in opts:
        total *= len(o)
    assumed = tuple(_describe(k, rc.unknown_of(k)) for k in keys)  # type: ignore[arg-type]

    def run(combo: Sequence[object]) -> tuple[Evaluation, ...]:
        ctx: dict[str, Any] = dict(rc.known)
        for k, v in zip(keys, combo, strict=True):
            if v is not ABSENT:
                ctx[k] = list(v) if isinstance(v, tuple) else v
        return tuple(
            evaluate(Request.build(request_arn, action, resource, ctx), ps, full_trace=False)
            for action, resource, ps in targets
        )

    first = run([o[0] for o in opts])
    if total * max(len(targets), 1) > MAX_EVALUATIONS:
        # Too many combinations to prove the answer constant: every key read may decide.
        return Settled(first, tuple(keys), assumed, False, 1)
    answers: dict[tuple[int, ...], bool] = {}
    explicit_always = True
    for index in itertools.product(*(range(len(o)) for o in opts)):
        evs = first if not any(index) else run([o[i] for o, i in zip(opts, index, strict=True)])
        answers[index] = all(e.decision.allowed for e in evs)
        explicit_always = explicit_always and any(
            e.decision is Decision.EXPLICITLY_DENIED for e in evs
        )
    deciding: list[str] = []
    if len(set(answers.values())) > 1:
        for n, key in enumerate(keys):
            groups: dict[tuple[int, ...], set[bool]] = {}
            for index, allowed in answers.items():
                groups.setdefault(index[:n] + index[n + 1 :], set()).add(allowed)
            if any(len(g) > 1 for g in groups.values()):
                deciding.append(key)
    return Settled(first, tuple(deciding), assumed, explicit_always, len(answers))
