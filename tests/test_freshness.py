"""Freshness: every stage refuses inputs changed since the earlier stage read them, naming
the file and the command; `stale()` says what `hoso build` would have to re-run."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.model.dossier import Dossier
from pipeline.model.rules import shipped_path
from pipeline.papers.templating import export_templates
from pipeline.stages import freshness
from pipeline.stages.freshness import INGEST, RENDER, SCORE, Change
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import PAPERS
from tests.helpers import as_if_written, edit

SHIPPED = Path(__file__).resolve().parent.parent / "templates"


def _pipeline(dossier: Path, out: Path) -> None:
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _replace(path: Path, old: str, new: str) -> None:
    """Replace `old` where it starts a line (comments may quote the same text)."""
    text = path.read_text(encoding="utf-8")
    text, count = re.subn("^" + re.escape(old), lambda _: new, text, count=1, flags=re.M)
    assert count == 1, old
    path.write_text(text, encoding="utf-8")


def _own_rules(dossier: Path) -> Path:
    rules = dossier / "bo-tieu-chi.toml"
    shutil.copyfile(shipped_path(), rules)
    _replace(
        dossier / "hoso.toml",
        '# [danh_gia]\n# bo_tieu_chi = "bo-tieu-chi.toml"',
        '[danh_gia]\nbo_tieu_chi = "bo-tieu-chi.toml"',
    )
    return rules


# Each damage is done after a full ingest -> score -> render, without re-running any stage;
# it returns what render must name, and the command it must tell the clerk to run.
Damage = Callable[[Path, Path], tuple[str, str]]


def _workbook_edited(dossier: Path, out: Path) -> tuple[str, str]:
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    return "thon/na-cay.xlsx đã sửa", "hoso ingest"


def _workbook_deleted(dossier: Path, out: Path) -> tuple[str, str]:
    (dossier / "thon" / "na-ri.xlsx").unlink()
    return "thon/na-ri.xlsx đã xóa", "hoso ingest"


def _workbook_added(dossier: Path, out: Path) -> tuple[str, str]:
    shutil.copyfile(dossier / "thon" / "po-ma.xlsx", dossier / "thon" / "po-ma (2).xlsx")
    return "thon/po-ma (2).xlsx mới thêm", "hoso ingest"


def _commune_renamed(dossier: Path, out: Path) -> tuple[str, str]:
    _replace(dossier / "hoso.toml", 'xa = "Bình Trung"', 'xa = "Bình Trung Mới"')
    return "hoso.toml › don_vi.xa đã sửa", "hoso ingest"


def _village_list_changed(dossier: Path, out: Path) -> tuple[str, str]:
    _replace(dossier / "hoso.toml", '    "Nà Cáy", ', "    ")
    return "hoso.toml › don_vi.thon đã sửa", "hoso ingest"


def _unit_type_changed(dossier: Path, out: Path) -> tuple[str, str]:
    _replace(dossier / "hoso.toml", 'loai = "mien_nui"', 'loai = "con_lai"')
    return "hoso.toml › don_vi.loai đã sửa", "hoso score"


def _override_added(dossier: Path, out: Path) -> tuple[str, str]:
    profile = dossier / "hoso.toml"
    with profile.open("a", encoding="utf-8") as f:
        f.write('\n[[dieu_chinh]]\nmuc = "2.1"\ndiem = 50\nly_do = "Đã xác minh."\n')
    return "hoso.toml › dieu_chinh đã sửa", "hoso score"


def _rule_set_switched(dossier: Path, out: Path) -> tuple[str, str]:
    _own_rules(dossier)
    return "bo-tieu-chi.toml mới thêm", "hoso score"


def _data_reingested(dossier: Path, out: Path) -> tuple[str, str]:
    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    ingest_to(Dossier(dossier, out))
    return "data.json đã sửa", "hoso score"


def _program_changed(dossier: Path, out: Path) -> tuple[str, str]:
    path = out / "scorecard.json"
    card = json.loads(path.read_text(encoding="utf-8"))
    card["hoso_version"] = "0.0.1"
    as_if_written(out, freshness.SCORE, path.name, json.dumps(card).encode("utf-8"))
    return "phiên bản hoso đã đổi", "hoso score"


@pytest.mark.parametrize(
    "damage",
    [
        _workbook_edited,
        _workbook_deleted,
        _workbook_added,
        _commune_renamed,
        _village_list_changed,
        _unit_type_changed,
        _override_added,
        _rule_set_switched,
        _data_reingested,
        _program_changed,
    ],
)
def test_render_refuses_a_changed_input_naming_it_and_the_command(
    runner: CliRunner, dossier: Path, tmp_path: Path, damage: Damage
) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    issued = _outputs(out)
    named, command = damage(dossier, out)
    issued = _outputs(out)  # a damage may rewrite data.json, as a real ingest would
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert named in result.output
    assert f"`{command} {dossier}`" in result.output
    assert "Có 1 lỗi cần sửa; chưa ghi tệp nào." in result.output
    assert _outputs(out) == issued


def test_a_changed_rule_set_is_named(runner: CliRunner, dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    rules = _own_rules(dossier)
    _pipeline(dossier, out)
    _replace(rules, "mien_nui = 800", "mien_nui = 990")
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 1
    assert "scorecard.json: bảng điểm cũ, hồ sơ đã thay đổi sau lần chấm điểm: " in result.output
    assert "bo-tieu-chi.toml đã sửa" in result.output
    assert f"chạy lại `hoso score {dossier}`" in result.output


def test_score_refuses_data_older_than_the_workbooks(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    ingest_to(Dossier(dossier, out))
    (dossier / "thon" / "na-ri.xlsx").unlink()
    _replace(dossier / "hoso.toml", 'xa = "Bình Trung"', 'xa = "Bình Trung Mới"')
    result = runner.invoke(cli, ["score", str(dossier), "--out", str(out)])
    assert result.exit_code == 1
    assert (
        "data.json: số liệu đã nhập cũ hơn hồ sơ: thon/na-ri.xlsx đã xóa; "
        "hoso.toml › don_vi.xa đã sửa — "
        f"chạy lại `hoso ingest {dossier}` (cùng --out nếu có), rồi hoso score."
    ) in result.output
    assert not (out / "scorecard.json").exists()


def test_a_change_only_render_reads_needs_no_earlier_stage(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    before = _outputs(out)
    # The plan's number: printed on one paper, read by neither ingest nor score.
    _replace(dossier / "hoso.toml", 'so = ""', "so = 77")
    assert freshness.stale(INGEST, Dossier(dossier, out)) == []
    assert freshness.stale(SCORE, Dossier(dossier, out)) == []
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [Change("hoso.toml", "changed")]
    result = render(Dossier(dossier, out))
    assert len(result.written) == 5
    after = _outputs(out)
    assert after["KH-ke-hoach.docx"] != before["KH-ke-hoach.docx"]
    assert after["data.json"] == before["data.json"]
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []


def test_stale_lists_changes_stage_by_stage(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert freshness.stale(INGEST, Dossier(dossier, out)) == [Change("data.json", "missing")]
    assert freshness.stale(SCORE, Dossier(dossier, out)) == [Change("scorecard.json", "missing")]
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [Change("papers.json", "missing")]
    _pipeline(dossier, out)
    for stage in (INGEST, SCORE, RENDER):
        assert freshness.stale(stage, Dossier(dossier, out)) == [], stage

    edit(dossier / "thon" / "na-cay.xlsx", {"duoi_1_tiem_du": 0})
    (dossier / "thon" / "na-ri.xlsx").unlink()
    assert freshness.stale(INGEST, Dossier(dossier, out)) == [
        Change("thon/na-cay.xlsx", "changed"),
        Change("thon/na-ri.xlsx", "deleted"),
    ]
    # Score and render read data.json, which has not changed yet: build runs ingest first.
    assert freshness.stale(SCORE, Dossier(dossier, out)) == []
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []


def test_render_records_what_each_paper_was_made_from(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    manifest = json.loads((out / "papers.json").read_text(encoding="utf-8"))
    assert sorted(manifest["papers"]) == sorted(PAPERS)
    digest = freshness.sha256
    profile = digest((dossier / "hoso.toml").read_bytes())
    for name, entry in manifest["papers"].items():
        assert entry["sha256"] == digest((out / name).read_bytes())
        inputs = {i["file"]: i["sha256"] for i in entry["inputs"]}
        template = (SHIPPED / name).read_bytes()
        expected = {"hoso.toml": profile, f"hoso:templates/{name}": digest(template)}
        if name not in ("KH-ke-hoach.docx", "QD-thanh-lap-hoi-dong.docx"):
            expected["scorecard.json"] = digest((out / "scorecard.json").read_bytes())
            expected["data.json"] = digest((out / "data.json").read_bytes())
        assert inputs == expected, name
    card = json.loads((out / "scorecard.json").read_text(encoding="utf-8"))
    assert {i["file"] for i in card["inputs"]} == {"data.json", "hoso:qd06-2019.toml"}
    # The keys score reads that the demo sets (it leaves don_vi.cap_thon to its default).
    assert sorted(card["profile_keys"]) == [
        "co_quan.dia_danh",
        "dieu_chinh",
        "don_vi.cap",
        "don_vi.huyen",
        "don_vi.loai",
        "don_vi.nam",
        "don_vi.tinh",
        "don_vi.xa",
        "hoi_dong",
        "hop_hoi_dong.bat_dau",
        "lanh_dao",
    ]
    assert card["inputs_digest"]  # the contract's key stays
    data = json.loads((out / "data.json").read_text(encoding="utf-8"))
    assert sorted(data["profile_keys"]) == ["don_vi.cap", "don_vi.nam", "don_vi.thon", "don_vi.xa"]


def test_a_template_change_is_stale_and_render_applies_it(dossier: Path, tmp_path: Path) -> None:
    # Render is the stage that reads templates, so it does not refuse one: it re-reads it.
    out = tmp_path / "out"
    _pipeline(dossier, out)
    export_templates(dossier)
    shutil.copyfile(
        dossier / "templates" / "KH-ke-hoach.docx",
        dossier / "templates" / "BC-ket-qua-danh-gia.docx",
    )
    for name in PAPERS:
        if name != "BC-ket-qua-danh-gia.docx":
            (dossier / "templates" / name).unlink()
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [
        Change("templates/BC-ket-qua-danh-gia.docx", "added"),
        Change("hoso:templates/BC-ket-qua-danh-gia.docx", "deleted"),
    ]
    before = (out / "BC-ket-qua-danh-gia.docx").read_bytes()
    render(Dossier(dossier, out))
    assert (out / "BC-ket-qua-danh-gia.docx").read_bytes() != before
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []
    shutil.copyfile(
        SHIPPED / "BB-hop-hoi-dong.docx", dossier / "templates" / "BC-ket-qua-danh-gia.docx"
    )
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [
        Change("templates/BC-ket-qua-danh-gia.docx", "changed")
    ]


def test_a_paper_edited_by_hand_is_stale(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    (out / "QD-thanh-lap-hoi-dong.docx").write_bytes(b"edited")
    (out / "KH-ke-hoach.docx").unlink()
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [
        Change("KH-ke-hoach.docx", "missing"),
        Change("QD-thanh-lap-hoi-dong.docx", "changed"),
    ]


def test_papers_whose_scorecard_is_gone_are_removed(
    runner: CliRunner, dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    (out / "scorecard.json").unlink()
    result = runner.invoke(cli, ["render", str(dossier), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in PAPERS[2:]:
        assert f"Đã xóa {out / name} của lần lập trước: không còn đúng với hồ sơ hiện tại." in (
            result.output
        )
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(PAPERS[:2])
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []


def test_a_partial_render_keeps_only_current_papers(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _pipeline(dossier, out)
    before = _outputs(out)
    export_templates(dossier)
    for name in PAPERS:
        if name != "BC-ket-qua-danh-gia.docx":
            (dossier / "templates" / name).unlink()
    result = render(Dossier(dossier, out), codes=["KH"])
    assert result.written == [out / "KH-ke-hoach.docx"]
    # BC's template changed since it was written: it goes; the others are still current.
    assert result.outdated == [out / "BC-ket-qua-danh-gia.docx"]
    after = _outputs(out)
    assert "BC-ket-qua-danh-gia.docx" not in after
    for name in (
        "QD-thanh-lap-hoi-dong.docx",
        "BB-hop-hoi-dong.docx",
        "TTr-de-nghi-cong-nhan.docx",
    ):
        assert after[name] == before[name]
    assert freshness.stale(RENDER, Dossier(dossier, out)) == [
        Change("BC-ket-qua-danh-gia.docx", "missing")
    ]
