"""The shape of the house: no import cycle, the library never imports Prefect or flows/ (but for
the command line), and docs/ARCHITECTURE.md names every module of digest/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIGEST = ROOT / "digest"


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module(p): p for p in sorted(DIGEST.rglob("*.py"))}


def _imports(path: Path) -> set[str]:
    """Every module of the project ``path`` imports, anywhere in the file (functions and
    TYPE_CHECKING blocks included): a cycle through a lazy import is still a cycle."""
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[: len(up) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        for name in names:
            while name and name not in MODULES and not name.startswith("flows"):
                name = name.rpartition(".")[0]
            if name and name != me:
                found.add(name)
    return found


GRAPH = {m: _imports(p) for m, p in MODULES.items()}


def _is_package_door(importer: str, imported: str) -> bool:
    """A submodule importing its own package's __init__ (only for the door's names) is how
    Python loads it; that edge is not a dependency."""
    return importer.startswith(imported + ".")


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every cycle a depth-first walk of ``graph`` meets (each as a path back to its start)."""
    seen: dict[str, int] = {}  # 1 on the stack, 2 done
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        seen[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if seen.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in seen:
                visit(nxt, stack)
        stack.pop()
        seen[node] = 2

    for node in sorted(graph):
        if node not in seen:
            visit(node, [])
    return cycles


def test_no_import_cycle_anywhere_in_the_library() -> None:
    graph = {m: {d for d in deps if d in MODULES and not _is_package_door(m, d)}
             for m, deps in GRAPH.items()}
    cycles = find_cycles(graph)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_the_cycle_finder_finds_cycles_and_only_cycles() -> None:
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b", "c"}, "b": {"c"}, "c": set()}) == []


def test_only_the_command_line_imports_flows_and_nothing_imports_prefect() -> None:
    bad = []
    for module, path in MODULES.items():
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            mods = ([a.name for a in node.names] if isinstance(node, ast.Import)
                    else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in mods:
                top = name.split(".")[0]
                if top == "prefect" or (top == "flows" and not module.startswith("digest.cli")):
                    bad.append(f"{module} imports {name}")
    assert not bad, bad


def test_architecture_doc_names_every_module() -> None:
    doc = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [str(p.relative_to(DIGEST)) for p in MODULES.values()
               if p.name != "__init__.py" and str(p.relative_to(DIGEST)) not in doc]
    packages = [str(p.parent.relative_to(DIGEST)) + "/" for p in MODULES.values()
                if p.name == "__init__.py" and p.parent != DIGEST
                and str(p.parent.relative_to(DIGEST)) + "/" not in doc]
    assert not missing and not packages, f"not in docs/ARCHITECTURE.md: {missing + packages}"
