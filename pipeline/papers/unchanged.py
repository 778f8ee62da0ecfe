"""Telling, without filling it again, that a paper in the output folder is the one render
would write now.

A paper's bytes are a function of its template, the values of the variables the template
reads (`templating.template_reads`), its document properties and the code that fills and
saves it. Each time render writes a paper it records in the disk cache (`files.cache`) the
digest of all of these -> the paper's sha256. A later render whose digest is the same,
finding the paper in the folder with the bytes papers.json recorded and the cache names,
leaves it in place: a correction of one figure rewrites only the papers that print it (the
plan and the council's decision print none). papers.json then records the paper with the
current inputs, as a rewrite would: the paper is byte for byte what filling them gives, so
the record stays verifiable. A paper edited by hand (bytes other than those recorded), a
changed template or rendering code, or a missing or switched-off cache means filling again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.files.cache import load_text, store_text
from pipeline.papers.template_source import TemplateSource

_KIND = "van-ban"
_REWRITE = ContextVar("rewrite_every_paper", default=False)
_ABSENT = ["absent"]  # what a path the context does not hold reads as


def paper_key(
    template: TemplateSource,
    reads: tuple[str, ...] | None,
    context: dict[str, Any],
    properties: dict[str, Any],
) -> str:
    """The digest of everything a paper's bytes depend on: the template, the values of the
    variables it reads (`reads`; None: the whole context), the properties, the code."""
    chosen: Any = context if reads is None else {p: _value(context, p) for p in reads}
    h = hashlib.sha256()
    for part in (_code_digest(), hashlib.sha256(template.data).hexdigest()):
        h.update(part.encode("ascii") + b"\0")
    h.update(_canonical(chosen) + b"\0" + _canonical(properties))
    return h.hexdigest()


def _value(context: dict[str, Any], path: str) -> Any:
    """What a template reading `path` sees of the context, or more: a loop item's path
    (`a.list[].x`) stands for the whole list, and a name a mapping does not hold (a method
    such as `items`, or a key absent) for the whole mapping."""
    names = path.split("[]", 1)[0].split(".")
    if names[0] not in context:
        return _ABSENT  # a loop, a macro's argument or a value the template set itself
    value: Any = context
    for name in names:
        if not isinstance(value, dict) or name not in value:
            return value
        value = value[name]
    return value


def _canonical(value: Any) -> bytes:
    """Equal only for equal values: each non-JSON value is written with its type."""
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, default=lambda o: [type(o).__name__, str(o)]
    ).encode("utf-8")


def known_paper(key: str) -> str | None:
    """The sha256 of the paper rendering `key` gave before, if the cache holds it (never
    within `rewriting_every_paper`)."""
    return None if _REWRITE.get() else load_text(_KIND, key)


@contextmanager
def rewriting_every_paper() -> Iterator[None]:
    """Render fills every paper again, as `hoso build --force` asks: nothing is taken on
    the cache's word."""
    token = _REWRITE.set(True)
    try:
        yield
    finally:
        _REWRITE.reset(token)


def remember_paper(key: str, sha: str) -> None:
    store_text(_KIND, key, sha)


@cache
def _code_digest() -> str:
    """The code and libraries a paper's bytes depend on besides its inputs: filling
    (templating, sandbox, filters), saving (atomic) and render, and this module."""
    import docx
    import docxtpl
    import jinja2
    from lxml import etree

    root = Path(__file__).resolve().parent.parent
    files = [
        "papers/templating.py",
        "papers/sandbox.py",
        "papers/context.py",
        "papers/unchanged.py",
        "common/vnformat.py",
        "files/atomic.py",
        "stages/render.py",
    ]
    h = hashlib.sha256()
    versions = (__version__, docx.__version__, docxtpl.__version__, jinja2.__version__)
    h.update(repr((*versions, etree.LXML_VERSION)).encode("utf-8"))
    for name in files:
        h.update((root / name).read_bytes())
    return h.hexdigest()
