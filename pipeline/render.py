"""`hoso render`: fill the Word templates from the dossier and write the papers."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
from docxtpl import DocxTemplate

from pipeline import scorecard
from pipeline.context import document_context, score_context
from pipeline.errors import InputError, Problem
from pipeline.output import atomic_write_all, docx_bytes, remove, set_core_properties
from pipeline.profile import DocumentSettings, Profile, load_profile
from pipeline.score import inputs_digest, load_data
from pipeline.scorecard import SCORECARD_NAME
from pipeline.templating import TemplateSource, check_template, find_template, jinja_environment


def render_document(
    template: TemplateSource, context: dict[str, Any], properties: dict[str, Any]
) -> bytes:
    """Render one template into deterministic .docx bytes, or raise InputError naming it."""
    problems = check_template(template)
    if problems:
        raise InputError(problems)
    env = jinja_environment()
    tpl = DocxTemplate(io.BytesIO(template.data))
    try:
        tpl.render(context, jinja_env=env)
    except jinja2.UndefinedError as exc:
        raise _template_error(template, "bien-khong-co", f"mẫu dùng biến không có ({exc})") from exc
    except jinja2.TemplateError as exc:
        raise _template_error(template, "loi-mau", f"lỗi khi điền mẫu: {exc}") from exc
    document = tpl.docx
    set_core_properties(document, **properties)
    return docx_bytes(document)


def _template_error(template: TemplateSource, code: str, message: str) -> InputError:
    return InputError(
        [
            Problem(
                code,
                message,
                file=template.label,
                hint="mở mẫu trong Word, sửa thẻ {{ … }} hoặc {% … %} bị lỗi.",
            )
        ]
    )


def _properties(profile: Profile, doc: DocumentSettings) -> dict[str, Any]:
    # Derived from the inputs, never the clock, so re-rendering gives identical bytes.
    day = doc.ngay or date(profile.don_vi.nam, 1, 1)
    return {
        "title": f"{doc.type.name} - {doc.type.symbol}",
        "subject": f"Đánh giá {profile.don_vi.cap} phù hợp với trẻ em năm {profile.don_vi.nam}",
        "author": f"Ủy ban nhân dân {profile.don_vi.cap} {profile.don_vi.xa}",
        "when": datetime(day.year, day.month, day.day),
    }


@dataclass(frozen=True)
class RenderResult:
    written: list[Path]
    removed: list[Path]  # papers of an earlier run that no longer apply (a request now "không đạt")
    waiting: list[str]  # papers that need `hoso score` first
    not_recognized: list[str]  # papers written only for a recognised commune
    warnings: list[Problem] = field(default_factory=list)  # e.g. a section left to write by hand


# The scorecard as JSON and the data totals: what the papers' figures come from.
Scoring = tuple[dict[str, Any], dict[str, Any]]


def load_scoring(profile: Profile, dossier: Path, out: Path) -> Scoring | None:
    """The scorecard and the data totals for the papers that need them, or None before
    `hoso score`. A scorecard whose inputs changed since scoring is refused: a paper must
    never print figures other than the current ones."""
    path = out / SCORECARD_NAME
    if not path.is_file():
        return None
    data = load_data(out, dossier)
    try:
        card = scorecard.load(path)
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError(
            [
                Problem(
                    "bang-diem-hong",
                    "tệp bảng điểm không đọc được",
                    file=str(path),
                    value=str(exc),
                    hint=f"xóa tệp này rồi chạy lại `hoso score {dossier}`.",
                )
            ]
        ) from exc
    if card.inputs_digest != inputs_digest(profile, out):
        raise InputError(
            [
                Problem(
                    "bang-diem-cu",
                    "bảng điểm cũ: số liệu, bộ tiêu chí hoặc điều chỉnh của Hội đồng đã thay đổi "
                    "sau lần chấm điểm",
                    file=str(path),
                    hint=f"chạy lại `hoso score {dossier}` (cùng --out nếu có) rồi hoso render.",
                )
            ]
        )
    return card.to_json(), dict(data.to_json()["totals"])


def paper_context(
    profile: Profile, doc: DocumentSettings, scoring: Scoring | None
) -> dict[str, Any]:
    """Every variable of one paper's template: profile, document and, once scored, results."""
    context = document_context(profile, doc)
    if scoring is not None:
        context.update(score_context(profile, *scoring))
    return context


def render(
    dossier: Path,
    out: Path,
    *,
    codes: Iterable[str] | None = None,
    progress: Callable[[str], None] | None = None,
    numbers: Mapping[str, int] | None = None,
) -> RenderResult:
    """Write the dossier's papers into `out`; every template problem is reported together.

    Papers that need the scorecard are written once `hoso score` has put scorecard.json
    in `out`; the request for recognition only when the commune is recognised. `numbers`
    (code -> number) overrides hoso.toml's `so`: `hoso issue` stamps the numbers it gives.
    """
    profile = load_profile(dossier)
    scoring = load_scoring(profile, dossier, out)
    wanted = list(codes) if codes is not None else list(profile.van_ban)
    problems: list[Problem] = []
    rendered: list[tuple[Path, bytes]] = []
    stale: list[Path] = []
    waiting: list[str] = []
    skipped: list[str] = []
    warnings: list[Problem] = []
    for code in wanted:
        doc = profile.van_ban[code]
        if numbers and code in numbers:
            doc = replace(doc, so=numbers[code])
        target = out / doc.type.file
        if doc.type.needs_scorecard and scoring is None:
            waiting.append(doc.type.file)
            continue
        if doc.type.only_if_recognized and scoring is not None and not scoring[0]["recognized"]:
            skipped.append(doc.type.file)
            if target.exists():
                stale.append(target)
            continue
        context = paper_context(profile, doc, scoring)
        template = find_template(profile.folder, doc.type.file)
        try:
            data = render_document(template, context, _properties(profile, doc))
        except InputError as exc:
            problems += exc.problems
            continue
        rendered.append((target, data))
        warnings += _empty_sections(profile, doc)
    if problems:
        raise InputError(problems)
    # Only once every paper rendered: a failure above leaves the previous set untouched.
    atomic_write_all(rendered)
    for path, _ in rendered:
        if progress:
            progress(str(path))
    for path in stale:
        remove(path)
    return RenderResult([path for path, _ in rendered], stale, waiting, skipped, warnings)


def _empty_sections(profile: Profile, doc: DocumentSettings) -> list[Problem]:
    """A warning for each free-text section the paper prints that the profile leaves empty."""
    texts = {
        f"bao_cao.{name}": getattr(profile.bao_cao, name)
        for name in ("dac_diem", "kho_khan", "de_xuat")
    }
    return [
        Problem(
            "de-trong",
            f"chưa viết; {doc.type.name} để dòng chấm để viết tay",
            file=str(profile.path),
            field=key,
            hint=f"viết nội dung vào {key} trong hoso.toml rồi chạy lại hoso render.",
            severity="canh-bao",
        )
        for key in doc.type.free_text
        if not texts.get(key)
    ]
