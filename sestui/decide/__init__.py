"""The public API: run every check on a selection and get the verdict. No boto3, no Textual."""

from sestui.checks import CHECKS
from sestui.decide.decision import CHECK_IDS, CHECK_TITLES, run
from sestui.verdict.analysis import Overrides, SelectionError
from sestui.verdict.model import CheckResult, Finding, Fix, FixKind, Outcome, Status, Verdict
from sestui.verdict.selection import SENDING_ACTIONS, Selection, SendPath

__all__ = [
    "CHECKS",
    "CHECK_IDS",
    "CHECK_TITLES",
    "SENDING_ACTIONS",
    "CheckResult",
    "Finding",
    "Fix",
    "FixKind",
    "Outcome",
    "Overrides",
    "Selection",
    "SelectionError",
    "SendPath",
    "Status",
    "Verdict",
    "run",
]
