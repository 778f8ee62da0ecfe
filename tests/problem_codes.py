"""The problem codes the code raises, found by reading the source: every literal passed as
the `code` of a Problem, or of a function or class that hands it on to one."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# The Decree 30 checker's findings carry rule ids of their own (pipeline/data/nd30-rules.toml).
_OWN_CATALOGUE = ("check",)


def _takers(trees: dict[Path, ast.Module]) -> tuple[dict[str, set[int]], dict[str, set[int]]]:
    """Callables with a parameter or field named `code`, and its position: functions and
    classes (called by name), and methods (called on an object)."""
    functions: dict[str, set[int]] = defaultdict(set)
    methods: dict[str, set[int]] = defaultdict(set)
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name != "__init__":
                names = [a.arg for a in node.args.args]
                if "code" in names:
                    bound = names[0] in ("self", "cls")
                    at = names.index("code") - bound
                    (methods if bound else functions)[node.name].add(at)
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
                    functions[node.name].add(fields.index("code"))
                for b in init:
                    names = [a.arg for a in b.args.args][1:]
                    if "code" in names:
                        functions[node.name].add(names.index("code"))
    return functions, methods


@cache
def used_codes(package: Path) -> dict[str, list[str]]:
    """code -> the places (file:line) that raise it."""
    trees = {
        p: ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(package.rglob("*.py"))
        if p.relative_to(package).parts[0] not in _OWN_CATALOGUE
    }
    functions, methods = _takers(trees)
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
            if isinstance(func, ast.Name):
                positions = functions.get(func.id)
            elif isinstance(func, ast.Attribute):  # a method, or a module's function
                positions = methods.get(func.attr) or functions.get(func.attr)
            else:
                positions = None
            if not positions:
                continue
            given = [k.value for k in node.keywords if k.arg == "code"]
            given += [node.args[i] for i in positions if i < len(node.args)]
            for arg in given:
                code = arg.value if isinstance(arg, ast.Constant) else None
                if isinstance(arg, ast.Name):
                    code = named.get(arg.id)
                # An empty code only carries a message of the library into the page; a
                # method of the same name elsewhere may take no code (then its texts pass).
                if isinstance(code, str) and _CODE.fullmatch(code):
                    found[code].append(f"{path.relative_to(package.parent)}:{node.lineno}")
    return dict(found)


@dataclass(frozen=True)
class CatalogueCall:
    """A call of `Problem.of(code, …)`: the message comes from the catalogue's template."""

    code: str
    place: str
    variant: str | None
    # Keyword names passed (location, hint, fields); None when some come from `**mapping`.
    names: frozenset[str] | None


@cache
def catalogue_calls(package: Path) -> tuple[CatalogueCall, ...]:
    """Every `Problem.of(…)` call and what it passes."""
    found = []
    for path in sorted(package.rglob("*.py")):
        if path.relative_to(package).parts[0] in _OWN_CATALOGUE:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        named = _constants(tree)
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "of"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "Problem"
                and node.args
            ):
                continue
            arg = node.args[0]
            code = arg.value if isinstance(arg, ast.Constant) else None
            if isinstance(arg, ast.Name):
                code = named.get(arg.id)
            variant = next(
                (
                    str(k.value.value)
                    for k in node.keywords
                    if k.arg == "variant" and isinstance(k.value, ast.Constant)
                ),
                None,
            )
            names = None
            if all(k.arg is not None for k in node.keywords):
                names = frozenset(str(k.arg) for k in node.keywords if k.arg != "variant")
            place = f"{path.relative_to(package.parent)}:{node.lineno}"
            found.append(CatalogueCall(str(code), place, variant, names))
    return tuple(found)


def _constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
        for target in node.targets
        if isinstance(target, ast.Name) and target.id.isupper()
    }
