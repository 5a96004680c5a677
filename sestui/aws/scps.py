"""The SCP chain (root → OUs → account) of accounts, read once per target and shared by threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

MAX_DEPTH = 10  # OUs nest at most five deep; a longer walk is a loop in the endpoint's replies


class ScpTree:
    """Parents, names, attached SCPs and policy documents, each fetched at most once.

    Many accounts share their OUs and root: an organization read asks for each OU's parent,
    name and SCPs once, whatever the number of accounts under it. Safe across threads: the first
    thread that needs a value fetches it, the others wait for that one fetch (its error too).
    """

    def __init__(self, org: Any, account_names: dict[str, str] | None = None) -> None:
        self.org = org  # a guarded organizations client
        self.account_names = dict(account_names or {})
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], Future[Any]] = {}

    def _once(self, kind: str, key: str, fetch: Callable[[], T]) -> T:
        with self._lock:
            future = self._cache.get((kind, key))
            owner = future is None
            if future is None:
                future = self._cache[(kind, key)] = Future()
        if owner:
            try:
                future.set_result(fetch())
            except BaseException as exc:  # every waiter sees the one failure
                future.set_exception(exc)
        result: T = future.result()
        return result

    def _parent(self, child: str) -> dict[str, Any] | None:
        def fetch() -> dict[str, Any] | None:
            parents = self.org.list_parents(ChildId=child)["Parents"]
            return {"Id": parents[0]["Id"], "Type": parents[0]["Type"]} if parents else None

        return self._once("parent", child, fetch)

    def _name(self, target: dict[str, Any]) -> str:
        if target["Type"] == "ACCOUNT" and target["Id"] in self.account_names:
            return self.account_names[target["Id"]]  # from ListAccounts: no call needed
        return self._once("name", target["Id"], lambda: _target_name(self.org, target))

    def _policy(self, policy_id: str) -> dict[str, Any]:
        def fetch() -> dict[str, Any]:
            policy = self.org.describe_policy(PolicyId=policy_id)["Policy"]
            summary = policy["PolicySummary"]
            return {
                "Id": policy_id,
                "Name": summary.get("Name", policy_id),
                "Arn": summary.get("Arn"),
                "AwsManaged": summary.get("AwsManaged", False),
                "Content": policy["Content"],
            }

        return self._once("policy", policy_id, fetch)

    def _attached(self, target_id: str) -> list[str]:
        def fetch() -> list[str]:
            ids: list[str] = []
            for page in self.org.get_paginator("list_policies_for_target").paginate(
                TargetId=target_id, Filter="SERVICE_CONTROL_POLICY"
            ):
                ids.extend(summary["Id"] for summary in page.get("Policies", []))
            return ids

        return self._once("attached", target_id, fetch)

    def chain(self, account_id: str) -> list[dict[str, Any]]:
        """The account's targets, root first: {"Id", "Type"} each (one ListParents a level)."""
        chain: list[dict[str, Any]] = [{"Id": account_id, "Type": "ACCOUNT"}]
        child = account_id
        for _ in range(MAX_DEPTH):
            parent = self._parent(child)
            if parent is None:
                break
            chain.append(parent)
            if parent["Type"] == "ROOT":
                break
            child = parent["Id"]
        chain.reverse()
        return chain

    def head(self, target: dict[str, Any]) -> tuple[str, list[str]]:
        """A target's name and the IDs of the SCPs attached to it."""
        return self._name(target), self._attached(target["Id"])

    def policy(self, policy_id: str) -> dict[str, Any]:
        """One SCP: Id, Name, Arn, AwsManaged and its Content (JSON text)."""
        return self._policy(policy_id)

    def levels(self, account_id: str) -> list[dict[str, Any]]:
        """The account's chain, root first, each level with its SCPs (raises what a call raises)."""
        levels = []
        for target in self.chain(account_id):
            name, attached = self.head(target)
            levels.append(
                {
                    "Id": target["Id"],
                    "Type": target["Type"],
                    "Name": name,
                    "Policies": [self.policy(pid) for pid in attached],
                }
            )
        return levels


def _target_name(org: Any, target: dict[str, Any]) -> str:
    try:
        if target["Type"] == "ORGANIZATIONAL_UNIT":
            return str(
                org.describe_organizational_unit(OrganizationalUnitId=target["Id"])[
                    "OrganizationalUnit"
                ]["Name"]
            )
        if target["Type"] == "ACCOUNT":
            return str(org.describe_account(AccountId=target["Id"])["Account"]["Name"])
    except Exception:  # a name is only a label; the Id stands in for it
        return str(target["Id"])
    return "Root"
