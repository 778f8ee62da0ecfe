"""Word templates: where they come from, the Jinja environment, checking and exporting them.

A dossier's own `templates/<name>.docx` overrides the shipped one of the same name. A
template is checked before anything renders: Jinja syntax, and every variable it reads
against the documented variables (`context.VARIABLES`), each problem naming the template
and the tag. Templates run in a bounded sandbox (`pipeline.papers.sandbox`) under a time limit,
and the filled XML is parsed strictly: nothing is ever dropped silently.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
import zipfile
from collections import OrderedDict
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

import docxtpl
import jinja2
from docx.document import Document as DocxDocument
from docxtpl import DocxTemplate
from jinja2 import nodes
from lxml import etree

from pipeline import __version__
from pipeline.common import limits
from pipeline.common.errors import EnvironmentProblem, InputError, Problem
from pipeline.common.timelimit import TimeLimitExceeded, time_limit
from pipeline.files.cache import (
    known_clean,
    load_code,
    load_text,
    mark_clean,
    store_code,
    store_text,
)
from pipeline.files.resources import shipped_template
from pipeline.files.zipguard import ArchiveProblem, check_archive
from pipeline.model.documents import catalogue
from pipeline.papers.context import FILTER_DOCS, FILTERS, VARIABLES
from pipeline.papers.sandbox import BoundedEnvironment, TemplateLimit, static_problems
from pipeline.papers.template_source import TEMPLATE_FOLDER, TemplateSource, find_template

# The hint of every fault found while filling a template.
_FILL_HINT = (
    "mở mẫu trong Word, sửa thẻ {{ … }} hoặc {% … %} bị lỗi; thẻ {%p … %} phải nằm trọn "
    "trong một đoạn."
)
_HINT = "mở mẫu trong Word, sửa thẻ {{ … }} hoặc {% … %}; các biến được dùng: templates/README.md."


# Work done once per template per process, kept by content: a province's 200 dossiers use
# the same five templates. Bounded, so a long run over many custom templates stays small.
_CACHE_SIZE = 64


class _Memo(OrderedDict[str, Any]):
    """A small least-recently-used map from a content hash to what was computed from it."""

    def get_or(self, key: str, compute: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = compute()
        self[key] = value
        if len(self) > _CACHE_SIZE:
            self.popitem(last=False)
        return value


_COMPILED = _Memo()  # Jinja source -> code object
_PATCHED = _Memo()  # a part's XML -> the Jinja source docxtpl makes of it
_CHECKED = _Memo()  # template bytes and label -> its problems


def _digest(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class _Environment(BoundedEnvironment):
    """The bounded environment, compiling each distinct source once per process.

    A code object does not depend on the environment it was compiled for when every
    environment is made alike (`jinja_environment`); the counting happens at run time,
    in the fresh environment each paper gets."""

    def compile(self, source: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(source, str):  # named, raw: not ours to cache
            return super().compile(source, *args, **kwargs)
        compile_ = super().compile
        return _COMPILED.get_or(_digest(source), lambda: _compiled_once(source, compile_))


def _compiled_once(source: str, compile_: Callable[[str], CodeType]) -> CodeType:
    """A template source's code object, from the disk cache when this Python, this Jinja and
    this checking code compiled the same source before (a cold process then skips it)."""
    key = _digest(sys.version, jinja2.__version__, _checker_digest(), source)
    code = load_code("jinja", key)
    if code is None:
        code = compile_(source)
        store_code("jinja", key, code)
    return code


def jinja_environment() -> BoundedEnvironment:
    """Sandboxed and bounded, autoescaping (XML), failing on any undefined variable.
    Counts what it builds: use a fresh one for each paper."""
    env = _Environment(undefined=jinja2.StrictUndefined, autoescape=True)
    env.add_filters(FILTERS)
    return env


def template_source_text(template: TemplateSource) -> str:
    """The Jinja source docxtpl renders: the document body and headers, tags made whole."""
    tpl = _StrictDocxTemplate(io.BytesIO(template.data))
    tpl.init_docx()
    parts = [tpl.patch_xml(tpl.get_xml())]
    for uri in (tpl.HEADER_URI, tpl.FOOTER_URI):
        for _, part in tpl.get_headers_footers(uri):
            parts.append(tpl.patch_xml(tpl.get_part_xml(part)))
    return "\n".join(parts)


def _known_paths() -> set[str]:
    known: set[str] = set()
    for path in VARIABLES:
        parts = path.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            # The items of a list of plain values ({{ noi }} in a loop over van_ban.noi_nhan).
            known.update((prefix, prefix + "[]"))
    return known


def _dotted(node: nodes.Node, loops: dict[str, str]) -> str | None:
    """`a.b.c` for a chain of attribute lookups on a name; loop variables become `list[]`."""
    names: list[str] = []
    while isinstance(node, nodes.Getattr):
        names.insert(0, node.attr)
        node = node.node
    if not isinstance(node, nodes.Name):
        return None
    root = loops.get(node.name, node.name)
    if root == _LOCAL:
        return None  # a value the template set itself ({% set n = 3 %}): nothing to look up
    return ".".join([root, *names])


# What `loops` maps a name to when the template set it to something that is no variable.
_LOCAL = "\0local"


def _walk(node: nodes.Node, loops: dict[str, str]) -> Iterator[str]:
    if isinstance(node, nodes.Assign):
        # `{% set ten = don_vi.xa %}{{ ten }}`: `ten` stands for what it was set to, for the
        # rest of its scope (a loop's body copies `loops`, as Jinja scopes it).
        yield from _walk(node.node, loops)
        source = _dotted(node.node, loops)
        for target in (
            node.target.find_all(nodes.Name)
            if not isinstance(node.target, nodes.Name)
            else [node.target]
        ):
            loops[target.name] = (
                source if source and isinstance(node.target, nodes.Name) else _LOCAL
            )
        return
    if isinstance(node, nodes.For):
        yield from _walk(node.iter, loops)
        inner = dict(loops)
        # `for x in ['Như trên'] + van_ban.noi_nhan`: the list is the variable inside.
        source = _dotted(node.iter, loops) or next(iter(_walk(node.iter, loops)), None)
        if isinstance(node.target, nodes.Name):
            inner[node.target.name] = f"{source}[]" if source else node.target.name
            inner["loop"] = "loop"
        for child in [*node.body, *node.else_]:
            yield from _walk(child, inner)
        return
    if isinstance(node, nodes.Getattr | nodes.Name) and not (
        isinstance(node, nodes.Name) and node.ctx != "load"
    ):
        path = _dotted(node, loops)
        if path is not None:
            yield path
            return
    for child in node.iter_child_nodes():
        yield from _walk(child, loops)


def _snippet(source: str, lineno: int | None) -> str:
    """The visible text around a Jinja error: the template's XML line without its tags."""
    lines = source.splitlines()
    if not lineno or lineno > len(lines):
        return "?"
    text = " ".join(re.sub(r"<[^>]+>", "", lines[lineno - 1]).split())
    return text if len(text) <= 80 else text[:77] + "…"


