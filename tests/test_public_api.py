"""The library's public API: what each domain package exports is there, typed, and nothing more."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest

import sestui

# The names a library user may rely on; removing or renaming one is an API change.
PUBLIC = {
    "sestui.policy": {
        "Condition", "ConditionOutcome", "Decision", "Effect", "Evaluation", "LineRange", "Miss",
        "Policy", "PolicyError", "PolicyKind", "PolicySet", "PolicySource", "Principal",
        "PrincipalKind", "PrincipalMatch", "PrincipalSpec", "Qualifier", "Request", "ScpLevel",
        "Statement", "StatementTrace", "action_matches", "arn_like", "evaluate",
        "evaluate_statement", "glob_match", "parse_policy", "render", "resource_matches",
    },
    "sestui.account": {
        "FORMAT", "AccessKey", "Account", "Group", "IamPrincipal", "IdentityKind",
        "IdentityResolution", "ManagedPolicy", "OrgStatus", "Organization", "PolicyDocument",
        "PrincipalPolicies", "PrincipalType", "ReadGap", "RegionState", "ScpTarget",
        "SendingStatus", "SesIdentity", "SnapshotError", "account_from_snapshot",
        "load_iam_json", "load_snapshot", "save_snapshot",
    },
}  # fmt: skip


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_all_keeps_the_public_names_and_each_exists(package: str) -> None:
    module = importlib.import_module(package)
    assert set(module.__all__) >= PUBLIC[package], "a public name was dropped from __all__"
    for name in module.__all__:
        assert hasattr(module, name), f"{package}.__all__ names {name!r}, which it lacks"
        assert not name.startswith("_")
    star: dict[str, object] = {}
    exec(f"from {package} import *", star)
    assert set(star) - {"__builtins__"} == set(module.__all__)


@pytest.mark.parametrize("package", sorted(PUBLIC))
def test_public_functions_are_annotated(package: str) -> None:
    module = importlib.import_module(package)
    for name in module.__all__:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            sig = inspect.signature(obj)
            assert sig.return_annotation is not inspect.Signature.empty, f"{name} returns untyped"
            for p in sig.parameters.values():
                assert p.annotation is not inspect.Parameter.empty, f"{name}({p.name}) untyped"


def test_the_package_ships_its_type_marker() -> None:
    # PEP 561: without py.typed, type checkers ignore sestui's annotations in user code.
    assert (Path(sestui.__file__).parent / "py.typed").is_file()
