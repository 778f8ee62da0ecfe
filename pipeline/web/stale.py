"""Which results of a dossier are older than what they were made from, in the page's words.

The library decides (pipeline/stages/freshness.py); this module only says it as a clerk
reads it ("biểu «na-cay.xlsx» đã sửa", not "thon/na-cay.xlsx changed") and names the one
step that brings each result up to date. The earliest stale step is the one to redo: new
figures make the scores old, and new scores make the papers old.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.common.errors import EnvironmentProblem, InputError
from pipeline.model import dataset, scorecard
from pipeline.model.documents import catalogue
from pipeline.model.dossier import Dossier
from pipeline.model.profile import PROFILE_NAME
from pipeline.stages import freshness
from pipeline.stages.freshness import Change
from pipeline.web import profile_form

_KINDS = {"added": "mới thêm", "changed": "đã sửa", "deleted": "đã xóa", "missing": "chưa có"}


@dataclass
class Freshness:
    """Per result: None when there is none yet, else the reasons it is old ([] = current)."""

    data: list[str] | None = None
    card: list[str] | None = None
    papers: list[str] | None = None
    pdfs: dict[str, list[str]] = field(default_factory=dict)  # by paper file, PDFs present

    @property
    def first(self) -> str | None:
        """The step to redo first: "data", "card", "papers", "pdfs", or None."""
        for step in ("data", "card", "papers"):
            if getattr(self, step):
                return step
        return "pdfs" if any(self.pdfs.values()) else None

    def issue_problems(self) -> list[str]:
        """Why the set in the output folder may not be issued ([] when it may)."""
        reasons: list[str] = []
        if self.data:
            reasons.append("số liệu đã nhập cũ hơn các biểu: " + "; ".join(self.data))
        if self.card:
            reasons.append("kết quả chấm điểm đã cũ: " + "; ".join(self.card))
        if self.papers:
            reasons.append("các văn bản Word đã cũ: " + "; ".join(self.papers))
        for paper, why in self.pdfs.items():
            if why:
                reasons.append(f"bản PDF của {_paper_name(paper)} đã cũ: " + "; ".join(why))
        return reasons


def _paper_name(file: str) -> str:
    by_file = {d.file: d.name for d in catalogue().values()}
    by_pdf = {freshness.pdf_name(d.file): d.name for d in catalogue().values()}
    if file in by_file:
        return by_file[file]
    if file in by_pdf:
        return f"bản PDF của {by_pdf[file]}"
    return f"«{Path(file).name}»"


def _thing(change: Change, labels: dict[str, str]) -> str:
    """What changed, named as the page names it."""
    name = change.file
    fixed = {
        dataset.DATA_NAME: "số liệu đã nhập",
        scorecard.SCORECARD_NAME: "kết quả chấm điểm",
        PROFILE_NAME: "thông tin hồ sơ",
    }
    if name == PROFILE_NAME and labels.get(change.key or ""):
        thing = f"thông tin hồ sơ › {labels[change.key or '']}"
    elif name in fixed:
        thing = fixed[name]
    elif name.startswith(freshness.SHIPPED + "templates/") or "/templates/" in f"/{name}":
        thing = f"mẫu văn bản {_paper_name(Path(name).name)}"
    elif name.endswith((".docx", ".pdf")):
        thing = _paper_name(name)
    elif name.startswith(freshness.SHIPPED) or name.endswith(".toml"):
        thing = "bộ tiêu chí"
    else:
        thing = f"biểu «{Path(name).name}»"
    return thing


def said(change: Change, labels: dict[str, str]) -> str:
    """One change in the page's words."""
    if change.file == freshness.TOOL:
        return "chương trình hoso đã được cập nhật"
    if change.file in (freshness.PAPERS_NAME, freshness.PDFS_NAME):
        return "chưa rõ được lập từ đâu (lập bằng phiên bản cũ hoặc bị ngắt giữa chừng)"
    return f"{_thing(change, labels)} {_KINDS.get(change.kind, change.kind)}"


def _reasons(stage: freshness.Stage, dossier: Dossier, labels: dict[str, str]) -> list[str]:
    try:
        changes = freshness.stale(stage, dossier)
    except (InputError, EnvironmentProblem):
        return ["không đọc được kết quả lần trước"]
    return list(dict.fromkeys(said(c, labels) for c in changes))


def of(dossier: Dossier) -> Freshness:
    """The freshness of every result the dossier has in its output folder."""
    out = dossier.out
    labels = profile_form.labels(dossier.folder)
    state = Freshness()
    if (out / dataset.DATA_NAME).is_file():
        state.data = _reasons(freshness.INGEST, dossier, labels)
    if (out / scorecard.SCORECARD_NAME).is_file():
        state.card = _reasons(freshness.SCORE, dossier, labels)
    papers = [d.file for d in catalogue().values() if (out / d.file).is_file()]
    if papers:
        state.papers = _reasons(freshness.RENDER, dossier, labels)
    pdfs = [p for p in papers if (out / freshness.pdf_name(p)).is_file()]
    if pdfs:
        try:
            changes = freshness.stale(freshness.PDF, dossier)
        except (InputError, EnvironmentProblem):
            changes = [Change(freshness.PDFS_NAME, "missing")]
        for paper in pdfs:
            pdf = freshness.pdf_name(paper)
            mine = [
                c for c in changes if c.file in (paper, pdf, freshness.PDFS_NAME, freshness.TOOL)
            ]
            state.pdfs[paper] = [
                "văn bản Word đã được lập lại sau bản PDF này"
                if c.file == paper
                else said(c, labels)
                for c in mine
            ]
    return state