def _unpackable(data: bytes) -> bool:
    """Whether a template's bytes are a zip within the limits (not a bomb, not too big)."""
    if len(data) > limits.MAX_WORKBOOK_BYTES:
        return False
    try:
        check_archive(data, zipfile.ZipFile(io.BytesIO(data)))
    except (ArchiveProblem, zipfile.BadZipFile, ValueError, OSError):
        return False
    return True


def check_template(template: TemplateSource) -> list[Problem]:
    """Syntax errors, unknown variables and refused constructs of one template; each
    template (by content and label) is checked once per process, and a clean one once per
    version of the checking code (the cache on disk)."""
    key = _digest(_checker_digest(), template.label, template.data)
    if known_clean("mau", key):
        return []

    def check() -> tuple[Problem, ...]:
        found = tuple(_check_template(template))
        if not found:
            mark_clean("mau", key)
        return found

    return list(_CHECKED.get_or(key, check))


@cache
def _checker_digest() -> str:
    """What a template's check depends on besides the template: the code that checks it
    and the variables and filters a template may use."""
    here = Path(__file__).resolve().parent
    code = [(here / name).read_bytes() for name in ("templating.py", "sandbox.py", "context.py")]
    return _digest(__version__, *code, *sorted(_known_paths()), *sorted(FILTERS))


