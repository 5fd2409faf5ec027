"""The layer order is a rule the tests enforce: a lower layer never imports a higher one, not even inside a function.

Every ``import`` and ``from ... import`` in ``codegym/`` and ``agents/`` is read from the syntax tree (top-level,
inside functions, inside ``if TYPE_CHECKING:``), resolved to the module it names (relative imports included) and
checked against :data:`LAYERS` (the same table as docs/architecture.md). The sandbox runtime is stricter: it runs
inside the sandbox and is shipped to containers on its own, so it imports nothing of codegym at all.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Layers from the bottom up: a module may import its own layer and the ones listed before it, never one after.
#: Each entry names module prefixes (a package covers everything in it).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("errors, parsing, values", ("codegym.errors", "codegym.parsing", "codegym.extraction", "codegym.runtime")),
    ("tasks", ("codegym.tasks",)),
    ("sandbox", ("codegym.sandbox",)),
    ("evaluation", ("codegym.evaluation",)),
    ("rewards", ("codegym.rewards",)),
    ("process reward models", ("codegym.prm",)),
    ("metrics", ("codegym.metrics",)),
    ("envs and wrappers", ("codegym.envs", "codegym.wrappers")),
    ("integrations", ("codegym.integrations",)),
    ("CLI", ("codegym.commands", "codegym.cli", "codegym")),
    ("agents", ("agents",)),
]


def layer_of(module: str) -> int | None:
    """The index in :data:`LAYERS` of ``module`` (longest matching prefix), or None for a third-party module."""
    best: tuple[int, int] | None = None
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if module == prefix or module.startswith(prefix + "."):
                if best is None or len(prefix) > best[0]:
                    best = (len(prefix), index)
    return None if best is None else best[1]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import statement in ``source``, wherever it stands."""
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            yield node.lineno, target
            for alias in node.names:  # ``from codegym import envs`` imports the package codegym.envs
                if _is_module(f"{target}.{alias.name}"):
                    yield node.lineno, f"{target}.{alias.name}"


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """Every import of ``source`` (as module ``module``) that goes up the layers, as readable lines."""
    own = layer_of(module)
    out = []
    for line, target in imports_of(source, module, is_package):
        if module.startswith("codegym.runtime"):
            inside = target == "codegym.runtime" or target.startswith("codegym.runtime.")
            if not inside and (target.split(".")[0] in ("codegym", "agents")):
                out.append(f"{module}:{line} imports {target} (the runtime imports nothing of codegym)")
            continue
        theirs = layer_of(target)
        if own is None or theirs is None or theirs <= own:
            continue
        out.append(f"{module}:{line} ({LAYERS[own][0]}) imports {target} ({LAYERS[theirs][0]})")
    return out


def _is_module(name: str) -> bool:
    path = REPO.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def package_files() -> list[Path]:
    return sorted(p for top in ("codegym", "agents") for p in (REPO / top).rglob("*.py"))


def test_no_module_imports_a_layer_above_its_own():
    found = []
    for path in package_files():
        found += violations(path.read_text(encoding="utf-8"), module_name(path, REPO), path.name == "__init__.py")
    assert not found, "imports that go up the layers (see docs/architecture.md):\n" + "\n".join(found)


@pytest.mark.parametrize(("module", "source"), [
    ("codegym.tasks.bad", "from codegym.envs import codegen\n"),
    ("codegym.tasks.bad", "def load():\n    from codegym.sandbox import get_executor\n    return get_executor\n"),
    ("codegym.sandbox.bad", "import codegym.rewards.outcome\n"),
    ("codegym.rewards.bad", "from ..prm import reward\n"),
    ("codegym.envs.bad", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import agents.policy\n"),
    ("codegym.commands.bad", "def main():\n    import agents\n"),
    ("codegym.runtime.bad", "def f():\n    from codegym.errors import SandboxError\n"),
])
def test_the_check_catches_an_import_that_goes_up(module, source):
    assert violations(source, module), f"{source!r} in {module} should be refused"


@pytest.mark.parametrize(("module", "source"), [
    ("codegym.envs.ok", "from codegym.sandbox import get_executor\nimport numpy\n"),
    ("codegym.tasks.ok", "from codegym.runtime.codec import decode\nfrom . import model\n"),
    ("agents.ok", "import codegym.envs\nfrom codegym.cli import main\n"),
    ("codegym.runtime.ok", "from . import codec\nimport os\n"),
])
def test_the_check_accepts_imports_that_go_down(module, source):
    assert not violations(source, module)


def test_every_codegym_package_has_a_layer():
    """A new package must be placed in the table (and in docs/architecture.md) before it can be imported."""
    missing = sorted({module_name(p, REPO) for p in package_files()
                      if layer_of(module_name(p, REPO)) is None})
    assert not missing
    packages = {p.parent.name for p in (REPO / "codegym").glob("*/__init__.py")}
    named = {prefix.split(".")[1] for _name, prefixes in LAYERS for prefix in prefixes if prefix.count(".") == 1}
    assert packages <= named, f"packages with no layer of their own: {sorted(packages - named)}"


def test_the_docs_show_the_same_layers():
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for _name, prefixes in LAYERS:
        for prefix in prefixes:
            if prefix == "codegym":
                continue
            shown = prefix.replace(".", "/")
            assert f"`{shown}" in text, f"docs/architecture.md does not show {shown} in its layer table"


def test_the_architecture_page_runs_as_written(tmp_path):
    """The contributor guide's recipes (a reward, an env, a loader, a backend) run as written."""
    from doc_blocks import run_doc_blocks

    assert run_doc_blocks("docs/architecture.md", tmp_path) == 4
