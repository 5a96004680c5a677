"""The read-only guard: a botocore `before-call` handler that refuses any operation that is not
`Get*`, `List*`, `Describe*` or `Simulate*`, so sestui cannot change anything in AWS."""

from __future__ import annotations

from typing import Any

READ_PREFIXES = ("Get", "List", "Describe", "Simulate")


class ReadOnlyViolation(RuntimeError):
    """A call that could change the account was about to leave the process."""


def is_read_only(operation_name: str) -> bool:
    return operation_name.startswith(READ_PREFIXES)


def refuse_writes(model: Any = None, **_: Any) -> None:
    name = getattr(model, "name", "")
    if not is_read_only(name):
        service = getattr(getattr(model, "service_model", None), "service_name", "?")
        raise ReadOnlyViolation(f"sestui is read-only: refused {service}:{name}")


def install_guard(client: Any) -> Any:
    """Register the guard on a boto3 client (before-call fires for every operation)."""
    client.meta.events.register("before-call.*.*", refuse_writes, unique_id="sestui-read-only")
    return client


def has_guard(client: Any) -> bool:
    handlers = client.meta.events._emitter._handlers  # botocore's registry: checked in tests
    for handler in handlers.prefix_search("before-call.iam.GetUser"):
        if handler is refuse_writes:
            return True
    return False
