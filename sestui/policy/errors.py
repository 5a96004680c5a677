"""Errors of the policy language: every one says which policy, statement and field."""

from __future__ import annotations

from sestui.errors import SestuiError


class PolicyError(SestuiError, ValueError):
    """A policy document that is not valid JSON or breaks the IAM policy grammar."""

    def __init__(
        self,
        message: str,
        *,
        policy: str | None = None,
        statement: int | None = None,
        field: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.policy = policy
        self.statement = statement
        self.field = field
        self.line = line
        self.column = column
        super().__init__(self.describe())

    def located(self, policy: str) -> PolicyError:
        """The same error, naming the policy it came from."""
        return PolicyError(
            self.message,
            policy=policy,
            statement=self.statement,
            field=self.field,
            line=self.line,
            column=self.column,
        )

    def describe(self) -> str:
        where: list[str] = []
        if self.policy:
            where.append(f"policy {self.policy}")
        if self.statement is not None:
            where.append(f"Statement[{self.statement}]")
        if self.field:
            where.append(self.field)
        if self.line is not None:
            where.append(
                f"line {self.line}" + (f" column {self.column}" if self.column is not None else "")
            )
        return (", ".join(where) + ": " if where else "") + self.message
