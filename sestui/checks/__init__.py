"""The 554 checks, the verdict, fixes and error parsing. No boto3, no Textual."""

from sestui.checks.analysis import Overrides, SelectionError
from sestui.checks.model import CheckResult, Finding, Fix, FixKind, Outcome, Status, Verdict
from sestui.checks.run import CHECK_IDS, CHECK_TITLES, CHECKS, run
from sestui.checks.selection import SENDING_ACTIONS, Selection, SendPath

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