def _check_template(template: TemplateSource) -> list[Problem]:
    env = jinja_environment()
    try:
        if not _unpackable(template.data):
            raise ValueError("not a bounded zip")
        source = template_source_text(template)
    except Exception:  # a corrupt .docx, or not a Word file at all
        return [Problem.of("mau-hong", file=template.label)]
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        return [
            Problem.of(
                "cu-phap-mau",
                file=template.label,
                value=exc.message,
                hint="mỗi {{ phải có }} đóng, mỗi {%p for … %} phải có {%p endfor %}; " + _HINT,
                snippet=_snippet(source, exc.lineno),
            )
        ]
    problems: list[Problem] = []
    known = _known_paths()
    for path in dict.fromkeys(_walk(tree, {})):
        if path.startswith("loop") or path in known:
            continue
        problems.append(
            Problem.of(
                "bien-khong-co",
                variant="tinh",
                file=template.label,
                field=path,
                hint=_HINT,
                variable=path.replace("[]", ""),
            )
        )
    for filter_node in tree.find_all(nodes.Filter):
        if filter_node.name not in env.filters:
            problems.append(
                Problem.of(
                    "bo-loc-khong-co", file=template.label, hint=_HINT, name=filter_node.name
                )
            )
    problems += [
        Problem.of("the-khong-dung", file=template.label, hint=_HINT, message=message)
        for message in static_problems(tree, env)
    ]
    return problems


class _StrictDocxTemplate(DocxTemplate):  # type: ignore[misc]
    """docxtpl, but the filled body must parse strictly (and tags are cleaned once per part).

    docxtpl re-reads the filled body with lxml in *recover* mode, which silently drops
    everything after a text node longer than lxml's 10 MB limit or after malformed XML: a
    24 MB paragraph once cut a report from 56 paragraphs to 8 with exit 0. Parsing first
    with a strict parser turns both into an error."""

    def patch_xml(self, src_xml: str) -> Any:
        # A pure function of the part's XML; the same template's parts recur every paper,
        # and every process (kept on disk, keyed by docxtpl's version and the XML).
        def patched() -> str:
            key = _digest(docxtpl.__version__, src_xml)
            stored = load_text("xml", key)
            if stored is None:
                stored = str(super(_StrictDocxTemplate, self).patch_xml(src_xml))
                store_text("xml", key, stored)
            return stored

        return _PATCHED.get_or(_digest(src_xml), patched)

    def fix_tables(self, xml: str) -> Any:
        etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False))
        return super().fix_tables(xml)


def fill_template(template: TemplateSource, context: dict[str, Any]) -> DocxDocument:
    """The template filled with `context`, or InputError naming the template and the fault.

    Runs the static checks first, then renders in the bounded sandbox under
    MAX_RENDER_SECONDS."""
    problems = check_template(template)
    if problems:
        raise InputError(problems)
    env = jinja_environment()
    tpl = _StrictDocxTemplate(io.BytesIO(template.data))
    try:
        with time_limit(limits.MAX_RENDER_SECONDS):
            tpl.render(context, jinja_env=env)
    except TimeLimitExceeded:
        raise _fill_error(
            Problem.of(
                "mau-qua-lau",
                file=template.label,
                hint=_FILL_HINT,
                seconds=limits.MAX_RENDER_SECONDS,
            )
        ) from None
    except TemplateLimit as exc:
        raise _fill_error(
            Problem.of(
                "mau-qua-lon",
                file=template.label,
                hint=_FILL_HINT,
                message=exc.message or str(exc),
            )
        ) from None
    except jinja2.UndefinedError as exc:
        raise _fill_error(
            Problem.of(
                "bien-khong-co",
                variant="khi-dien",
                file=template.label,
                hint=_FILL_HINT,
                error=exc,
            )
        ) from exc
    except jinja2.TemplateError as exc:
        raise _fill_error(
            Problem.of("loi-mau", variant="dien", file=template.label, hint=_FILL_HINT, error=exc)
        ) from exc
    except RecursionError:
        raise _fill_error(
            Problem.of("loi-mau", variant="de-quy", file=template.label, hint=_FILL_HINT)
        ) from None
    except etree.XMLSyntaxError as exc:
        raise _fill_error(
            Problem.of("mau-hong-xml", file=template.label, hint=_FILL_HINT, error=exc.msg)
        ) from None
    document: DocxDocument = tpl.docx
    return document


def _fill_error(problem: Problem) -> InputError:
    return InputError([problem])


# The core properties docxtpl fills as templates (`DocxTemplate.render_properties`).
_FILLED_PROPERTIES = ("author", "comments", "identifier", "language", "subject", "title")
_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"


def template_reads(template: TemplateSource) -> tuple[str, ...] | None:
    """Every variable path a template can read (`a.b`, loop items as `a.list[]`): in its
    body, headers and footers, and in the document properties and footnotes docxtpl fills
    too; None when that cannot be told (the filled paper may then depend on anything).
    Kept on disk, keyed by the template's bytes and the code that walks it."""
    key = _digest(_checker_digest(), template.data)
    stored = load_text("bien-doc", key)
    if stored is not None:
        try:
            raw = json.loads(stored)
            if raw is None or (isinstance(raw, list) and all(isinstance(p, str) for p in raw)):
                return None if raw is None else tuple(raw)
        except ValueError:
            pass  # a damaged entry: walk the template again
    reads = _template_reads(template)
    store_text("bien-doc", key, json.dumps(reads))
    return reads


