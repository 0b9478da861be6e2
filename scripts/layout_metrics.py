"""The house plan's "Done when" figures (issue 10), printed; exit 1 when one is broken.

    .venv/bin/python scripts/layout_metrics.py

- import circles among the host's modules (module-level and function-level imports alike);
- what qbo/ and qbo_sandbox/ import (qbo/: nothing of Flask, models, services; the sandbox: nothing
  of the host);
- flat modules directly in services/, loose modules at the root besides app.py, wsgi.py, config.py;
- modules over 500 lines; view functions (blueprints) over 40 lines.
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SKIP = {".venv", ".git", "migrations", "node_modules", "__pycache__", "instance"}
HOST_TOP = {"app", "wsgi", "config", "extensions", "access", "htmx", "templating",
            "cli", "blueprints", "models", "services", "demo_data"}


def python_files():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not SKIP.intersection(parts):
            yield path


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found = set()
    this = module_name(path)
    package = this if path.name == "__init__.py" else this.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for alias in node.names:  # `from pkg import submodule` is an edge to the submodule
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base)
    return {name for name in found if name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def long_views() -> list[str]:
    found = []
    for path in (ROOT / "blueprints").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                    isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("route", "get", "post")
                    for d in node.decorator_list):
                length = node.end_lineno - node.lineno + 1
                if length > 40:
                    found.append(f"{path.relative_to(ROOT)}::{node.name} ({length} lines)")
    return found


def main() -> int:
    files = list(python_files())
    known = {module_name(p) for p in files}
    graph = {module_name(p): {i for i in imports_of(p, known) if i in known} for p in files
             if module_name(p).split(".")[0] in HOST_TOP}
    problems = 0
    circles = cycles(graph)
    print(f"import circles among host modules: {len(circles)}")
    for circle in circles:
        print("   ", " <-> ".join(circle))
    problems += bool(circles)

    def reaches(prefix: str, forbidden) -> list[str]:
        bad = []
        for p in files:
            name = module_name(p)
            if name == prefix or name.startswith(prefix + "."):
                for imported in imports_of(p, known):
                    if imported.split(".")[0] in forbidden:
                        bad.append(f"{name} -> {imported}")
        return bad

    qbo_bad = reaches("qbo", {"flask", "models", "services", "extensions"})
    print(f"qbo/ imports of Flask/models/services: {len(qbo_bad)}", *qbo_bad, sep="\n    ")
    sandbox_bad = reaches("qbo_sandbox", HOST_TOP)
    print(f"qbo_sandbox/ imports of the host: {len(sandbox_bad)}", *sandbox_bad, sep="\n    ")
    flat = sorted(p.name for p in (ROOT / "services").glob("*.py") if p.name != "__init__.py")
    print(f"flat modules directly in services/: {len(flat)} {flat}")
    loose = sorted(p.name for p in ROOT.glob("*.py") if p.name not in {"app.py", "wsgi.py", "config.py"})
    print(f"loose modules at the root besides app.py, wsgi.py, config.py: {len(loose)} {loose}")
    big = sorted((n, str(p.relative_to(ROOT))) for p in files
                 if (n := len(p.read_text().splitlines())) > 500 and not p.relative_to(ROOT).parts[0] == "tests")
    print(f"modules over 500 lines (tests excluded): {len(big)}", *[f"{p} ({n})" for n, p in big], sep="\n    ")
    views = long_views()
    print(f"view functions over 40 lines: {len(views)}", *views, sep="\n    ")
    problems += bool(qbo_bad) + bool(sandbox_bad) + (len(flat) > 12) + (len(loose) > 6) + bool(big) + bool(views)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
