"""The eleven checks, one module each, and their registry: each answers one cause of the 554."""

from sestui.checks import (
    boundary,
    conditions,
    identity_policy,
    identity_resolution,
    non_sending,
    resources,
    sandbox,
    scp,
    sending_authorization,
    smtp,
    verification,
)
from sestui.verdict.model import Check

# Fixed order (the TUI's `[`/`]` walk it): authorization causes first, then other failures.
CHECKS: tuple[Check, ...] = tuple(
    m.CHECK
    for m in (
        identity_policy,
        non_sending,
        sending_authorization,
        identity_resolution,
        resources,
        boundary,
        scp,
        conditions,
        verification,
        sandbox,
        smtp,
    )
)

__all__ = ["CHECKS", "Check"]
