"""The Jinja sandbox templates run in: bounded in size, work and time.

A dossier's own template is a file a clerk edited (or received); `{{ 'A' * 3000000000 }}`
or two nested loops of a hundred thousand steps must be refused, not run. Jinja's sandbox
already blocks unsafe attributes; this adds, with the figures of `pipeline.common.limits`:

- statically, before anything runs: no {% include %}, {% import %}, {% extends %} (a
  template is one Word file), no macros or block captures (output that escapes the size
  count), loops nested at most MAX_LOOP_DEPTH deep, and constant expressions that would
  exceed a limit;
- while rendering: every string or list built by an operator, a filter or a method call is
  at most MAX_TEMPLATE_SEQUENCE long and counts against MAX_TEMPLATE_WORK for the paper;
  integers stay small; the output is counted as it streams (MAX_TEMPLATE_OUTPUT).

`pipeline.common.timelimit` bounds the wall-clock time of a render on top of this.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment

from pipeline.common import limits
from pipeline.common.vnformat import number

# Statements a Word template has no use for, and why each is refused (Vietnamese).
FORBIDDEN_TAGS: dict[type[nodes.Node], str] = {
    nodes.Include: "{% include %}",
    nodes.Import: "{% import %}",
    nodes.FromImport: "{% from … import %}",
    nodes.Extends: "{% extends %}",
    nodes.Macro: "{% macro %}",
    nodes.CallBlock: "{% call %}",
    nodes.AssignBlock: "{% set %} … {% endset %}",
    nodes.FilterBlock: "{% filter %}",
}
# A printf or str.format field wider than 999 characters, or with a width taken from an argument.
_WIDE_FORMAT = re.compile(r"%[-+ #0]*(\d{4,}|\*)|\{[^{}]*:[^{}]*\d{4,}")


class TemplateLimit(SecurityError):
    """A template went past a limit; `message` says which, in Vietnamese."""


def _sized(value: Any) -> int | None:
    return len(value) if isinstance(value, str | list | tuple | dict | range) else None


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with `a ~ b` going through the environment's size check."""

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_join((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("), context.eval_ctx.autoescape)")


class BoundedEnvironment(SandboxedEnvironment):
    """A sandboxed environment that counts what one render builds and outputs."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "+", "%", "//", "/"})

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.work = 0
        self.add_filters(dict(self.filters))

    # --- accounting ---------------------------------------------------------------------

    def spend(self, amount: int) -> None:
        self.work += amount
        if self.work > limits.MAX_TEMPLATE_WORK:
            raise TemplateLimit(
                f"mẫu tạo ra quá nhiều nội dung (quá {number(limits.MAX_TEMPLATE_WORK)} phần tử "
                "qua các vòng lặp và phép tính)"
            )

    def checked(self, value: Any) -> Any:
        size = _sized(value)
        if size is not None:
            if size > limits.MAX_TEMPLATE_SEQUENCE:
                raise _too_long(size)
            self.spend(size)
        return value

    def check_arguments(self, args: Iterable[Any]) -> None:
        """Integer arguments (widths, counts) no larger than the longest allowed sequence."""
        for arg in args:
            if (
                isinstance(arg, int)
                and not isinstance(arg, bool)
                and abs(arg) > limits.MAX_TEMPLATE_SEQUENCE
            ):
                raise TemplateLimit("một số quá lớn được dùng làm độ dài trong mẫu")

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`'…'.format(…)` and `.format_map`, their fields' widths checked before Python pads
        anything (`'{:>3000000000}'.format(1)` would allocate gigabytes first)."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text = value.__self__

        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_format(text)
            self.check_arguments([*args, *kwargs.values()])
            return str(self.checked(wrapped(*args, **kwargs)))

        return bounded

    def add_filters(self, filters: dict[str, Callable[..., Any]]) -> None:
        self.filters.update({name: _bounded_filter(self, name, f) for name, f in filters.items()})

    # --- sandbox hooks --------------------------------------------------------------------

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "%" and isinstance(left, str):
            raise TemplateLimit("mẫu không dùng phép % để định dạng chữ; dùng bộ lọc")
        _check_number(left)
        _check_number(right)
        if operator == "**" and _magnitude(right) > 64 and _magnitude(left) > 1:
            raise TemplateLimit("lũy thừa quá lớn trong mẫu")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                length = _sized(seq)
                if isinstance(times, int) and length is not None:
                    product = length * min(times, limits.MAX_TEMPLATE_SEQUENCE + 1)
                    if product > limits.MAX_TEMPLATE_SEQUENCE:
                        raise _too_long(length * times)
        if operator == "+":
            a, b = _sized(left), _sized(right)
            if a is not None and b is not None and a + b > limits.MAX_TEMPLATE_SEQUENCE:
                raise _too_long(a + b)
        try:
            result = super().call_binop(context, operator, left, right)
        except (ArithmeticError, ValueError) as exc:
            raise TemplateLimit(f"phép tính trong mẫu bị lỗi ({exc})") from exc
        _check_number(result)
        return self.checked(result)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.check_arguments([*args, *kwargs.values()])
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and getattr(__obj, "__name__", "") == "replace" and args:
            __self._check_replace(owner, *args[:2])
        if isinstance(owner, str) and getattr(__obj, "__name__", "") in ("format", "format_map"):
            _check_format(owner)
        return __self.checked(super().call(__context, __obj, *args, **kwargs))

    def _check_replace(self, text: str, old: Any = "", new: Any = "") -> None:
        if isinstance(old, str) and isinstance(new, str):
            count = text.count(old) if old else len(text) + 1
            if len(text) + count * len(new) > limits.MAX_TEMPLATE_SEQUENCE:
                raise _too_long(len(text) + count * len(new))

    def checked_join(self, parts: tuple[Any, ...], autoescape: bool) -> str:
        """`a ~ b ~ c`: refused before joining when the result would be too long."""
        total = 0
        for part in parts:
            total += len(part) if isinstance(part, str) else len(str(part))
            if total > limits.MAX_TEMPLATE_SEQUENCE:
                raise _too_long(total)
        self.spend(total)
        return str(markup_join(parts) if autoescape else str_join(parts))

    def concat(self, parts: Iterable[str]) -> str:
        """A template's output, counted chunk by chunk as it streams."""
        kept = []
        size = 0
        for chunk in parts:
            size += len(chunk)
            if size > limits.MAX_TEMPLATE_OUTPUT:
                raise TemplateLimit(
                    f"văn bản điền từ mẫu dài quá {number(limits.MAX_TEMPLATE_OUTPUT)} ký tự"
                )
            kept.append(chunk)
        return "".join(kept)


def _too_long(size: int) -> TemplateLimit:
    return TemplateLimit(
        f"mẫu tạo ra một chuỗi hoặc danh sách dài {number(size)} phần tử, tối đa "
        f"{number(limits.MAX_TEMPLATE_SEQUENCE)}"
    )


def _magnitude(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return abs(value)
    return 0


def _check_format(text: str) -> None:
    if _WIDE_FORMAT.search(text):
        raise TemplateLimit("định dạng chữ quá rộng trong mẫu")


def _check_number(value: Any) -> None:
    if isinstance(value, int) and value.bit_length() > limits.MAX_TEMPLATE_INT_BITS:
        raise TemplateLimit("số quá lớn trong mẫu")


# What Jinja passes first to filters marked pass_context / pass_eval_context / pass_environment.
_PASSED = (jinja2.runtime.Context, nodes.EvalContext, jinja2.Environment)


def _bounded_filter(
    env: BoundedEnvironment, name: str, function: Callable[..., Any]
) -> Callable[..., Any]:
    """A built-in or hoso filter whose arguments and result are checked like a call's."""

    @functools.wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        plain = [a for a in args if not isinstance(a, _PASSED)]
        env.check_arguments([*plain[1:], *kwargs.values()])
        if name == "replace" and len(plain) >= 3 and isinstance(plain[0], str):
            env._check_replace(plain[0], plain[1], plain[2])
        if name == "format" and plain and isinstance(plain[0], str):
            _check_format(plain[0])
        return env.checked(function(*args, **kwargs))

    return bounded


# --- static checks -------------------------------------------------------------------------


def static_problems(tree: nodes.Template, env: BoundedEnvironment) -> Iterator[str]:
    """What a template does that is refused before running it (Vietnamese, one per issue)."""
    for kind, tag in FORBIDDEN_TAGS.items():
        if any(True for _ in tree.find_all(kind)):
            yield f"mẫu dùng thẻ {tag}: mỗi mẫu là một văn bản Word trọn vẹn, không dùng thẻ này"
    depth, steps = _loops(tree, env)
    if depth > limits.MAX_LOOP_DEPTH:
        yield f"mẫu lồng {depth} vòng lặp {{% for %}} vào nhau, tối đa {limits.MAX_LOOP_DEPTH}"
    if steps > limits.MAX_TEMPLATE_WORK:
        yield f"các vòng lặp {{% for %}} lồng nhau chạy tới {number(steps)} lần"
    # Values the template sets to constants ({% set a = 'x' * 900000 %}) count as constants.
    consts: dict[str, Any] = {}
    for node in tree.find_all(
        (nodes.Assign, nodes.BinExpr, nodes.Call, nodes.Filter, nodes.Concat)
    ):
        try:
            if isinstance(node, nodes.Assign):
                if isinstance(node.target, nodes.Name):
                    with suppress(nodes.Impossible):
                        consts[node.target.name] = _const(node.node, env, consts)
                continue
            _try_constant(node, env, consts)
        except TemplateLimit as exc:
            yield exc.message or str(exc)


def _loops(
    node: nodes.Node, env: BoundedEnvironment, depth: int = 0, steps: int = 1
) -> tuple[int, int]:
    """The deepest nesting of loops, and the most steps nested loops over constants take."""
    deepest, most = depth, steps
    for child in node.iter_child_nodes():
        inner, inner_steps = depth, steps
        if isinstance(child, nodes.For):
            inner += 1
            # A loop over anything but a constant is counted while rendering instead.
            with suppress(nodes.Impossible, TemplateLimit, TypeError):
                inner_steps *= max(len(_const(child.iter, env)), 1)
        found = _loops(child, env, inner, inner_steps)
        deepest, most = max(deepest, found[0]), max(most, found[1])
    return deepest, most


def _const(node: nodes.Node, env: BoundedEnvironment, consts: dict[str, Any] | None = None) -> Any:
    """The value of a constant expression, computed through the sandbox's checks, or raise
    nodes.Impossible (Jinja itself never folds the operators the sandbox intercepts);
    `consts`: names the template set to constants."""
    if isinstance(node, nodes.Name) and consts and node.name in consts:
        return consts[node.name]
    if isinstance(node, nodes.BinExpr):
        left, right = _const(node.left, env, consts), _const(node.right, env, consts)
        return env.call_binop(None, node.operator, left, right)
    if isinstance(node, nodes.Concat):
        return env.checked_join(tuple(_const(n, env, consts) for n in node.nodes), False)
    if isinstance(node, nodes.Expr) and not isinstance(node, nodes.Call | nodes.Filter):
        return node.as_const()
    raise nodes.Impossible()


def _try_constant(
    node: nodes.Node, env: BoundedEnvironment, consts: dict[str, Any] | None = None
) -> None:
    """Apply the sandbox's checks to an operation whose operands are all constants."""
    try:
        if isinstance(node, nodes.BinExpr | nodes.Concat):
            _const(node, env, consts)
        elif isinstance(node, nodes.Call | nodes.Filter):
            method = node.node if isinstance(node, nodes.Call) else None
            if isinstance(method, nodes.Getattr) and method.attr in ("format", "format_map"):
                text = _const(method.node, env, consts)
                if isinstance(text, str):
                    _check_format(text)
            env.check_arguments([_const(a, env, consts) for a in node.args])
            env.check_arguments([_const(k.value, env, consts) for k in node.kwargs])
            if isinstance(node, nodes.Filter) and node.name == "format" and node.node:
                value = _const(node.node, env, consts)
                if isinstance(value, str):
                    _check_format(value)
    except nodes.Impossible:
        return
