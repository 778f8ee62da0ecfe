"""The problem catalogue: every code the program raises is explained there, every code
there is raised somewhere, each call of `Problem.of` passes what its code's template needs,
and docs/problems.md is made from it."""

from __future__ import annotations

import string
from collections import defaultdict

import pytest

from pipeline.common.errors import EXIT_ENVIRONMENT, EXIT_INPUT, Problem
from pipeline.common.problems import CatalogueError, catalogue_markdown, problem_catalogue
from tests.conftest import ROOT
from tests.problem_codes import CatalogueCall, catalogue_calls, used_codes

# Codes some call site still words itself: a Problem built field by field from a literal
# code and its own message, or a helper that takes a code and a message. None is left (each
# code's sentences are in the catalogue); a code listed here is allowed to be worded by hand
# until converted, and the test below fails when a listing is missing or out of date.
UNCONVERTED: set[str] = set()

_LOCATION = {"file", "sheet", "cell", "field", "value"}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


class _Any:
    """A stand-in value that takes any format spec (`{n:02d}`, `{x!r}`)."""

    def __format__(self, spec: str) -> str:
        return "x"

    def __repr__(self) -> str:
        return "x"


def _calls() -> tuple[CatalogueCall, ...]:
    return catalogue_calls(ROOT / "pipeline")


def test_every_code_raised_is_in_the_catalogue_and_every_catalogued_code_is_raised() -> None:
    used = used_codes(ROOT / "pipeline")
    known = problem_catalogue()
    missing = {code: places[0] for code, places in used.items() if code not in known}
    assert missing == {}, "add these codes to pipeline/data/problems.toml"
    assert sorted(set(known) - set(used)) == [], "codes no longer raised: remove them"


def test_the_code_reader_finds_codes_passed_through_helpers() -> None:
    used = used_codes(ROOT / "pipeline")
    # Problem.of(code, …), through a module constant too (NOT_RECEIVED = "chua-nhan"), and
    # inside what hands the Problem on: a reader's r.problem(key, Problem.of(…)), a sheet's
    # add(row, …), a ReadProblem, a TextProblem.
    for code in ("khong-co-ho-so", "ky-sai-tham-quyen", "vuot-tong", "co-mat-khau", "ky-tu-an"):
        assert code in used, code
    assert len(used) > 100
    of = {call.code for call in _calls()}
    assert {"thieu-thu-muc", "chua-nhan", "ky-tu-an", "co-mat-khau", "vuot-tong"} <= of, of
    assert of <= set(used)


def test_every_call_passes_the_fields_its_template_and_hint_name() -> None:
    known = problem_catalogue()
    wrong = []
    for call in _calls():
        kind = known.get(call.code)
        if kind is None:
            wrong.append(f"{call.place}: {call.code} is not in the catalogue")
            continue
        if call.variant is None and set(kind.templates) != {""}:
            wrong.append(
                f"{call.place}: {call.code} needs variant= one of {sorted(kind.templates)}"
            )
            continue
        if call.variant not in (None, *kind.templates) or not kind.templates:
            wrong.append(f"{call.place}: {call.code} has no template {call.variant!r}")
            continue
        assert call.names is not None, f"{call.place}: pass fields by name, not **mapping"
        template = kind.template(call.variant)
        needed = _fields(template)
        if "hint" not in call.names:
            needed |= _fields(kind.hint)
        given = call.names - {"hint", "severity"}
        if needed - given:
            wrong.append(f"{call.place}: {call.code} needs {sorted(needed - given)}")
        if given - needed - _LOCATION:
            wrong.append(f"{call.place}: {call.code} does not use {sorted(given - needed)}")
        # and the template formats (conversions and format specs are well formed).
        template.format(**{name: _Any() for name in needed})
    assert wrong == []


