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
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sestui.policy import Condition, Decision, PolicySet, Request, Statement, evaluate
from sestui.policy.conditions import Context, parse_date
from sestui.policy.evaluate import Evaluation, Miss
from sestui.policy.patterns import unescape
from sestui.policy.request import normalize_context
from sestui.policy.variables import Variable, expand
from sestui.verdict.context import ABSENT, MESSAGE_ACTIONS, MESSAGE_KEYS, RequestContext, Unknown

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


def _can_apply(evaluations: Iterable[Evaluation]) -> Iterable[Statement]:
    """The statements whose action, resource and principal match (or whose Resource holds policy
    variables): only their conditions can change with the request's values."""
    for ev in evaluations:
        for t in ev.traces:
            if (Miss.RESOURCE not in t.misses and Miss.PRINCIPAL not in t.misses) or (
                Miss.RESOURCE in t.misses and any(r.template for r in t.statement.resources)
            ):
                yield t.statement


def keys_read(statements: Iterable[Statement]) -> tuple[dict[str, list[Condition]], set[str]]:
    """Every key (lower-case) the statements read, with the conditions naming it directly; and
    the keys also read through policy variables."""
    out: dict[str, list[Condition]] = {}
    via_variables: set[str] = set()
    seen: set[int] = set()
    for st in statements:
        if id(st) in seen:
            continue
        seen.add(id(st))
        for r in st.resources:
            for part in r.template or ():
                if isinstance(part, Variable):
                    out.setdefault(part.key, [])
                    via_variables.add(part.key)
        for c in st.conditions:
            out.setdefault(c.key_lower, []).append(c)
            for template in c.templates or ():
                for part in template:
                    if isinstance(part, Variable):
                        out.setdefault(part.key, [])
                        via_variables.add(part.key)
    return out, via_variables


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


def conditions_settled(st: Statement, rc: RequestContext, known: Context) -> bool | None:
    """Whether the statement's conditions are met (True) or not (False) for every completion of
    the unknown keys they read, built as `settle` builds them; None when it depends. `known` is
    a normalized context of the known keys (the matrix's fast path)."""
    read, via_variables = keys_read((st,))
    keys = [k for k in read if rc.unknown_of(k) is not None]
    if not keys:
        return all(c.evaluate(known).matched for c in st.conditions)
    samples = normalize_context(sample_values(rc))
    base = {**samples, **known}
    opts = [
        options(k, rc.unknown_of(k), read[k], base, collapse=k not in via_variables)  # type: ignore[arg-type]
        for k in keys
    ]
    seen: set[bool] = set()
    for n, combo in enumerate(itertools.product(*opts)):
        if n >= MAX_EVALUATIONS:
            return None
        ctx = dict(base)
        for k, v in zip(keys, combo, strict=True):
            if v is ABSENT:
                ctx.pop(k, None)
            else:
                ctx[k] = v  # type: ignore[assignment]
        seen.add(all(c.evaluate(ctx).matched for c in st.conditions))
        if len(seen) > 1:
            return None
    return seen.pop()


def sample_values(rc: RequestContext) -> dict[str, Any]:
    """Every unknown key at its sample value (the representative completion)."""
    return {k: [u.sample] if u.multi else u.sample for k, u in rc.unknown.items() if "/" not in k}


def _witnesses(pattern: str, u: Unknown) -> list[str]:
    """Values that match a string pattern, also shaped to fit the key's known form (an address
    at the identity's domain, a role session's `ROLEID:` prefix)."""
    plain = unescape(pattern.replace("*", "x").replace("?", "x"))
    out = [plain]
    if u.domain is not None and "@" not in plain:
        at = f"@{u.domain}"
        out += [plain + at, unescape(pattern.replace("?", "x").replace("*", "x" + at, 1))]
    if u.prefix and not plain.startswith(u.prefix):
        tail = unescape(pattern.rsplit("*", 1)[-1].replace("?", "x"))
        out += [u.prefix + tail[i:] for i in range(len(tail) + 1)]
    return out


