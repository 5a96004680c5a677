"""The who-can-send matrix of one region: principals × identities, one outcome per cell.

Principals with the same effective policies (same documents, boundary, tags and kind) share one
evaluation per identity: the cache key is their policy fingerprint, not their name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sestui.account import Account, IamPrincipal
from sestui.matrix.fast import FastMatrix
from sestui.verdict.analysis import SelectionError
from sestui.verdict.model import Outcome
from sestui.verdict.selection import Selection, SendPath


@dataclass(frozen=True, slots=True)
class Matrix:
    region: str
    principals: tuple[IamPrincipal, ...]
    identities: tuple[str, ...]
    cells: tuple[tuple[Outcome, ...], ...]  # [principal][identity]
    evaluated: int  # distinct (policy set, identity) pairs actually evaluated


def unapplied(selection: Selection) -> tuple[str, ...]:
    """The parts of a request the matrix does not apply: it decides each identity's own default
    send (its address as From, its default configuration set, no template, recipients or source
    IP, now, over TLS), with the request's path and actions. What a check of one cell uses beyond
    that, named as the command line names it."""
    s = selection
    given = (
        ("--config-set", s.configuration_set),
        ("--template", s.template),
        ("--recipient", s.recipients),
        ("--source-ip", s.source_ip),
        ("--display-name", s.display_name),
        ("--feedback-address", s.feedback_address),
        ("--time", s.current_time),
        ("--insecure", s.secure_transport is False),
        ("--tag", s.principal_tags),
        ("--context", s.extra_context),
    )
    return tuple(flag for flag, value in given if value)


class Cancelled(Exception):
    """The caller's `cancelled()` said stop (the TUI's esc): no matrix, nothing half-built."""


def column(
    account: Account,
    region: str,
    identity: str,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    principals: Iterable[IamPrincipal] | None = None,
    now: str | None = None,
) -> dict[str, Outcome]:
    """Every principal's outcome for one identity (by principal ARN)."""
    state = account.regions.get(region)
    if state is None or identity not in state.identities:
        raise SelectionError(f"no identity {identity!r} in {region}")
    people = tuple(principals if principals is not None else account.principals)
    engine = (
        FastMatrix(account, region, (identity,), path, actions, now)
        if now
        else FastMatrix(account, region, (identity,), path, actions)
    )
    return {p.arn: row[0] for p, row in zip(people, engine.rows(people), strict=True)}


def who_can_send(
    account: Account,
    region: str,
    *,
    path: SendPath = SendPath.SMTP,
    actions: tuple[str, ...] = (),
    principals: Iterable[IamPrincipal] | None = None,
    exact: bool = False,
    now: str | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Matrix:
    """The matrix; `exact=True` decides every cell on its own (the reference the fast path is
    tested against). `cancelled` is polled once per principal; when it returns True the work
    stops with `Cancelled`."""
    state = account.regions.get(region)
    if state is None:
        raise SelectionError(f"region {region} has no SES data in this account")
    names = tuple(sorted(state.identities))
    people = tuple(principals if principals is not None else account.principals)
    engine = (
        FastMatrix(account, region, names, path, actions, now)
        if now
        else FastMatrix(account, region, names, path, actions)
    )
    if exact:
        rows = tuple(
            tuple(engine.exact(p, j) for j in range(len(names))) for p in _polled(people, cancelled)
        )
    else:
        rows = tuple(engine.rows(_polled(people, cancelled)))
    return Matrix(region, people, names, rows, engine.fast_rows + engine.exact_cells)


def _polled(
    people: Iterable[IamPrincipal], cancelled: Callable[[], bool] | None
) -> Iterable[IamPrincipal]:
    """The principals, asking `cancelled` before each one."""
    for p in people:
        if cancelled is not None and cancelled():
            raise Cancelled
        yield p
