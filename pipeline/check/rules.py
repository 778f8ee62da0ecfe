"""The Decree 30 rules `hoso check` tests (data/nd30-rules.toml): model and validating loader.

The checker's code decides *how* a rule is tested; the data file holds *what* is expected
(sizes, ranges, patterns, severity, Vietnamese wording). The loader makes sure the two agree:
every rule the code tests is in the file with exactly the values it needs, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from pipeline.common.errors import Severity
from pipeline.files.resources import load_data_toml

RULES_FILE = "nd30-rules.toml"

Kind = Literal["range", "number", "regex", "texts"]

# The expected values each rule's test reads, by kind; regexes list their required groups.
_SIZE: dict[str, Kind] = {"co_chu": "range"}
_MARGIN: dict[str, Kind] = {"mm": "range", "sai_so_mm": "number", "sai_so_pdf_mm": "number"}
PARAMS: dict[str, dict[str, Kind]] = {
    "trang.kho-giay": {"sai_so_mm": "number"},
    "trang.kho-giay-lech": {"sai_so_mm": "number"},
    "trang.huong": {},
    "le.tren": _MARGIN,
    "le.duoi": _MARGIN,
    "le.trai": _MARGIN,
    "le.phai": _MARGIN,
    "so-trang.trang-dau": {},
    "so-trang.vi-tri": {},
    "so-trang.dinh-dang": _SIZE,
    "so-trang.thieu": {},
    "so-trang.khong-ro": {},
    "phong-chu.ten": {},
    "phong-chu.kieu": {},
    "phong-chu.mau": {"mau_chu": "texts", "tru_chu": "texts"},
    "phong-chu.nhung": {"ten_trong_pdf": "texts"},
    "van-ban.nfc": {},
    "quoc-hieu.thieu": {},
    "quoc-hieu.chu": {"chu": "texts"},
    "quoc-hieu.dinh-dang": _SIZE,
    "tieu-ngu.thieu": {},
    "tieu-ngu.chu": {"chu": "texts"},
    "tieu-ngu.dinh-dang": _SIZE,
    "tieu-ngu.dong-rieng": {},
    "tieu-ngu.duong-ke": {},
    "co-quan.thieu": {},
    "co-quan.chu-hoa": {},
    "co-quan.dinh-dang": _SIZE,
    "co-quan.duong-ke": {},
    "so.thieu": {},
    "so.mau": {"mau": "regex"},
    "so.thu-tu": {},
    "so.so-0": {"them_0_duoi": "number"},
    "so.dinh-dang": _SIZE,
    "ngay.thieu": {},
    "ngay.mau": {"mau": "regex"},
    "ngay.so-0": {"ngay_them_0_duoi": "number", "thang_them_0_duoi": "number"},
    "ngay.so-0-thua": {},
    "ngay.co-that": {},
    "ngay.khoang-cach": {},
    "ngay.dinh-dang": _SIZE,
    "bo-cuc.chung-dong": {},
    "bo-cuc.dau-cach": {},
    "bo-cuc.can-giua": {},
    "ten-loai.thieu": {},
    "ten-loai.dinh-dang": _SIZE,
    "trich-yeu.thieu": {},
    "trich-yeu.dinh-dang": _SIZE,
    "trich-yeu.duong-ke": {},
    "vv.dinh-dang": _SIZE,
    "can-cu.dinh-dang": {},
    "can-cu.dau-cau": {},
    "noi-dung.co-chu": _SIZE,
    "noi-dung.can-deu": {},
    "noi-dung.thut-dau-dong": {"mm": "range", "sai_so_mm": "number"},
    "noi-dung.thut-bang-phim": {},
    "noi-dung.cach-doan": {"toi_thieu_pt": "number"},
    "noi-dung.gian-dong": {"boi_so": "range", "he_so_co_chu": "range"},
    "phu-luc.co-chu": _SIZE,
    "phu-luc.so-trang": {},
    "noi-nhan.thieu": {},
    "noi-nhan.dinh-dang": _SIZE,
    "noi-nhan.danh-sach": _SIZE,
    "noi-nhan.luu": {"mau": "regex"},
    "chu-ky.thieu": {"chuc_vu": "texts"},
    "chu-ky.quyen-han": _SIZE,
    "chu-ky.dau-cach": {},
    "chu-ky.tham-quyen": {"tap_the": "texts", "nguoi_dung_dau": "texts", "cap_pho": "texts"},
    "chu-ky.ho-ten": {"co_chu": "range", "hoc_ham_hoc_vi": "texts"},
}
_GROUPS = {"so.mau": {"so", "ky_hieu"}, "ngay.mau": {"dia_danh", "ngay", "thang", "nam"}}
_SEVERITIES = ("loi", "canh-bao")


@dataclass(frozen=True)
class Rule:
    """One rule: stable id, severity, Vietnamese statement, source, expected values."""

    id: str
    severity: Severity
    title: str
    source: str
    values: dict[str, Any]

    def range(self, key: str) -> tuple[float, float]:
        low, high = self.values[key]
        return float(low), float(high)

    def number(self, key: str) -> float:
        return float(self.values[key])

    def regex(self, key: str) -> re.Pattern[str]:
        pattern: re.Pattern[str] = self.values[key]
        return pattern

    def texts(self, key: str) -> tuple[str, ...]:
        return tuple(self.values[key])


@dataclass(frozen=True)
class RuleBook:
    """Every rule by id, and the values several rules share."""

    rules: dict[str, Rule]
    font: str
    page_mm: tuple[float, float]
    types: dict[str, str]  # document-type heading (caps) -> abbreviation
    undated_types: tuple[str, ...]

    def __getitem__(self, rule_id: str) -> Rule:
        return self.rules[rule_id]


@cache
def rulebook() -> RuleBook:
    """The shipped rules, validated once per process."""
    return parse_rules(load_data_toml(RULES_FILE))


def parse_rules(raw: dict[str, Any]) -> RuleBook:
    """Validate the parsed TOML; raise ValueError naming every problem at once."""
    errors: list[str] = []
    common = raw.get("chung", {})
    font = common.get("phong_chu")
    page = common.get("kho_giay_mm")
    types = common.get("loai_van_ban")
    undated = common.get("khong_ngay_thang", [])
    if not isinstance(font, str) or not font:
        errors.append("[chung] phong_chu: a font name is required")
    if not _is_range(page):
        errors.append("[chung] kho_giay_mm: [width, height] in mm is required")
    if not isinstance(types, dict) or not all(
        isinstance(k, str) and k == k.upper() and isinstance(v, str) for k, v in types.items()
    ):
        errors.append("[chung] loai_van_ban: a table of CAPS type names to abbreviations")
        types = {}
    if not isinstance(undated, list) or not set(undated) <= set(types):
        errors.append("[chung] khong_ngay_thang: a list of names from loai_van_ban")
        undated = []
    table = raw.get("quy_tac", {})
    for unknown in sorted(set(table) - set(PARAMS)):
        errors.append(f"[quy_tac.{unknown}]: no check implements this rule")
    for missing in sorted(set(PARAMS) - set(table)):
        errors.append(f"[quy_tac.{missing}]: missing; the checker tests it")
    rules: dict[str, Rule] = {}
    for rule_id, entry in table.items():
        if rule_id in PARAMS:
            rule = _parse_rule(rule_id, entry, errors)
            if rule is not None:
                rules[rule_id] = rule
    if errors:
        raise ValueError(f"{RULES_FILE}: " + "; ".join(errors))
    return RuleBook(rules, str(font), (page[0], page[1]), dict(types), tuple(undated))


def _is_range(value: Any) -> bool:
    return (
        isinstance(value, list)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    )


def _parse_rule(rule_id: str, entry: Any, errors: list[str]) -> Rule | None:
    where = f"[quy_tac.{rule_id}]"
    if not isinstance(entry, dict):
        errors.append(f"{where}: must be a table")
        return None
    count = len(errors)
    severity = entry.get("muc")
    if severity not in _SEVERITIES:
        errors.append(f"{where} muc: one of {', '.join(_SEVERITIES)}")
    for key in ("ten", "nguon"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            errors.append(f"{where} {key}: a non-empty text is required")
    kinds = PARAMS[rule_id]
    given = {k: v for k, v in entry.items() if k not in ("muc", "ten", "nguon")}
    for key in sorted(set(given) - set(kinds)):
        errors.append(f"{where} {key}: not read by the check")
    values: dict[str, Any] = {}
    for key, kind in kinds.items():
        if key not in given:
            errors.append(f"{where} {key}: missing ({kind})")
            continue
        value = _value(f"{where} {key}", kind, given[key], errors)
        if kind == "regex" and isinstance(value, re.Pattern):
            absent = _GROUPS.get(rule_id, set()) - set(value.groupindex)
            if absent:
                errors.append(f"{where} {key}: needs the groups {', '.join(sorted(absent))}")
        values[key] = value
    if len(errors) > count:
        return None
    level: Severity = "loi" if severity == "loi" else "canh-bao"
    return Rule(rule_id, level, entry["ten"], entry["nguon"], values)


def _value(where: str, kind: Kind, value: Any, errors: list[str]) -> Any:
    if kind == "range":
        if _is_range(value):
            return value
        errors.append(f"{where}: [min, max] numbers with min <= max")
    elif kind == "number":
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return value
        errors.append(f"{where}: a number >= 0")
    elif kind == "texts":
        if isinstance(value, str):
            value = [value]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return value
        errors.append(f"{where}: a text or a list of texts")
    else:
        try:
            return re.compile(value)
        except (re.error, TypeError) as exc:
            errors.append(f"{where}: not a valid pattern ({exc})")
    return None


def rules_markdown(book: RuleBook) -> str:
    """The table of rule ids documented in docs/nd30-rules.md (built by
    scripts/build_docs.py; a test keeps the two in sync)."""
    lines = [
        "# Quy tắc thể thức mà `hoso check` kiểm tra",
        "",
        "Bảng này được sinh từ `pipeline/data/nd30-rules.toml` bởi",
        "`scripts/build_docs.py`; đừng sửa tay. Mã quy tắc không đổi giữa các phiên bản.",
        "Mức: **lỗi** (mã thoát 1) hoặc cảnh báo. Nguồn: [PL1] Phụ lục I, [PL3] Phụ lục III",
        "Nghị định 30/2020/NĐ-CP.",
        "",
        "| mã | mức | quy tắc | nguồn |",
        "|---|---|---|---|",
    ]
    for rule in book.rules.values():
        level = "**lỗi**" if rule.severity == "loi" else "cảnh báo"
        lines.append(f"| `{rule.id}` | {level} | {rule.title} | {rule.source} |")
    return "\n".join(lines) + "\n"
