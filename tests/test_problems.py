"""The problem catalogue: every code the program raises is explained there, every code
there is raised somewhere, and docs/problems.md is made from it."""

from __future__ import annotations

from pipeline.common.errors import EXIT_ENVIRONMENT, EXIT_INPUT
from pipeline.common.problems import catalogue_markdown, problem_catalogue
from tests.conftest import ROOT
from tests.problem_codes import used_codes


def test_every_code_raised_is_in_the_catalogue_and_every_catalogued_code_is_raised() -> None:
    used = used_codes(ROOT / "pipeline")
    known = problem_catalogue()
    missing = {code: places[0] for code, places in used.items() if code not in known}
    assert missing == {}, "add these codes to pipeline/data/problems.toml"
    assert sorted(set(known) - set(used)) == [], "codes no longer raised: remove them"


def test_the_code_reader_finds_codes_passed_through_helpers() -> None:
    used = used_codes(ROOT / "pipeline")
    # Problem(...) itself, a profile reader's r.problem(key, code, …), a sheet's add(row, code,
    # …), a spreadsheet's ReadProblem(code, …) and a text check's TextProblem(code, …).
    for code in ("khong-co-ho-so", "ky-sai-tham-quyen", "vuot-tong", "co-mat-khau", "ky-tu-an"):
        assert code in used, code
    assert len(used) > 100


def test_each_class_has_its_exit_code() -> None:
    known = problem_catalogue()
    assert known["o-trong"].exit_code == EXIT_INPUT
    assert known["moi-truong"].exit_code == EXIT_ENVIRONMENT
    assert known["de-trong"].exit_code == 0
    assert all(kind.title and kind.hint and kind.group for kind in known.values())


def test_the_documentation_is_current() -> None:
    text = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    assert text == catalogue_markdown(problem_catalogue()), "run scripts/build_problems_doc.py"
    assert "| `vuot-tong` | Lớn hơn số tổng | biểu số liệu | dữ liệu |" in text