def _template_reads(template: TemplateSource) -> tuple[str, ...] | None:
    env = jinja_environment()
    try:
        if not _unpackable(template.data):
            return None
        tpl = _StrictDocxTemplate(io.BytesIO(template.data))
        tpl.init_docx()
        sources = [template_source_text(template)]
        properties = tpl.docx.core_properties
        sources += [str(getattr(properties, name) or "") for name in _FILLED_PROPERTIES]
        for part in tpl.docx.part.package.parts:
            if part.content_type == _FOOTNOTES:
                sources.append(tpl.patch_xml(part.blob.decode("utf-8")))
        paths: dict[str, None] = {}
        for source in sources:
            paths.update(dict.fromkeys(_walk(env.parse(source), {})))
    except Exception:  # unreadable: the paper is taken to read everything
        return None
    return tuple(sorted(paths))


def check_templates(dossier: Path | None) -> list[str]:
    """Check every template a dossier would use; raise InputError listing all problems."""
    problems: list[Problem] = []
    checked = []
    for doc in catalogue().values():
        template = find_template(dossier, doc.file)
        problems += check_template(template)
        checked.append(template.label)
    if problems:
        raise InputError(problems)
    return checked


def export_templates(dossier: Path) -> list[Path]:
    """Copy the shipped templates into `dossier/templates/` for editing; never overwrite."""
    folder = dossier / TEMPLATE_FOLDER
    written = []
    existing = [folder / d.file for d in catalogue().values() if (folder / d.file).exists()]
    if existing:
        raise InputError([Problem.of("da-co-mau", file=str(path)) for path in existing])
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for doc in catalogue().values():
            target = folder / doc.file
            target.write_bytes(shipped_template(doc.file).read_bytes())
            written.append(target)
    except OSError as exc:
        raise EnvironmentProblem(
            f"Không ghi được vào {folder}: {exc.strerror}", "kiểm tra quyền ghi của thư mục."
        ) from exc
    return written


def flatten(context: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Example text for every variable path of a context (first item of each list)."""
    out: dict[str, str] = {}
    for key, value in context.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flatten(value, f"{path}."))
        elif isinstance(value, list):
            out[path] = "; ".join(str(v) for v in value[:2] if not isinstance(v, dict)) + (
                " …" if len(value) > 2 else ""
            )
            if value and isinstance(value[0], dict):
                out.update(flatten(value[0], f"{path}[]."))
        else:
            out[path] = "" if value is None else str(value)
    return out


def variables_markdown(examples: dict[str, str]) -> str:
    """templates/README.md: every variable and filter a template may use."""
    lines = [
        "# Mẫu văn bản / Word templates",
        "",
        "Các mẫu Word (.docx) của hoso. Mở và sửa bằng Word hoặc LibreOffice. Chỗ điền là thẻ",
        "`{{ tên_biến }}`; vòng lặp theo đoạn là `{%p for x in danh_sách %}` … `{%p endfor %}`,",
        "theo dòng bảng là `{%tr for … %}`. Muốn sửa mẫu cho một xã: `hoso templates export DIR`",
        "chép các mẫu vào `DIR/templates/`; sửa bản chép; `hoso templates check DIR` kiểm tra",
        "trước khi lập văn bản. Tệp này được sinh từ mã nguồn (`scripts/build_templates.py`).",
        "",
        "The shipped Word templates. This file is generated from `pipeline/papers/context.py`;",
        "a test fails when it is out of date.",
        "",
        "## Biến / Variables",
        "",
        "| biến | ý nghĩa | ví dụ (hồ sơ mẫu) |",
        "|---|---|---|",
    ]
    for path, meaning in VARIABLES.items():
        example = examples.get(path, "").replace("|", "\\|")
        if len(example) > 60:
            example = example[:57] + "…"
        lines.append(f"| `{path}` | {meaning} | {example} |")
    lines += ["", "## Bộ lọc / Filters", "", "| bộ lọc | cách dùng |", "|---|---|"]
    for name, usage in FILTER_DOCS.items():
        lines.append(f"| `{name}` | {usage} |")
    return "\n".join(lines) + "\n"