def _around(c: Condition, known: dict[str, Any], u: Unknown) -> list[str]:
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
            if math.isfinite(n):
                out += [_num(n), _num(n + 1), _num(n - 1)]
        elif c.base.startswith("Date"):
            d = parse_date(text)
            if d is None:
                continue
            for delta in (0, 1, -1):
                try:
                    moment = d + timedelta(seconds=delta)
                except OverflowError:  # at the ends of the calendar
                    continue
                out.append(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        elif c.base in ("IpAddress", "NotIpAddress"):
            try:
                net = ipaddress.ip_network(text.strip(), strict=False)
            except ValueError:
                continue
            out.append(str(net.network_address if net.num_addresses == 1 else net[1]))
        else:  # strings, ARNs, binary: values matching the pattern
            out += _witnesses(text, u)
    if c.base in ("IpAddress", "NotIpAddress"):
        out += list(_OUTSIDE_IPS)
    return out


def _num(n: float) -> str:
    return str(int(n)) if n == int(n) else str(n)


def options(
    key: str,
    u: Unknown,
    conditions: Sequence[Condition],
    base: dict[str, Any],
    *,
    collapse: bool = True,
) -> list[object]:
    """The completions of one key: values (str, or tuple for multi-valued keys), or ABSENT.

    With `collapse`, completions that meet and miss exactly the same conditions are one (the
    first is kept): they cannot give different answers. `base` is the normalized context the
    conditions are evaluated in (known keys, and the other unknown keys' samples)."""
    values: list[str] = [u.sample]
    if u.choices is not None:
        values += list(u.choices)
    for c in conditions:
        values += _around(c, base, u)
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
    if not collapse:
        return out
    kept: dict[tuple[bool, ...], object] = {}
    for option in out:
        ctx = dict(base)
        if option is ABSENT:
            ctx.pop(key, None)
        else:
            ctx[key] = option
        signature = tuple(c.evaluate(ctx).matched for c in conditions)
        kept.setdefault(signature, option)
    return list(kept.values())


def _explicit(evs: Sequence[Evaluation]) -> bool:
    return any(e.decision is Decision.EXPLICITLY_DENIED for e in evs)


def _describe(key: str, u: Unknown) -> str:
    return f"{key}: {u.meaning}"


def settle(request_arn: str, targets: Sequence[Target], rc: RequestContext) -> Settled:
    """Evaluate the targets over every completion of the unknown keys they read."""
    # The representative completion: every unknown key holds its sample value.
    samples = sample_values(rc)

    def run(combo: Sequence[object], lite: bool = False) -> tuple[Evaluation, ...]:
        """Every target in one completion; `lite`: the decision only (no one reads its
        traces: only the representative completion is explained)."""
        ctx: dict[str, Any] = {**samples, **rc.known}
        for k, v in zip(keys, combo, strict=True):
            if v is ABSENT:
                ctx.pop(k, None)
            else:
                ctx[k] = list(v) if isinstance(v, tuple) else v
        plain = {k: v for k, v in ctx.items() if k.lower() not in MESSAGE_KEYS}
        return tuple(
            evaluate(
                Request.build(
                    request_arn,
                    action,
                    resource,
                    ctx if action.lower() in MESSAGE_ACTIONS else plain,
                ),
                ps,
                full_trace=False,
                decision_only=lite,
            )
            for action, resource, ps in targets
        )

    keys: list[str] = []
    first = run([])
    read, via_variables = keys_read(_can_apply(first))
    keys = sorted(k for k in read if rc.unknown_of(k) is not None)
    base = normalize_context({**samples, **rc.known})
    opts = [
        options(k, rc.unknown_of(k), read[k], base, collapse=k not in via_variables)  # type: ignore[arg-type]
        for k in keys
    ]
    total = 1
    for o in opts:
        total *= len(o)
    assumed = tuple(_describe(k, rc.unknown_of(k)) for k in keys)  # type: ignore[arg-type]
    if total == 1 and all(k in samples for k in keys):
        return Settled(first, (), assumed, _explicit(first), 1)  # one completion: the samples
    if total * max(len(targets), 1) > MAX_EVALUATIONS:
        # Too many combinations to prove the answer constant: every key read may decide.
        return Settled(first, tuple(keys), assumed, False, 1)
    answers: dict[tuple[int, ...], bool] = {}
    explicit_always = True
    for index in itertools.product(*(range(len(o)) for o in opts)):
        if not any(index) and all(k in samples for k in keys):
            evs = first  # every key at its first option, its sample: already evaluated
        else:
            evs = run([o[i] for o, i in zip(opts, index, strict=True)], lite=any(index))
            if not any(index):
                first = evs  # the representative: every key read holds its first option
        answers[index] = all(e.decision.allowed for e in evs)
        explicit_always = explicit_always and _explicit(evs)
    deciding: list[str] = []
    if len(set(answers.values())) > 1:
        for n, key in enumerate(keys):
            groups: dict[tuple[int, ...], set[bool]] = {}
            for index, allowed in answers.items():
                groups.setdefault(index[:n] + index[n + 1 :], set()).add(allowed)
            if any(len(g) > 1 for g in groups.values()):
                deciding.append(key)
    return Settled(first, tuple(deciding), assumed, explicit_always, len(answers))
