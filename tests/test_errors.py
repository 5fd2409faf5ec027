"""codegym's errors: one module, one hierarchy, each class also the builtin it stands for; typed sandbox config."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import codegym.errors as errors
from codegym.errors import CodegymError, SandboxConfigError

PACKAGE = Path(errors.__file__).resolve().parent

#: Where each class used to live, for callers that import it from there.
REEXPORTED = {
    "codegym.envs.registration": ("UnknownEnvError",),
    "codegym.rewards.errors": ("RewardConfigError",),
    "codegym.integrations.export": ("ExportError",),
    "codegym.extraction": ("ActionFormatError",),
    "codegym.commands.evaluate": ("SampleFormatError", "InputNotFoundError"),
    "codegym.tasks.micro": ("MicroTaskError", "InvalidDifficultyError"),
    "codegym.tasks.builtin": ("BuiltinSuiteError",),
}


def _public_classes() -> list[type]:
    return [c for name, c in vars(errors).items()
            if inspect.isclass(c) and issubclass(c, BaseException) and not name.startswith("_") and c.__module__ ==
            errors.__name__ and c is not CodegymError]


def test_every_error_is_typed_and_its_builtin() -> None:
    classes = _public_classes()
    assert len(classes) >= 20
    for cls in classes:
        assert issubclass(cls, CodegymError), cls
        builtins = [b for b in cls.__mro__ if b.__module__ == "builtins" and b not in (Exception, BaseException,
                                                                                          object)]
        assert builtins, f"{cls.__name__} derives from no builtin error such as ValueError"
        assert cls.__doc__ and cls.__doc__.strip(), cls


def test_old_import_paths_are_the_same_classes() -> None:
    import importlib

    for module, names in REEXPORTED.items():
        for name in names:
            assert getattr(importlib.import_module(module), name) is getattr(errors, name), (module, name)


def test_no_error_class_is_defined_outside_errors_py() -> None:
    """New error classes go into codegym/errors.py. Exempt: private control-flow exceptions (``_Name``) and the
    standard-library-only runtime, which cannot import codegym."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        if relative == "errors.py" or relative.startswith("runtime/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                bases = [ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases]
                if any(b.endswith(("Error", "Exception")) for b in bases):
                    found.append(f"{relative}: {node.name}({', '.join(bases)})")
    assert found == []


def test_sandbox_configuration_errors_are_typed() -> None:
    from codegym.sandbox import get_executor
    from codegym.sandbox.api import Limits
    from codegym.sandbox.local import LocalExecutor

    with pytest.raises(SandboxConfigError, match="unknown executor backend 'dokcer'; use one of local, docker, ray"):
        get_executor("dokcer")
    for bad in ({"timeout_s": 0}, {"memory_mb": 8}, {"max_processes": 0}):
        with pytest.raises(SandboxConfigError, match="Limits"):
            Limits(**bad)
    with pytest.raises(SandboxConfigError, match="isolation must be"):
        LocalExecutor(isolation="none")  # refused before anything starts
    with pytest.raises(ValueError):  # what callers caught before
        Limits(timeout_s=-1)