def test_every_template_is_used_and_every_worded_code_comes_from_the_catalogue() -> None:
    known = problem_catalogue()
    variants: dict[str, set[str]] = defaultdict(set)
    for call in _calls():
        variants[call.code].add(call.variant or "")
    unused = {
        code: sorted(set(kind.templates) - variants[code])
        for code, kind in known.items()
        if set(kind.templates) - variants[code]
    }
    assert unused == {}, "templates no call uses: remove them"
    by_of = {call.place for call in _calls()}
    by_hand = {
        code
        for code, places in used_codes(ROOT / "pipeline").items()
        if any(place not in by_of for place in places)
    }
    assert sorted(by_hand - UNCONVERTED) == [], "word these codes with Problem.of"
    assert sorted(UNCONVERTED - by_hand) == [], "converted: remove them from UNCONVERTED"
    untemplated = sorted(code for code, kind in known.items() if not kind.templates)
    assert set(untemplated) <= UNCONVERTED


def test_every_hint_is_a_template() -> None:
    for kind in problem_catalogue().values():
        kind.hint.format(**{name: _Any() for name in _fields(kind.hint)})
        for template in kind.templates.values():
            template.format(**{name: _Any() for name in _fields(template)})


def test_a_problem_is_worded_by_its_code() -> None:
    made = Problem.of("co-macro", file="xa.xlsm")
    assert str(made) == (
        "xa.xlsm: biểu có macro (đoạn lệnh tự chạy): không nhận, để giữ an toàn cho máy — mở "
        "biểu bằng Excel, chọn Lưu thành › «Excel Workbook (*.xlsx)» (không chọn loại có "
        "macro) rồi tải lên bản vừa lưu."
    )
    assert made.severity == "loi"
    # The call's own hint, or none.
    assert Problem.of("co-macro", hint="khác.").hint == "khác."
    assert Problem.of("co-macro", hint=None).hint is None
    # A warning code is a warning, unless the call says otherwise.
    warned = Problem.of("de-trong", file="hoso.toml", field="van_ban.x", name="Tờ trình")
    assert (warned.severity, warned.hint) == (
        "canh-bao",
        "viết nội dung vào van_ban.x trong hoso.toml rồi chạy lại hoso render.",
    )
    assert Problem.of("de-trong", field="k", name="n", severity="loi").severity == "loi"
    # Fields and variants.
    said = Problem.of("tep-qua-lon", variant="toi-da", max_mb=20, hint=None).message
    assert said == "tệp lớn hơn 20 MB"
    said = Problem.of("ten-thu-muc", folder="Tân Phú", hint=None).message
    assert said == '"Tân Phú" không dùng được làm tên thư mục'
    assert Problem.of("khong-hop-le", variant="nam", hint=None).message == "năm không hợp lệ"


def test_a_wrong_call_is_a_bug_not_a_message() -> None:
    with pytest.raises(KeyError):
        Problem.of("khong-co-ma-nay")
    with pytest.raises(KeyError):  # a field the template names is missing
        Problem.of("ten-thu-muc", hint=None)
    with pytest.raises(CatalogueError):
        Problem.of("khong-hop-le", variant="khong-co", hint=None)
    with pytest.raises(CatalogueError):  # a code said in several sentences needs its variant
        Problem.of("khong-hop-le", hint=None)


def test_each_class_has_its_exit_code() -> None:
    known = problem_catalogue()
    assert known["o-trong"].exit_code == EXIT_INPUT
    assert known["moi-truong"].exit_code == EXIT_ENVIRONMENT
    assert known["de-trong"].exit_code == 0
    assert all(kind.title and kind.hint and kind.group for kind in known.values())


def test_the_documentation_is_current() -> None:
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown(problem_catalogue()), "run scripts/build_docs.py"
    assert "| `vuot-tong` | Lớn hơn số tổng | biểu số liệu | dữ liệu |" in text
    assert (
        "| `ten-thu-muc` | Tên thư mục không dùng được | trang web | dữ liệu "
        '| "{folder}" không dùng được làm tên thư mục |' in text
    )
