"""The least privilege sestui needs: every read it makes, nothing else (see the README)."""

from __future__ import annotations

from typing import Any

# One statement per service; every action is a read (Get/List/Describe). Organizations reads
# work only from the management account or a delegated administrator (--org-profile).
READ_ACTIONS: dict[str, tuple[str, ...]] = {
    "iam": (
        "iam:GetAccountAuthorizationDetails",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
    ),
    "ses": (
        "ses:ListEmailIdentities",
        "ses:GetEmailIdentity",
        "ses:ListConfigurationSets",
        "ses:ListEmailTemplates",
        "ses:GetAccount",
    ),
    "organizations": (
        "organizations:DescribeOrganization",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:DescribePolicy",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribeAccount",
    ),
    "sts": ("sts:GetCallerIdentity",),
}


def read_only_policy() -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": f"SestuiRead{service.capitalize()}",
                "Effect": "Allow",
                "Action": list(actions),
                "Resource": "*",
            }
            for service, actions in READ_ACTIONS.items()
        ],
    }


# Optional: only `--verify` (and the TUI's `v`) call AWS's policy simulator, a read-only call.
VERIFY_ACTIONS: tuple[str, ...] = ("iam:SimulatePrincipalPolicy",)


def verify_policy() -> dict[str, Any]:
    """The optional statement for `--verify`, as a policy of its own."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "SestuiVerifyOptional",
                "Effect": "Allow",
                "Action": list(VERIFY_ACTIONS),
                "Resource": "*",
            }
        ],
    }
