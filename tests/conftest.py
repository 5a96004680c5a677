"""Fixtures shared by the whole suite."""

from tests.awsfixtures import aws_env  # noqa: F401  (a fixture: clean fake AWS credentials)
