"""What each stage tells the clerk when it has run: one text, printed by the single
command and by `hoso build` alike, so the two can't drift."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pipeline.stages.ingest import Ingested
    from pipeline.stages.pdf import PdfResult
    from pipeline.stages.render import RenderResult
    from pipeline.stages.score import ScoreResult

Kind = Literal["info", "plan", "warning", "error"]


@dataclass(frozen=True)
class Message:
    """One line for the clerk; warnings and errors go to stderr."""

    text: str
    kind: Kind = "info"

    @property
    def to_stderr(self) -> bool:
        return self.kind in ("warning", "error")


def _warning(text: object) -> Message:
    return Message(f"Cảnh báo: {text}", "warning")


def ingest_report(result: Ingested) -> list[Message]:
    words = result.words
    carried: list[Message] = []
    if result.data.previous_origins:
        from pipeline.stages.carry import origin_counts

        kept, over = origin_counts(result.data)
        carried.append(
            Message(
                f"Số liệu kỳ trước: {kept} ô giữ số điền sẵn từ hồ sơ năm trước, "
                f"{over} ô gõ lại khác số điền sẵn; các ô khác do {words.cap_thon} gõ."
            )
        )
    return [
        *(_warning(w) for w in result.warnings),
        *carried,
        Message(
            # "cấp xã" is the law's name of the level (its form is "BIỂU SỐ LIỆU CẤP XÃ" for
            # a ward too), not the unit's own word.
            f"Xong: {result.data.village_count} {words.cap_thon} và số liệu cấp xã, "
            f"{len(result.warnings)} cảnh báo; đã ghi {result.path}"
        ),
    ]


def score_report(result: ScoreResult) -> list[Message]:
    from pipeline.stages.score import summary_lines

    return [
        *(Message(line) for line in summary_lines(result.scorecard)),
        Message(""),
        *(Message(f"Đã ghi {path}") for path in result.written),
    ]


def render_report(result: RenderResult, out: Path) -> list[Message]:
    unit = result.words.don_vi
    lines = [Message(f"Đã ghi {path}") for path in result.written]
    lines += [_warning(w) for w in result.warnings]
    lines += [
        Message(f"Không lập {name}: {unit} chưa đạt (xem Báo cáo kết quả đánh giá).")
        for name in result.not_recognized
    ]
    lines += [Message(f"Đã xóa {p} của lần lập trước vì {unit} chưa đạt.") for p in result.removed]
    lines += [
        Message(f"Đã xóa {p} của lần lập trước: không còn đúng với hồ sơ hiện tại.")
        for p in result.outdated
    ]
    if result.waiting:
        lines.append(
            Message("Chưa lập (cần chấm điểm trước, chạy hoso score): " + ", ".join(result.waiting))
        )
    lines.append(Message(f"Xong: {len(result.written)} văn bản trong {out}"))
    return lines


def pdf_report(result: PdfResult, out: Path) -> list[Message]:
    lines = [Message(f"Lưu ý: {result.notice}", "warning")] if result.notice else []
    lines += [Message(f"Đã ghi {path}") for path in result.written]
    lines += [Message(f"Đã xóa {p}: văn bản Word của nó không còn.") for p in result.removed]
    lines.append(Message(f"Xong: {len(result.written)} tệp PDF trong {out}"))
    return lines
