"""The package structure has no import loops: each subpackage, and each module at a package's top level, is a
node, and an import of one by another is an arrow. (The layer rules themselves, such as verify/ never importing
Prefect, are ruff's banned-API rules in the packages' ruff.toml files.)"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("evidence_store", "verify", "flows", "deployments")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _node(module: str) -> str:
    """The subpackage a module belongs to, or the module itself when it sits at a package's top level."""
    parts = module.split(".")
    for depth in range(len(parts), 1, -1):
        candidate = REPO.joinpath(*parts[:depth])
        if candidate.is_dir() and (candidate / "__init__.py").exists() and depth > 1:
            return ".".join(parts[:depth])
    return module


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found |= {f"{node.module}.{alias.name}" for alias in node.names} | {node.module}
    return {name for name in found if name.split(".")[0] in PACKAGES}


def _resolve(name: str) -> str | None:
    """The module file an imported name refers to (``a.b.C`` -> ``a.b``), as a node."""
    parts = name.split(".")
    while parts:
        base = REPO.joinpath(*parts)
        if base.with_suffix(".py").exists() or (base / "__init__.py").exists():
            return _node(".".join(parts))
        parts = parts[:-1]
    return None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            source = _node(_module_name(path))
            targets = {_resolve(name) for name in _imports(path)} - {None, source}
            graph.setdefault(source, set()).update(t for t in targets if t is not None)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*stack[stack.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_loop_between_packages_and_top_level_modules():
    graph = import_graph()
    assert "verify.training" in graph and "flows.cli" in graph  # the graph sees the packages
    cycle = _cycle(graph)
    assert cycle is None, " -> ".join(cycle)


def test_the_loop_finder_finds_a_loop():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_deployments_import_flows_and_serving_never_imports_training():
    graph = import_graph()
    assert "flows.served" in graph["deployments.serve"]
    assert not any(
        target.startswith("deployments")
        for node, targets in graph.items()
        for target in targets
        if node.startswith("flows")
    )
    serving = {
        node: targets for node, targets in graph.items() if node.startswith("verify") and node != "verify.training"
    }
    assert not any("verify.training" in targets for targets in serving.values())
