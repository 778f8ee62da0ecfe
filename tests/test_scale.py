"""Scale: what each command imports, a thousand villages, the synthetic dossiers, the roll-up."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from pipeline.check.checker import check_files
from pipeline.cli import cli
from pipeline.common.errors import InputError
from pipeline.files.docxread import iter_paragraphs
from pipeline.model.dossier import Dossier
from pipeline.model.profile import PROFILE_NAME, load_profile
from pipeline.model.scorecard import Scorecard
from pipeline.stages.ingest import ingest, ingest_to
from pipeline.stages.init import profile_text
from pipeline.stages.render import render
from pipeline.stages.rollup import BOOK_NAME, REPORT_NAME, Issuer, roll_up
from pipeline.stages.score import score
from scripts.make_synthetic import KINDS, make_dossier, make_dossiers, one_province
from tests.conftest import DEMO

WORD = ("docx", "docxtpl", "jinja2")


def _modules_after(args: list[str], cwd: Path) -> set[str]:
    """The heavy libraries loaded by running `hoso ARGS` in a fresh interpreter."""
    code = (
        "import json, sys\n"
        "from pipeline.cli import cli\n"
        "try:\n"
        f"    cli({args!r}, prog_name='hoso')\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('docx', 'docxtpl', 'jinja2', 'openpyxl', 'lxml')\n"
        "print(json.dumps([m for m in heavy if m in sys.modules]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [["--help"], ["ingest", "--help"], ["score", "--help"]])
def test_help_loads_no_office_library(args: list[str], tmp_path: Path) -> None:
    assert _modules_after(args, tmp_path) == set()


def test_ingest_never_loads_the_word_libraries(tmp_path: Path) -> None:
    import shutil

    dossier = tmp_path / "ho-so"
    shutil.copytree(DEMO, dossier)
    loaded = _modules_after(["ingest", str(dossier), "--out", str(tmp_path / "out")], tmp_path)
    assert (tmp_path / "out" / "data.json").is_file()  # it did run
    assert not loaded & set(WORD)
    # The demo's workbooks are all plain .xlsx/.xls/.ods: calamine reads them, openpyxl stays out.
    assert "openpyxl" not in loaded


def test_a_build_with_nothing_to_do_loads_no_office_library(tmp_path: Path) -> None:
    import shutil

    from pipeline.stages.build import build

    dossier, out = tmp_path / "ho-so", tmp_path / "out"
    shutil.copytree(DEMO, dossier)
    assert build(Dossier(dossier, out)).stages == ["ingest", "score", "render"]
    loaded = _modules_after(["build", str(dossier), "--out", str(out)], tmp_path)
    assert loaded == set()
    assert build(Dossier(dossier, out)).stages == []  # it was a no-op: nothing had changed
    forced = _modules_after(["build", str(dossier), "--out", str(out), "--force"], tmp_path)
    assert set(WORD) <= forced  # the same command with work to do does load them


def test_render_does_load_them(tmp_path: Path) -> None:
    """The import checks above can fail: rendering does load the Word libraries."""
    loaded = _modules_after(["render", str(DEMO), "--out", str(tmp_path / "out")], tmp_path)
    assert set(WORD) <= loaded


def _villages_profile(folder: Path, villages: list[str]) -> Path:
    text = profile_text(xa="Tân Hòa", tinh="Lạng Sơn", huyen="Cao Lộc", nam=2024, loai="mien_nui")
    listed = "[" + ", ".join(f'"{v}"' for v in villages) + "]"
    text = text.replace("thon = []", f"thon = {listed}", 1)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / PROFILE_NAME).write_text(text, encoding="utf-8")
    return folder


def test_a_thousand_villages_load(tmp_path: Path) -> None:
    names = [f"Bản {i}" for i in range(1, 1001)]
    profile = load_profile(_villages_profile(tmp_path / "a", names), sections=("don_vi",))
    assert len(profile.don_vi.thon) == 1000
    assert profile.don_vi.thon[-1] == "Bản 1000"


def test_a_duplicate_among_a_thousand_villages_is_named(tmp_path: Path) -> None:
    # "Thôn Bản 7" is the village "Bản 7" written with its kind: the same village twice.
    names = [f"Bản {i}" for i in range(1, 1001)] + ["Thôn bản 7"]
    with pytest.raises(InputError) as caught:
        load_profile(_villages_profile(tmp_path / "b", names), sections=("don_vi",))
    found = [p for p in caught.value.problems if p.code == "trung-lap"]
    assert [(p.field, p.message) for p in found] == [
        ("don_vi.thon[1001]", '"Thôn bản 7" trùng với "Bản 7"')
    ]


def test_synthetic_dossiers_ingest_cleanly_and_cover_every_unit_type(tmp_path: Path) -> None:
    made = make_dossiers(tmp_path, len(KINDS), villages=5)
    kinds = set()
    for item in made:
        profile = load_profile(item.folder, sections=("don_vi",))
        unit = profile.don_vi
        kinds.add((unit.nam, unit.cap, unit.huyen is not None, unit.words.cap_tinh))
        result = ingest(Dossier(item.folder))  # raises InputError on any problem
        assert result.data.village_count == 5 == item.villages
        assert not result.warnings
        assert unit.words.don_vi == item.unit
    assert {(n, c) for n, c, _, _ in kinds} == {
        (2024, "xã"), (2024, "phường"), (2024, "thị trấn"),
        (2026, "xã"), (2026, "phường"), (2026, "đặc khu"),
    }  # fmt: skip
    assert {d for _, _, d, _ in kinds} == {True, False}  # with and without a district
    assert {t for *_, t in kinds} == {"tỉnh", "thành phố"}


def test_synthetic_dossiers_are_deterministic(tmp_path: Path) -> None:
    a = make_dossier(tmp_path / "a", 3, seed=7)
    b = make_dossier(tmp_path / "b", 3, seed=7)
    files_a = sorted(p.relative_to(a.folder) for p in a.folder.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b.folder) for p in b.folder.rglob("*") if p.is_file())
    for rel in files_a:
        assert (a.folder / rel).read_bytes() == (b.folder / rel).read_bytes(), rel


@pytest.fixture(scope="module")
def province(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[Path], Path]:
    """Six synthetic communes of Hải Phòng in 2026, ingested, scored and rendered."""
    root = tmp_path_factory.mktemp("tinh")
    made = make_dossiers(root / "ho-so", 6, villages=6, kinds=one_province(2026, "Hải Phòng"))
    outputs = root / "outputs"
    assert {m.fate for m in made} >= {"dat", "duoi-nguong", "tieu-chi-0"}
    assert any(m.adjusted for m in made)
    for item in made:
        out = outputs / item.folder.name
        ingest_to(Dossier(item.folder, out))
        score(Dossier(item.folder, out))
        render(Dossier(item.folder, out))
    return [m.folder for m in made], outputs


def test_rollup_numbers_are_the_scorecards(
    province: tuple[list[Path], Path], tmp_path: Path
) -> None:
    dossiers, outputs = province
    issuer = Issuer(ten="Sở Y tế", chu_quan="Ủy ban nhân dân thành phố Hải Phòng",
                    viet_tat="SYT", nguoi_ky="Nguyễn Văn A", chuc_vu="Giám đốc",
                    noi_nhan=("Ủy ban nhân dân thành phố",))  # fmt: skip
    result = roll_up([Dossier.open(d, outputs=outputs) for d in dossiers], tmp_path, issuer)
    cards = [
        Scorecard.from_json(json.loads((outputs / d.name / "scorecard.json").read_text()))
        for d in dossiers
    ]
    units = [load_profile(d, sections=("don_vi",)).don_vi.words.don_vi for d in dossiers]

    ws = openpyxl.load_workbook(tmp_path / BOOK_NAME)["Tổng hợp"]
    rows = [r for r in ws.iter_rows(min_row=5, values_only=True) if isinstance(r[0], int)]
    assert len(rows) == len(cards) == 6
    for row, card, unit in zip(rows, cards, units, strict=True):
        assert row[1] == unit[0].upper() + unit[1:]  # "Phường Cát Thạnh"
        assert Decimal(row[3]) == card.total
        assert Decimal(row[4]) == card.threshold
        assert row[5] == ("Đạt" if card.recognized else "Chưa đạt")
        assert [Decimal(p) for p in row[6 : 6 + len(card.criteria)]] == [
            c.points for c in card.criteria
        ]
        assert (row[-2] or "") == ", ".join(str(n) for n in card.zero_criteria)
    recognized = sum(c.recognized for c in cards)
    assert 0 < recognized < len(cards)
    assert any(c.zero_criteria for c in cards)
    assert ws._charts == [] and openpyxl.load_workbook(tmp_path / BOOK_NAME)["Biểu đồ"]._charts

    paper = docx.Document(str(tmp_path / REPORT_NAME))
    text = "\n".join(p.text for p in iter_paragraphs(paper))
    rate = f"{100 * recognized / len(cards):.1f}".replace(".", ",").replace(",0", "")
    assert "Số đơn vị đủ điều kiện tổng hợp: 6" in text
    assert f"Số đơn vị đạt tiêu chuẩn phù hợp với trẻ em: {recognized} (" in text
    assert f"chiếm {rate}%" in text
    assert "trên địa bàn thành phố Hải Phòng" in text
    for card, unit in zip(cards, units, strict=True):
        if not card.recognized:
            assert f"- {unit[0].upper() + unit[1:]}: " in text
    report = check_files([tmp_path / REPORT_NAME])
    assert report.problems == []
    assert [f.findings for f in report.files] == [[]]
    assert result.rollup.recognized == recognized


def test_rollup_lists_a_stale_dossier_naming_it(
    province: tuple[list[Path], Path], tmp_path: Path
) -> None:
    dossiers, outputs = province
    copy = tmp_path / dossiers[0].name
    import shutil

    shutil.copytree(dossiers[0], copy)
    shutil.copytree(outputs / dossiers[0].name, tmp_path / "outputs" / copy.name)
    workbook = next((copy / "thon").glob("*.xlsx"))
    book = openpyxl.load_workbook(workbook)
    book["Số liệu"]["D8"] = 999
    book.save(workbook)
    result = roll_up(
        [Dossier.open(copy, outputs=tmp_path / "outputs")], tmp_path / "th", Issuer(nguoi_ky="A")
    )
    assert [e.dossier for e in result.rollup.excluded] == [copy.name]
    assert "cũ hơn hồ sơ" in result.rollup.excluded[0].reason
    assert result.rollup.evaluated == 0


def test_rollup_command(province: tuple[list[Path], Path], tmp_path: Path) -> None:
    dossiers, outputs = province
    (tmp_path / "tong-hop.toml").write_text(
        '[co_quan]\nten = "Sở Y tế"\nviet_tat = "SYT"\n[van_ban]\nso = 15\n'
        'ngay = 2026-12-10\nnguoi_ky = "Trần Văn B"\nchuc_vu = "Giám đốc"\n',
        encoding="utf-8",
    )
    args = [*map(str, dossiers), "--from", str(outputs), "--out", str(tmp_path / "th")]
    result = CliRunner().invoke(
        cli, ["tong-hop", *args, "--ho-so", str(tmp_path / "tong-hop.toml")]
    )
    assert result.exit_code == 0, result.output
    assert "thành phố Hải Phòng: 6 đơn vị đủ điều kiện tổng hợp" in result.output
    text = [p.text for p in iter_paragraphs(docx.Document(str(tmp_path / "th" / REPORT_NAME)))]
    assert "Số: 15/BC-SYT" in text and "Trần Văn B" in text
    assert "Hải Phòng, ngày 10 tháng 12 năm 2026" in text

    missing = CliRunner().invoke(cli, ["tong-hop", *args])
    assert missing.exit_code == 1
    assert "chưa có người ký" in missing.output
