"""The policy pane's choices for every demo send: the check a verdict rests on leads the walk,
blamed statements are never ones that allow, and n/N stops are distinct."""

from __future__ import annotations

from sestui.account import load_snapshot
from sestui.decide import Outcome, Selection, run
from sestui.demo import demo_path
from sestui.policy import PolicyKind
from sestui.tui.findings import allowing_statements, deciding_check, finding_stops, statement_key

DEMO, _ = load_snapshot(demo_path())
SENDS = [
    (p, region, name)
    for region, state in sorted(DEMO.regions.items())
    for name in sorted(state.identities)
    for p in DEMO.principals
]


def test_the_first_stop_is_what_the_verdict_rests_on() -> None:
    seen = set()
    for p, r, name in SENDS:
        verdict = run(DEMO, Selection(p.arn, r, identity=name, role=not p.is_user))
        stops = finding_stops(verdict)
        assert len(set(stops)) == len(stops)
        allowing = allowing_statements(verdict)
        failing = [c.check_id for c in verdict.checks if c.status.value == "fail"]
        if verdict.outcome is Outcome.ALLOWED:
            # The allowing statement leads, and nothing that allows is walked as a problem.
            first = stops[0].finding
            assert first is not None and statement_key(first) in allowing
            continue
        if not failing:
            continue  # undecided on a warning alone: the first warning leads
        lead = stops[0]
        assert lead.check_id == deciding_check(verdict) and lead.check_id in failing
        for stop in stops:
            if stop.finding is not None and verdict.check(stop.check_id).status.value == "fail":
                assert statement_key(stop.finding) not in allowing
        seen.add((lead.check_id, verdict.deciding))
    # Every kind of refusal of the demo leads with its own check.
    assert {
        ("identity-policy", PolicyKind.IDENTITY),
        ("permissions-boundary", PolicyKind.BOUNDARY),
        ("scp", PolicyKind.SCP),
        ("sending-authorization", PolicyKind.RESOURCE),
        ("verification", None),
    } <= seen


def test_a_role_over_smtp_rests_on_the_smtp_credentials_check() -> None:
    # order-notifier is a role: SMTP refuses it before any policy (535). Its identity policies
    # do not allow billing@ either, with nothing close to mark: that check is no cause to show.
    v = run(
        DEMO, Selection("order-notifier", "eu-west-1", identity="billing@example.com", role=True)
    )
    assert v.outcome is Outcome.DENIED and v.deciding is None
    assert v.check("identity-policy").status.value == "fail"
    assert deciding_check(v) == "smtp-credentials"
    assert finding_stops(v)[0].check_id == "smtp-credentials"
