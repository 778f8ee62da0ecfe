"""The problem codes the code raises, found by reading the source: every literal passed as
the `code` of a Problem, or of a function or class that hands it on to one."""

from __future__ import annotations

import ast
from collections import defaultdict
from functools import cache
from pathlib import Path

# The Decree 30 checker's findings carry rule ids of their own (pipeline/data/nd30-rules.toml).
_OWN_CATALOGUE = ("check",)


def _takers(trees: dict[Path, ast.Module]) -> dict[str, set[int]]:
    """Callables with a parameter or field named `code`, and its position."""
    takes: dict[str, set[int]] = defaultdict(set)
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                names = [a.arg for a in node.args.args]
                if "code" in names:
                    at = names.index("code") - (names[0] in ("self", "cls"))
                    takes["__init__" if node.name == "__init__" else node.name].add(at)
            elif isinstance(node, ast.ClassDef):
                fields = [
                    b.target.id
                    for b in node.body
                    if isinstance(b, ast.AnnAssign) and isinstance(b.target, ast.Name)
                ]
                init = [
                    b for b in node.body if isinstance(b, ast.FunctionDef) and b.name == "__init__"
                ]
                if "code" in fields and not init:
                    takes[node.name].add(fields.index("code"))
                for b in init:
                    names = [a.arg for a in b.args.args][1:]
                    if "code" in names:
                        takes[node.name].add(names.index("code"))
    takes.pop("__init__", None)
    return takes


@cache
def used_codes(package: Path) -> dict[str, list[str]]:
    """code -> the places (file:line) that raise it."""
    trees = {
        p: ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(package.rglob("*.py"))
        if p.relative_to(package).parts[0] not in _OWN_CATALOGUE
    }
    takes = _takers(trees)
    # Codes named by a module constant (NOT_RECEIVED = "chua-nhan") and passed by that name.
    named = {
        target.id: node.value.value
        for tree in trees.values()
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    }
    found: dict[str, list[str]] = defaultdict(list)
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in takes:
                continue
            given = [k.value for k in node.keywords if k.arg == "code"]
            given += [node.args[i] for i in takes[name] if i < len(node.args)]
            for arg in given:
                code = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(arg, ast.Name):
                    code = named.get(arg.id)
                # An empty code only carries a message of the library into the page.
                if isinstance(code, str) and code:
                    found[code].append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return dict(found)
