"""Render leaves in place a paper that would come out the same, and only such a paper."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import pytest

from pipeline.files import cache
from pipeline.model.dossier import Dossier
from pipeline.papers import readback, templating
from pipeline.papers.template_source import TemplateSource, find_template
from pipeline.papers.templating import export_templates
from pipeline.papers.unchanged import paper_key
from pipeline.stages import freshness
from pipeline.stages.freshness import RENDER
from pipeline.stages.ingest import ingest_to
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import PAPERS
from tests.helpers import edit

KH, QD, BB, BC, TTr = PAPERS
FIGURE = "tre_em_duoi_16"  # printed by the report only


def _build(dossier: Path, out: Path) -> None:
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))


def _stamps(out: Path) -> dict[str, tuple[int, int]]:
    """Each paper's inode and modification time: a rewrite (a file renamed into place)
    changes both."""
    return {name: ((s := (out / name).stat()).st_ino, s.st_mtime_ns) for name in PAPERS}


def _correct_a_figure(dossier: Path, value: int) -> None:
    edit(sorted((dossier / "thon").glob("*.xlsx"))[0], {FIGURE: value})


def test_a_correction_rewrites_only_the_papers_that_print_the_figure(
    dossier: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    _build(dossier, out)
    before = _stamps(out)
    _correct_a_figure(dossier, 321)
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    result = render(Dossier(dossier, out))
    after = _stamps(out)
    assert [p.name for p in result.written] == list(PAPERS)  # as the clerk is told
    assert [name for name in PAPERS if after[name] != before[name]] == [BC]
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []
    assert freshness.hand_edited(Dossier(dossier, out)) == []
    # The record and every paper are what a render from scratch of the same inputs gives.
    fresh = tmp_path / "fresh"
    _build(dossier, fresh)
    for name in [*PAPERS, freshness.PAPERS_NAME]:
        assert (out / name).read_bytes() == (fresh / name).read_bytes(), name


def test_a_paper_edited_by_hand_is_rendered_again(dossier: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    _build(dossier, out)
    written = (out / KH).read_bytes()
    (out / KH).write_bytes(b"edited in Word")
    assert freshness.hand_edited(Dossier(dossier, out)) == [KH]
    render(Dossier(dossier, out))
    assert (out / KH).read_bytes() == written
    assert freshness.hand_edited(Dossier(dossier, out)) == []
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []


def test_without_the_cache_every_paper_is_rendered_again(
    dossier: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    _build(dossier, out)
    before = _stamps(out)
    monkeypatch.setenv(cache.CACHE_SETTING, "")
    render(Dossier(dossier, out))
    after = _stamps(out)
    assert all(after[name] != before[name] for name in PAPERS)
    assert freshness.stale(RENDER, Dossier(dossier, out)) == []


def _reading(template: bytes, extra: str) -> bytes:
    """The template with `extra` appended to its first `{{ don_vi.xa }}`."""
    source = zipfile.ZipFile(io.BytesIO(template))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = data.decode("utf-8")
                assert "{{ don_vi.xa }}" in text
                data = text.replace("{{ don_vi.xa }}", "{{ don_vi.xa }}" + extra, 1).encode()
            archive.writestr(item, data)
    return target.getvalue()


def test_a_paper_whose_template_reads_the_corrected_figure_is_rewritten(
    dossier: Path, tmp_path: Path
) -> None:
    # The plan's record names no figures, but its own template prints one: what decides is
    # what the template reads, not what the record names.
    export_templates(dossier)
    plan = dossier / "templates" / KH
    plan.write_bytes(_reading(plan.read_bytes(), " ({{ bang_diem.tre_em_duoi_16 }})"))
    out = tmp_path / "out"
    _build(dossier, out)
    before = _stamps(out)
    _correct_a_figure(dossier, 4321)
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    after = _stamps(out)
    assert [name for name in PAPERS if after[name] != before[name]] == [KH, BC]
    fresh = tmp_path / "fresh"
    _build(dossier, fresh)
    assert (out / KH).read_bytes() == (fresh / KH).read_bytes()


def test_what_a_template_reads(dossier: Path, tmp_path: Path) -> None:
    report = find_template(None, BC)
    reads = templating.template_reads(report)
    assert reads is not None
    assert "bang_diem.tre_em_duoi_16" in reads
    assert "bang_diem.tieu_chi[].ten" in reads
    assert not any(path.startswith("hoi_dong") for path in reads)
    # Unreadable: it may read anything.
    assert templating.template_reads(TemplateSource(BC, "x", b"not a zip")) is None


def test_the_paper_key_follows_only_what_the_template_reads() -> None:
    template = TemplateSource(BC, "x", b"template")
    context = {"a": {"b": 1, "c": [{"d": 1}]}, "e": 2}
    reads = ("a.b", "a.c", "a.c[].d")
    key = paper_key(template, reads, context, {})
    assert paper_key(template, reads, {**context, "e": 3}, {}) == key
    assert paper_key(template, reads, {**context, "a": {"b": 2, "c": [{"d": 1}]}}, {}) != key
    # A loop item's field stands for the whole list.
    assert paper_key(template, reads, {**context, "a": {"b": 1, "c": [{"d": 2}]}}, {}) != key
    # A name the mapping lacks (a method, a key absent) stands for the whole mapping.
    methods = ("a.items",)
    key = paper_key(template, methods, context, {})
    assert paper_key(template, methods, {**context, "a": {"b": 1, "c": []}}, {}) != key
    # Values of another type are other values; the whole context when reads are unknown.
    assert paper_key(template, reads, {**context, "a": {"b": "1", "c": [{"d": 1}]}}, {}) != (
        paper_key(template, reads, context, {})
    )
    assert paper_key(template, None, {**context, "e": 3}, {}) != paper_key(
        template, None, context, {}
    )
    assert paper_key(template, reads, context, {"title": "y"}) != paper_key(
        template, reads, context, {}
    )
    other = TemplateSource(BC, "x", b"other template")
    assert paper_key(other, reads, context, {}) != paper_key(template, reads, context, {})


def test_a_cold_process_does_not_open_an_unchanged_template_to_read_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    data = find_template(None, BB).data
    readback.expected_paragraphs.cache_clear()
    first = readback.expected_paragraphs(data)
    assert first.count > 0 and first.fixed
    readback.expected_paragraphs.cache_clear()

    def no_open(template_data: bytes) -> readback.Expected:
        raise AssertionError("opened again")

    monkeypatch.setattr(readback, "_expected_paragraphs", no_open)
    assert readback.expected_paragraphs(data) == first
    # Another template is read.
    readback.expected_paragraphs.cache_clear()
    with pytest.raises(AssertionError, match="opened again"):
        readback.expected_paragraphs(find_template(None, KH).data)
    # A damaged entry is read again, never trusted.
    for entry in (tmp_path / "cache" / "in-san").iterdir():
        entry.write_text("{not json")
    readback.expected_paragraphs.cache_clear()
    monkeypatch.undo()
    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    assert readback.expected_paragraphs(data) == first
    readback.expected_paragraphs.cache_clear()
    shutil.rmtree(tmp_path / "cache")


def test_the_defaults_of_other_units_are_worked_out_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.stages import init

    monkeypatch.setenv(cache.CACHE_SETTING, str(tmp_path / "cache"))
    computed = init._others_now("phường", "tổ dân phố", 2026)
    assert init._others("phường", "tổ dân phố", 2026) == computed
    assert computed  # another kind of unit has defaults this one lacks

    def again(cap: str, cap_thon: str, year: int) -> dict[str, dict[str, str]]:
        raise AssertionError("worked out again")

    monkeypatch.setattr(init, "_others_now", again)
    assert init._others("phường", "tổ dân phố", 2026) == computed
    with pytest.raises(AssertionError, match="worked out again"):
        init._others("xã", "thôn", 2026)  # other kinds
    for entry in (tmp_path / "cache" / "mac-dinh").iterdir():
        entry.write_text("[1, 2")  # damaged: never trusted
    with pytest.raises(AssertionError, match="worked out again"):
        init._others("phường", "tổ dân phố", 2026)
