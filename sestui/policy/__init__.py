"""The IAM policy language: parse with source spans, match, conditions, variables, evaluate.

Knows nothing of SES, boto3 or Textual.
"""

from sestui.policy.conditions import Condition, ConditionOutcome, Qualifier
from sestui.policy.document import (
    Effect,
    LineRange,
    Policy,
    PolicyKind,
    PolicySource,
    PrincipalSpec,
    Statement,
    parse_policy,
    render,
)
from sestui.policy.errors import PolicyError
from sestui.policy.evaluate import (
    Decision,
    Evaluation,
    Miss,
    PolicySet,
    PrincipalMatch,
    ScpLevel,
    StatementTrace,
    evaluate,
    evaluate_statement,
)
from sestui.policy.patterns import action_matches, arn_like, glob_match, resource_matches
from sestui.policy.request import Principal, PrincipalKind, Request

__all__ = [
    "Condition",
    "ConditionOutcome",
    "Decision",
    "Effect",
    "Evaluation",
    "LineRange",
    "Miss",
    "Policy",
    "PolicyError",
    "PolicyKind",
    "PolicySet",
    "PolicySource",
    "Principal",
    "PrincipalKind",
    "PrincipalMatch",
    "PrincipalSpec",
    "Qualifier",
    "Request",
    "ScpLevel",
    "Statement",
    "StatementTrace",
    "action_matches",
    "arn_like",
    "evaluate",
    "evaluate_statement",
    "glob_match",
    "parse_policy",
    "render",
    "resource_matches",
]
