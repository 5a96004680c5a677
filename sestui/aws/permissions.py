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


# An organization read (`snapshot --org-role ROLE`). The credentials of --profile (the management
# account or a delegated administrator) list the accounts, read the SCP chains once and assume
# the role; their own account is read directly, so they need the account reads too. Account
# names come from ListAccounts: no DescribeAccount.
ORG_MANAGEMENT_ACTIONS: dict[str, tuple[str, ...]] = {
    "iam": READ_ACTIONS["iam"],
    "ses": READ_ACTIONS["ses"],
    "organizations": (
        "organizations:DescribeOrganization",
        "organizations:ListAccounts",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:DescribePolicy",
        "organizations:DescribeOrganizationalUnit",
    ),
    "sts": ("sts:GetCallerIdentity",),
}
# The role in every other account: its IAM and SES. No Organizations (the chains come from the
# management side) and no GetCallerIdentity (AssumeRole's reply names the account).
ORG_MEMBER_ACTIONS: dict[str, tuple[str, ...]] = {
    "iam": READ_ACTIONS["iam"],
    "ses": READ_ACTIONS["ses"],
}


def _statements(actions: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    return [
        {
            "Sid": f"SestuiRead{service.capitalize()}",
            "Effect": "Allow",
            "Action": list(names),
            "Resource": "*",
        }
        for service, names in actions.items()
    ]


def org_management_policy(role: str = "SestuiRead") -> dict[str, Any]:
    """The policy of the --profile credentials for `--org-role ROLE`: assume only that role."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            *_statements(ORG_MANAGEMENT_ACTIONS),
            {
                "Sid": "SestuiAssumeReadRole",
                "Effect": "Allow",
                "Action": ["sts:AssumeRole"],
                "Resource": f"arn:aws:iam::*:role/{role}",
            },
        ],
    }


def org_member_policy() -> dict[str, Any]:
    """The permissions of the role every member account holds for the organization read."""
    return {"Version": "2012-10-17", "Statement": _statements(ORG_MEMBER_ACTIONS)}


def org_member_trust_policy(management_account_id: str = "111122223333") -> dict[str, Any]:
    """Who may assume that role: the account whose credentials run the read."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{management_account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
