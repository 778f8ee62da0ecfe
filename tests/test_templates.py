"""The shipped templates are what `scripts/build_templates.py` builds, and stay editable."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docxtpl import DocxTemplate

from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.model.documents import catalogue
from pipeline.model.dossier import Dossier
from pipeline.papers.context import VARIABLES
from pipeline.papers.templating import check_templates, flatten, jinja_environment
from scripts import build_templates
from tests.conftest import ROOT

# Parts our builder writes; the rest (theme, fonts table) is python-docx's stock package.
OWN_PARTS = ("word/document.xml", "word/header1.xml", "word/header2.xml")


@pytest.mark.parametrize("name", sorted(build_templates.BUILDERS))
def test_committed_template_matches_its_build_script(name: str) -> None:
    committed = zipfile.ZipFile(ROOT / "templates" / name)
    built = zipfile.ZipFile(io.BytesIO(build_templates.build(name)))
    for part in OWN_PARTS:
        assert committed.read(part) == built.read(part), (
            f"{part} of templates/{name} differs: run python scripts/build_templates.py"
        )


def test_plan_template_shows_its_variables_as_jinja_tags() -> None:
    template = DocxTemplate(str(ROOT / "templates" / "KH-ke-hoach.docx"))
    variables = template.get_undeclared_template_variables(jinja_environment())
    assert variables == {
        "don_vi", "co_quan", "van_ban", "ke_hoach", "tiep_nhan", "cap_tren",
    }  # fmt: skip


def test_readme_lists_every_variable_and_is_up_to_date() -> None:
    committed = (ROOT / "templates" / "README.md").read_text(encoding="utf-8")
    assert committed == build_templates.readme(), "run python scripts/build_templates.py"


def test_every_context_variable_is_documented() -> None:
    paths = set(flatten(build_templates.demo_context()))
    assert paths - set(VARIABLES) == set()
    # Every documented variable exists (a table such as hoi_dong.chu_tich through its fields).
    stale = {
        p for p in VARIABLES if not any(q == p or q.startswith((p + ".", p + "[]")) for q in paths)
    }
    assert stale == set()


def test_export_then_check(runner: CliRunner, dossier: Path) -> None:
    exported = runner.invoke(cli, ["templates", "export", str(dossier)])
    assert exported.exit_code == 0, exported.output
    names = sorted(p.name for p in (dossier / "templates").iterdir())
    assert names == sorted(d.file for d in catalogue().values())
    again = runner.invoke(cli, ["templates", "export", str(dossier)])
    assert again.exit_code == 1
    assert again.output.count("đã có mẫu riêng, không ghi đè") == 5
    checked = runner.invoke(cli, ["templates", "check", str(dossier)])
    assert checked.exit_code == 0, checked.output
    assert checked.output.count("Đúng: ") == 5


def _own_template(dossier: Path, name: str, *lines: str) -> Path:
    doc = docx.Document()
    for line in lines:
        doc.add_paragraph(line)
    folder = dossier / "templates"
    folder.mkdir(exist_ok=True)
    doc.save(str(folder / name))
    return folder / name


def test_check_reports_every_bad_tag_with_its_template(dossier: Path) -> None:
    kh = _own_template(
        dossier,
        "KH-ke-hoach.docx",
        "{{ don_vi.tenxa }} và {{ don_vi.xa|in_thuong }}",
        "{%p for tv in hoi_dong.thanh_vien %}",
        "{{ tv.ho_tenn }} {{ tv.ho_ten }} {{ loop.index }}",
        "{%p endfor %}",
        "{% for noi in ['Như trên'] + van_ban.noi_nhan %}{{ noi }}{% endfor %}",
    )
    bb = _own_template(dossier, "BB-hop-hoi-dong.docx", "{% if bang_diem.dat %}")
    with pytest.raises(InputError) as info:
        check_templates(dossier)
    found = [(p.file, p.code, p.field) for p in info.value.problems]
    assert found == [
        (str(kh), "bien-khong-co", "don_vi.tenxa"),
        (str(kh), "bien-khong-co", "hoi_dong.thanh_vien[].ho_tenn"),
        (str(kh), "bo-loc-khong-co", None),
        (str(bb), "cu-phap-mau", None),
    ]
    assert "in_thuong" in info.value.problems[2].message


def test_a_file_that_is_not_a_word_document(dossier: Path) -> None:
    folder = dossier / "templates"
    folder.mkdir()
    (folder / "BC-ket-qua-danh-gia.docx").write_text("not a zip")
    with pytest.raises(InputError) as info:
        check_templates(dossier)
    assert [p.code for p in info.value.problems] == ["mau-hong"]


def test_a_clean_template_is_checked_once_per_version_of_the_checker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.files import cache
    from pipeline.files.resources import shipped_template
    from pipeline.papers import templating
    from pipeline.papers.template_source import TemplateSource

    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    monkeypatch.setattr(templating, "_CHECKED", templating._Memo())
    shipped = shipped_template("KH-ke-hoach.docx").read_bytes()
    clean = TemplateSource("KH-ke-hoach.docx", "mẫu có sẵn KH-ke-hoach.docx", shipped)
    assert templating.check_template(clean) == []
    marks = list((tmp_path / "cache" / "mau").iterdir())
    assert len(marks) == 1
    # A new process (an empty memo) trusts the mark and does not open the template.
    monkeypatch.setattr(templating, "_CHECKED", templating._Memo())
    monkeypatch.setattr(templating, "_check_template", lambda template: pytest.fail("re-checked"))
    assert templating.check_template(clean) == []
    # A changed template, or one with problems, is always checked; problems are never cached.
    broken = TemplateSource("KH-ke-hoach.docx", "templates/KH-ke-hoach.docx", b"not a zip")
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    assert [p.code for p in templating.check_template(broken)] == ["mau-hong"]
    assert [p.code for p in templating.check_template(broken)] == ["mau-hong"]
    assert len(list((tmp_path / "cache" / "mau").iterdir())) == 1


def test_a_cold_process_reuses_the_compiled_template_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.files import cache
    from pipeline.papers import templating
    from pipeline.papers.sandbox import BoundedEnvironment
    from pipeline.stages.render import render

    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    monkeypatch.setattr(templating, "_COMPILED", templating._Memo())
    first = tmp_path / "first"
    render(Dossier(ROOT / "inputs" / "le-chan-2026", first))
    stored = list((tmp_path / "cache" / "jinja").iterdir())
    assert stored, "the compiled sources are kept on disk"
    # A new process (an empty memo) compiles nothing: every source comes from the cache,
    # and the papers are the same bytes.
    monkeypatch.setattr(templating, "_COMPILED", templating._Memo())

    def no_compile(self: object, source: object, *args: object, **kwargs: object) -> object:
        if args or kwargs or not isinstance(source, str):
            return BoundedEnvironment.__mro__[1].compile(self, source, *args, **kwargs)  # type: ignore[attr-defined]
        pytest.fail("compiled again")

    monkeypatch.setattr(BoundedEnvironment, "compile", no_compile)
    second = tmp_path / "second"
    render(Dossier(ROOT / "inputs" / "le-chan-2026", second))
    for paper in first.glob("*.docx"):
        assert (second / paper.name).read_bytes() == paper.read_bytes()
    # A damaged entry is compiled again, never trusted.
    for entry in stored:
        entry.write_bytes(b"garbage")
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    monkeypatch.setattr(templating, "_COMPILED", templating._Memo())
    third = tmp_path / "third"
    render(Dossier(ROOT / "inputs" / "le-chan-2026", third))
    assert sorted(p.name for p in third.glob("*.docx")) == sorted(
        p.name for p in first.glob("*.docx")
    )
