"""Digital signatures of Decree 30 on the demo dossier's real PDF/A papers (LibreOffice):
signed with keys of a CA made here, checked with pyHanko and poppler's pdfsig, placed from
the PDF's text positions, and caught when one byte changes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.model.dossier import Dossier
from pipeline.sign import places, signing
from pipeline.sign.images import MM
from pipeline.sign.verify import check_pdf
from pipeline.stages.ingest import ingest_to
from pipeline.stages.pdf import pdf_dossier
from pipeline.stages.render import render
from pipeline.stages.score import score
from tests.conftest import DEMO
from tests.helpers import poppler, soffice
from tests.sign_helpers import (
    PASSWORD,
    SampleCA,
    make_ca,
    make_p12,
    pdfsig,
    seal_png,
    signature_png,
)


@dataclass(frozen=True)
class Made:
    dossier: Path
    out: Path
    ca: SampleCA
    ca_pem: Path


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    """The demo dossier with its PDF/A papers, and a CA with keys for its signers."""
    soffice()
    tmp = tmp_path_factory.mktemp("sign")
    dossier = tmp / DEMO.name
    shutil.copytree(DEMO, dossier)
    out = tmp / "out"
    ingest_to(Dossier(dossier, out))
    score(Dossier(dossier, out))
    render(Dossier(dossier, out))
    pdf_dossier(Dossier(dossier, out))
    ca = make_ca()
    keys = dossier / "khoa"
    keys.mkdir()
    for role, who in [
        ("chu_tich", "Nông Văn Hùng"),
        ("pho_chu_tich", "Hà Nam Nhiệm"),
        ("thu_ky", "Hoàng Thị Lan"),
        ("co_quan", "UBND xã Bình Trung (thử)"),
    ]:
        make_p12(keys / f"{role}.p12", ca, who)
    signature_png(keys / "chu-ky.png")
    seal_png(keys / "dau.png")
    return Made(dossier, out, ca, ca.pem(tmp / "ca.pem"))


KY_SO = """
[ky_so]
anh_dau = "khoa/dau.png"
dau_mm = 36

[ky_so.co_quan]
tep = "khoa/co_quan.p12"

[ky_so.chu_tich]
tep = "khoa/chu_tich.p12"
anh_chu_ky = "khoa/chu-ky.png"

[ky_so.pho_chu_tich]
tep = "khoa/pho_chu_tich.p12"
anh_chu_ky = "khoa/chu-ky.png"

[ky_so.thu_ky]
tep = "khoa/thu_ky.p12"
anh_chu_ky = "khoa/chu-ky.png"
"""


def signed_copy(made: Made, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the dossier and its outputs, with [ky_so] in its profile."""
    dossier, out = tmp_path / made.dossier.name, tmp_path / "out"
    shutil.copytree(made.dossier, dossier)
    shutil.copytree(made.out, out)
    profile = dossier / "hoso.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + KY_SO, encoding="utf-8")
    return dossier, out


def ky(dossier: Path, out: Path, secret: str = PASSWORD) -> str:
    # One password per key the run opens (chu_tich, pho_chu_tich, thu_ky): typed, never stored.
    result = CliRunner().invoke(
        cli, ["ky", str(dossier), "--out", str(out)], input=f"{secret}\n" * 3
    )
    assert result.exit_code == 0, result.output
    return result.output


# --- the gap between title and name -------------------------------------------------------------


def test_the_gap_is_found_between_title_and_name_on_every_paper(made: Made) -> None:
    cases = {
        "KH-ke-hoach.pdf": [("Hà Nam Nhiệm", "PHÓ CHỦ TỊCH")],
        "QD-thanh-lap-hoi-dong.pdf": [("Nông Văn Hùng", "CHỦ TỊCH")],
        "BB-hop-hoi-dong.pdf": [("Hoàng Thị Lan", "THƯ KÝ"), ("Nông Văn Hùng", "CHỦ TỌA")],
        "BC-ket-qua-danh-gia.pdf": [("Nông Văn Hùng", "CHỦ TỊCH")],
    }
    for name, people in cases.items():
        pages = places.text_lines((made.out / name).read_bytes())
        for person, title in people:
            place = places.find_place(pages, person)
            assert place is not None, (name, person)
            assert place.title == title
            lines = pages[place.page]
            name_line = next(
                ln
                for ln in lines
                if ln.text == person and ln.y1 <= place.y0 + places.GAP_PADDING + 0.01
            )
            title_line = next(ln for ln in lines if ln.text == title and ln.y0 >= place.y1)
            # Between the two lines, and centred on the signer's column.
            assert title_line.y0 - place.y1 == pytest.approx(places.GAP_PADDING)
            assert place.y0 - name_line.y1 == pytest.approx(places.GAP_PADDING)
            assert place.height > 40  # four empty lines of 14 pt: room for a signature
            middle = (place.x0 + place.x1) / 2
            assert abs(middle - name_line.centre) < 3
    # The minutes' two places do not overlap.
    pages = places.text_lines((made.out / "BB-hop-hoi-dong.pdf").read_bytes())
    left = places.find_place(pages, "Hoàng Thị Lan")
    right = places.find_place(pages, "Nông Văn Hùng")
    assert left is not None and right is not None and left.x1 < right.x0


def test_a_name_typed_in_nfd_is_found_all_the_same(made: Made) -> None:
    import unicodedata

    pages = places.text_lines((made.out / "KH-ke-hoach.pdf").read_bytes())
    assert places.find_place(pages, unicodedata.normalize("NFD", "Hà  Nam Nhiệm")) is not None
    assert places.find_place(pages, "Người Khác") is None


# --- hoso ky with a PKCS#12 file ----------------------------------------------------------------


def test_ky_signs_every_paper_pades_sha256_valid_for_pyhanko_and_pdfsig(
    made: Made, tmp_path: Path
) -> None:
    dossier, out = signed_copy(made, tmp_path)
    output = ky(dossier, out)
    assert "Xong: ký 5 tệp PDF" in output
    assert PASSWORD not in output + (dossier / "hoso.toml").read_text(encoding="utf-8")
    from pyhanko.keys import load_cert_from_pemder

    anchor = load_cert_from_pemder(str(made.ca_pem))
    for pdf in sorted(out.glob("*.pdf")):
        reports = check_pdf(pdf.read_bytes(), [anchor])
        expected = 2 if pdf.name.startswith("BB") else 1
        assert len(reports) == expected, pdf.name
        for r in reports:
            assert (r.intact, r.valid, r.trusted, r.changed_after) == (True, True, True, False)
            assert r.role == "nguoi-ky"
        said = pdfsig(pdf)
        assert said.count("Signature Type: ETSI.CAdES.detached") == expected
        assert said.count("Signing Hash Algorithm: SHA-256") == expected
        assert said.count("Signature Validation: Signature is Valid.") == expected
        assert "Total document signed" in said
    # The minutes: secretary and chair, each in their own place; names from the profile.
    reports = check_pdf((out / "BB-hop-hoi-dong.pdf").read_bytes(), [])
    assert [r.signer for r in reports] == ["Hoàng Thị Lan", "Nông Văn Hùng"]
    # Signed PDFs are kept by the next build: pdfs.json knows their hashes.
    from pipeline.stages import freshness

    assert not [c for c in freshness._pdf_changes(Dossier(dossier, out)) if c.file.endswith(".pdf")]
    # Signing again changes nothing.
    assert "Xong: ký 0 tệp PDF" in ky(dossier, out)


def test_one_flipped_byte_is_caught_by_pyhanko_and_pdfsig(made: Made, tmp_path: Path) -> None:
    dossier, out = signed_copy(made, tmp_path)
    ky(dossier, out)
    pdf = out / "QD-thanh-lap-hoi-dong.pdf"
    data = bytearray(pdf.read_bytes())
    # A byte inside the first page's content, well inside the signed range.
    at = data.index(b"stream\n", 2000) + 40
    data[at] ^= 0x01
    broken = tmp_path / "sua.pdf"
    broken.write_bytes(bytes(data))
    reports = check_pdf(bytes(data), [])
    assert reports and not all(r.intact and r.valid for r in reports)
    said = pdfsig(broken)
    assert "Signature is Valid" not in said
    assert re.search(r"Digest Mismatch|Invalid", said)


def assert_pdfa_kept(pdf: Path) -> None:
    """A signed PDF/A-2b still declares it, with equal info/XMP Producers, every font
    embedded, and no transparency group or unprintable annotation in the signatures'
    updates."""
    info = subprocess.run(
        [poppler("pdfinfo"), str(pdf)], capture_output=True, encoding="utf-8", check=True
    ).stdout
    meta = subprocess.run(
        [poppler("pdfinfo"), "-meta", str(pdf)], capture_output=True, encoding="utf-8", check=True
    ).stdout
    producer = re.search(r"^Producer:\s+(.+)$", info, re.M)
    assert producer is not None
    xmp = re.search(r'pdf:Producer="([^"]*)"|<pdf:Producer>([^<]*)<', meta)
    assert xmp is not None and (xmp.group(1) or xmp.group(2)) == producer.group(1)
    assert re.search(r'pdfaid:part="2"|<pdfaid:part>2<', meta)
    assert re.search(r'pdfaid:conformance="B"|<pdfaid:conformance>B<', meta)
    fonts = subprocess.run(
        [poppler("pdffonts"), str(pdf)], capture_output=True, encoding="utf-8", check=True
    ).stdout.splitlines()[2:]
    assert fonts and all(" yes " in line for line in fonts), fonts
    data = pdf.read_bytes()
    updates = data[data.index(b"%%EOF") :]
    assert b"/Transparency" not in updates and b"/Group" not in updates
    flags = re.findall(
        rb"/Subtype\s*/Widget.*?/F (\d+)|/F (\d+).*?/Subtype\s*/Widget", updates, re.S
    )
    # Every widget printable, none invisible, hidden or no-view (ISO 19005-2, 6.3.2).
    assert flags and all(int(a or b) & 0b100111 == 0b100 for a, b in flags)


def test_signed_pdf_stays_pdfa_2b(made: Made, tmp_path: Path) -> None:
    dossier, out = signed_copy(made, tmp_path)
    ky(dossier, out)
    for pdf in sorted(out.glob("*.pdf")):
        assert_pdfa_kept(pdf)


def test_text_only_agency_signature_top_right_of_page_one(made: Made, tmp_path: Path) -> None:
    from pyhanko.sign.signers import SimpleSigner

    p12 = make_p12(tmp_path / "cq.p12", made.ca, "UBND xã Bình Trung (thử)")
    signer = SimpleSigner.load_pkcs12(str(p12), passphrase=PASSWORD.encode())
    assert signer is not None
    from datetime import UTC, datetime

    when = datetime(2026, 3, 15, 2, 30, 12, tzinfo=UTC)
    data = signing.sign_text(
        (made.out / "BC-ket-qua-danh-gia.pdf").read_bytes(), signer, "CoQuan", "05/BC-UBND", when
    )
    pdf = tmp_path / "pl.pdf"
    pdf.write_bytes(data)
    # The text, readable back with its diacritics and not letter-spaced, in Vietnam time.
    text = subprocess.run(
        [poppler("pdftotext"), "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True, encoding="utf-8", check=True,
    ).stdout  # fmt: skip
    assert "05/BC-UBND; 2026-03-15T09:30:12+07:00" in text
    # Positions as poppler draws the widget (top-down y): the words of the stamp.
    bbox = subprocess.run(
        [poppler("pdftotext"), "-f", "1", "-l", "1", "-bbox", str(pdf), "-"],
        capture_output=True, encoding="utf-8", check=True,
    ).stdout  # fmt: skip
    words = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        bbox,
    )
    first = next(w for w in words if w[4].startswith("05/BC-UBND;"))
    last = next(w for w in words if w[4].endswith("2026-03-15T09:30:12+07:00"))
    width, _height = signing.page_size(data)
    assert float(first[1]) < 30 * MM  # top of the page
    assert float(last[2]) > width - 20 * MM  # right
    assert float(last[2]) - float(first[0]) < 200  # about 180 pt at 10 pt: not spread out
    fonts = subprocess.run(
        [poppler("pdffonts"), "-f", "1", "-l", "1", str(pdf)],
        capture_output=True, encoding="utf-8", check=True,
    ).stdout  # fmt: skip
    assert re.search(r"(LiberationSerif|TimesNewRoman)\S*\s.*\byes\b", fonts)
    assert "Signature is Valid" in pdfsig(pdf)


def test_vietnam_time_has_a_colon_in_its_offset() -> None:
    from datetime import UTC, datetime

    assert signing.vietnam_time(datetime(2026, 3, 15, 2, 30, 12, 500, tzinfo=UTC)) == (
        "2026-03-15T09:30:12+07:00"
    )


# --- hoso issue: the agency's signature; hoso verify ---------------------------------------------


@pytest.fixture(scope="module")
def issued(made: Made, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The archive and its v1 folder after hoso ky then hoso issue --assign-numbers."""
    tmp_path = tmp_path_factory.mktemp("issued")
    dossier, out = signed_copy(made, tmp_path)
    ky(dossier, out)
    archive = tmp_path / "archive"
    result = CliRunner().invoke(
        cli,
        ["issue", str(dossier), "--out", str(out), "--archive", str(archive), "--assign-numbers"],
        input=f"{PASSWORD}\n" * 4,
    )
    assert result.exit_code == 0, result.output
    return archive, archive / dossier.name / "v1"


# Takes the register's write lock at once or fails ("database is locked"): another hoso.
_LOCK_PROBE = (
    "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0, isolation_level=None); "
    "c.execute('BEGIN IMMEDIATE'); c.execute('ROLLBACK')"
)


def test_issue_asks_for_passwords_before_it_locks_the_register(made: Made, tmp_path: Path) -> None:
    """While the clerk types a password, another process can lock the register (issue
    another dossier): the keys are opened before the write lock is taken. A wrong
    password stops the issue before the lock, with nothing issued."""
    from pipeline.archive.register import open_register, read_register
    from pipeline.archive.versions import issue
    from pipeline.common.errors import InputError

    dossier, out = signed_copy(made, tmp_path)
    ky(dossier, out)
    archive = tmp_path / "archive"
    open_register(archive).close()  # an archive other dossiers were issued into
    register = archive / "register.sqlite"
    asked: list[tuple[str, int, str]] = []

    def ask(what: str) -> str:
        probe = subprocess.run(
            [sys.executable, "-c", _LOCK_PROBE, str(register)],
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        asked.append((what, probe.returncode, probe.stderr))
        return PASSWORD if len(asked) > 1 else "sai-mat-khau"

    with pytest.raises(InputError) as refused:
        issue(Dossier(dossier, out, archive=archive), assign_numbers=True, ask=ask)
    assert [p.code for p in refused.value.problems] == ["khoa-ky-so"]
    done = issue(Dossier(dossier, out, archive=archive), assign_numbers=True, ask=ask)
    # The re-made papers' signers and the agency: one password each, none under the lock.
    assert len(asked) == 1 + 4, asked
    assert [(code, err) for _what, code, err in asked] == [(0, "")] * 5
    assert any("co_quan" in what for what, _, _ in asked)
    reports = check_pdf((done.folder / "KH-ke-hoach.pdf").read_bytes(), [])
    assert [r.field for r in reports] == ["NguoiKy-pho_chu_tich", "CoQuan"]
    held = read_register(archive)
    assert held is not None
    assert [v.version for v in held.versions()] == [1]  # the refused run left no version
    held.close()


def _pixels(png: Path) -> tuple[int, int, list[tuple[int, int, int]]]:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        raw = rgb.tobytes()
        return rgb.width, rgb.height, [tuple(raw[i : i + 3]) for i in range(0, len(raw), 3)]  # type: ignore[misc]


def test_issue_signs_numbered_papers_signer_then_agency(
    made: Made, issued: tuple[Path, Path]
) -> None:
    archive, folder = issued
    from pyhanko.keys import load_cert_from_pemder

    anchor = load_cert_from_pemder(str(made.ca_pem))
    # The score workbook, attached to the report: PDF/A with the text-only agency signature.
    workbook = folder / "bieu-cham-diem.pdf"
    reports = check_pdf(workbook.read_bytes(), [anchor])
    assert [(r.role, r.intact, r.valid, r.trusted) for r in reports] == [
        ("co-quan", True, True, True)
    ]
    text = subprocess.run(
        [poppler("pdftotext"), "-f", "1", "-l", "1", "-layout", str(workbook), "-"],
        capture_output=True, encoding="utf-8", check=True,
    ).stdout  # fmt: skip
    assert re.search(r"01/BC-UBND; \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00", text)
    assert_pdfa_kept(workbook)
    for pdf in sorted(set(folder.glob("*.pdf")) - {workbook}):
        reports = check_pdf(pdf.read_bytes(), [anchor])
        roles = [r.role for r in reports]
        signers = 2 if pdf.name.startswith("BB") else 1
        assert roles == ["nguoi-ky"] * signers + ["co-quan"], pdf.name
        assert all(r.intact and r.valid and r.trusted and not r.changed_after for r in reports)
        # Signed after the number was given: every signed revision shows it.
        assert all(re.search(r"Số:\s*01/", r.page_one) for r in reports), pdf.name
        said = pdfsig(pdf)
        assert said.count("Signature is Valid.") == signers + 1
        assert said.count("ETSI.CAdES.detached") == signers + 1
        assert_pdfa_kept(pdf)
    # The minutes carry no seal on paper: the agency's signature has no appearance.
    from pipeline.sign.dossier import signed_fields

    fields = signed_fields((folder / "BB-hop-hoi-dong.pdf").read_bytes())
    x0, y0, x1, y1 = fields["CoQuan"][1]
    assert (x1 - x0, y1 - y0) == (0, 0)
    # The password typed at the prompts is in no file of the archive (register included).
    for path in archive.rglob("*"):
        assert not path.is_file() or PASSWORD.encode() not in path.read_bytes(), path
    # hoso verify: the signatures pass, against the CA given as trust anchor.
    result = CliRunner().invoke(cli, ["verify", str(archive), "--tin-cay", str(made.ca_pem)])
    assert result.exit_code == 0, result.output
    assert "12 chữ ký số; 0 vấn đề" in result.output


def test_the_seal_covers_the_left_third_of_the_signature_on_the_rendered_page(
    issued: tuple[Path, Path], tmp_path: Path
) -> None:
    _archive, folder = issued
    pdf = folder / "QD-thanh-lap-hoi-dong.pdf"
    from pipeline.sign.dossier import signed_fields

    fields = signed_fields(pdf.read_bytes())
    page = fields["NguoiKy-chu_tich"][0]
    subprocess.run(
        [poppler("pdftoppm"), "-f", str(page + 1), "-l", str(page + 1), "-r", "72", "-png",
         "-singlefile", str(pdf), str(tmp_path / "trang")],
        check=True, timeout=60,
    )  # fmt: skip
    width, _height, pixels = _pixels(tmp_path / "trang.png")

    def xs(test: object) -> list[int]:
        return sorted({i % width for i, p in enumerate(pixels) if test(p)})  # type: ignore[operator]

    blue = xs(lambda p: p[2] > 120 and p[2] > p[0] + 60 and p[2] > p[1] + 40)
    red = xs(lambda p: p[0] > 150 and p[0] > p[1] + 80 and p[0] > p[2] + 80)
    assert blue and red
    left, right = blue[0], blue[-1]
    third = left + (right - left) / 3
    # The seal's right edge lies about a third into the signature, its body to the left.
    assert abs(red[-1] - third) <= 6, (left, right, red[0], red[-1])
    assert red[0] < left
    # Red pixels are found over the signature's left third, none over the rest.
    assert any(left <= x <= third for x in red)
    assert not any(x > third + 6 for x in red)
    # The seal at its real size: 36 mm at 72 dpi is 102 px across.
    assert abs((red[-1] - red[0]) - 36 / 25.4 * 72) <= 4


def test_verify_reports_a_changed_signed_pdf(issued: tuple[Path, Path], tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(issued[0], archive)
    folder = archive / issued[1].relative_to(issued[0])
    folder.chmod(0o755)
    pdf = folder / "TTr-de-nghi-cong-nhan.pdf"
    pdf.chmod(0o644)
    data = bytearray(pdf.read_bytes())
    at = data.index(b"stream\n", 2000) + 40
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    result = CliRunner().invoke(cli, ["verify", str(archive), "--json"])
    assert result.exit_code == 1
    codes = {p["code"] for p in __import__("json").loads(result.stdout)["problems"]}
    # The signatures no longer match (or the signed content no longer even reads back).
    assert codes & {"chu-ky-sai", "chu-ky-hong"}
    assert "bi-sua" in codes  # and the manifest's hash neither


def test_verify_reports_a_signature_made_before_the_number(made: Made, tmp_path: Path) -> None:
    from pipeline.sign.verify import pdf_problems

    dossier, out = signed_copy(made, tmp_path)
    ky(dossier, out)  # signed on the paper without its number
    _reports, problems = pdf_problems(out / "KH-ke-hoach.pdf", [], number=1)
    assert [p.code for p in problems] == ["ky-truoc-khi-co-so"]


# --- checks before anything is signed ------------------------------------------------------------


def test_images_are_checked_for_colour_and_transparency(tmp_path: Path) -> None:
    from pipeline.sign.images import check_image

    def codes(path: Path, colour: str) -> list[str]:
        _image, problems = check_image(path, colour, file="hoso.toml", key="ky_so.anh_dau")  # type: ignore[arg-type]
        assert all(p.field == "ky_so.anh_dau" and p.file == "hoso.toml" for p in problems)
        return [p.message for p in problems]

    assert codes(seal_png(tmp_path / "dau.png"), "do") == []
    assert codes(signature_png(tmp_path / "ky.png"), "xanh") == []
    blue_seal = codes(seal_png(tmp_path / "dau-xanh.png", colour=(30, 40, 200)), "do")
    assert len(blue_seal) == 1 and "không phải màu đỏ" in blue_seal[0]
    boxed = codes(signature_png(tmp_path / "ky-nen.png", alpha=False), "xanh")
    assert len(boxed) == 1 and "không có nền trong suốt" in boxed[0]
    jpeg = tmp_path / "ky.jpg"
    from PIL import Image

    Image.open(tmp_path / "ky.png").convert("RGB").save(jpeg)
    assert any("không phải PNG" in m for m in codes(jpeg, "xanh"))
    assert codes(tmp_path / "khong-co.png", "xanh") == ["không có tệp ảnh"]


def test_certificates_are_checked_before_signing(tmp_path: Path) -> None:
    from pipeline.common.errors import InputError
    from pipeline.sign.keys import KeySpec, open_signer

    ca = make_ca()

    def problems(p12: Path, password: str = PASSWORD, sample: str = "") -> list[str]:
        spec = KeySpec("chu_tich", "hoso.toml", p12=p12, sample_password=sample)
        with pytest.raises(InputError) as caught, open_signer(spec, lambda _what: password):
            pass
        for p in caught.value.problems:
            assert p.file == "hoso.toml" and (p.field or "").startswith("ky_so.chu_tich")
        return [p.message for p in caught.value.problems]

    expired = problems(make_p12(tmp_path / "het-han.p12", ca, "Người Thử", days=-3))
    assert len(expired) == 1 and "đã hết hạn" in expired[0] and "Người Thử" in expired[0]
    usage = problems(make_p12(tmp_path / "ma-hoa.p12", ca, "Người Thử", signing=False))
    assert len(usage) == 1 and "digitalSignature" in usage[0]
    good = make_p12(tmp_path / "tot.p12", ca, "Người Thử")
    assert "sai mật khẩu" in problems(good, password="sai")[0]
    # A password in the profile is only for a sample certificate.
    assert "chỉ dùng cho chứng thư mẫu" in problems(good, sample=PASSWORD)[0]
    spec = KeySpec("chu_tich", "hoso.toml", p12=good)
    with open_signer(spec, lambda _what: PASSWORD) as signer:
        assert signer.signing_cert is not None


def test_ky_with_an_expired_key_signs_nothing(made: Made, tmp_path: Path) -> None:
    dossier, out = signed_copy(made, tmp_path)
    make_p12(dossier / "khoa" / "pho_chu_tich.p12", made.ca, "Hà Nam Nhiệm", days=-1)
    before = {p.name: p.read_bytes() for p in out.glob("*.pdf")}
    result = CliRunner().invoke(
        cli, ["ky", str(dossier), "--out", str(out)], input=f"{PASSWORD}\n" * 3
    )
    assert result.exit_code == 1, result.output
    assert "ky_so.pho_chu_tich" in result.output and "hết hạn" in result.output
    assert {p.name: p.read_bytes() for p in out.glob("*.pdf")} == before


def test_profile_ky_so_problems_name_their_keys(made: Made, tmp_path: Path) -> None:
    from pipeline.model.profile import load_profile
    from pipeline.sign.config import read_settings

    dossier, _out = signed_copy(made, tmp_path)
    profile = dossier / "hoso.toml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace('anh_chu_ky = "khoa/chu-ky.png"\n', "", 1).replace(
        "dau_mm = 36", "dau_mm = 360\nmau = 1"
    )
    profile.write_text(text, encoding="utf-8")
    _settings, problems = read_settings(load_profile(dossier))
    assert sorted(p.field or "" for p in problems) == [
        "ky_so.chu_tich.anh_chu_ky",
        "ky_so.dau_mm",
        "ky_so.mau",
    ]


# --- hoso check FILE.pdf -----------------------------------------------------------------------


def test_check_reports_signatures_their_places_and_pdfa(
    made: Made, issued: tuple[Path, Path], tmp_path: Path
) -> None:
    folder = issued[1]
    result = CliRunner().invoke(
        cli,
        ["check", str(folder / "QD-thanh-lap-hoi-dong.pdf")],
    )
    # The signed paper's layout is clean; then its signatures.
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[lines.index("QD-thanh-lap-hoi-dong.pdf: PDF/A-2B") :] == [
        "QD-thanh-lap-hoi-dong.pdf: PDF/A-2B",
        "QD-thanh-lap-hoi-dong.pdf: chữ ký số người ký (Nông Văn Hùng): hợp lệ; ảnh chữ ký "
        "giữa CHỦ TỊCH và Nông Văn Hùng",
        "QD-thanh-lap-hoi-dong.pdf: chữ ký số cơ quan (UBND xã Bình Trung (thử)): hợp lệ; "
        "ảnh dấu 36 mm đè 1/3 ảnh chữ ký bên trái",
    ]
    # The score workbook is an attachment, not a paper: only its signature is asked of it.
    attachment = CliRunner().invoke(cli, ["check", str(folder / "bieu-cham-diem.pdf")])
    assert (
        "bieu-cham-diem.pdf: chữ ký số cơ quan (UBND xã Bình Trung (thử)): hợp lệ; dòng chữ "
        "ở góc trên bên phải trang đầu"
    ) in attachment.stdout.splitlines()
    unsigned = CliRunner().invoke(cli, ["check", str(made.out / "KH-ke-hoach.pdf")])
    assert unsigned.exit_code == 0
    assert "KH-ke-hoach.pdf: chưa có chữ ký số" in unsigned.stdout
    # A signature image put below the name instead of in the gap is reported.
    from pyhanko.sign.signers import SimpleSigner

    p12 = make_p12(tmp_path / "a.p12", made.ca, "Nông Văn Hùng")
    signer = SimpleSigner.load_pkcs12(str(p12), passphrase=PASSWORD.encode())
    assert signer is not None
    data = (made.out / "QD-thanh-lap-hoi-dong.pdf").read_bytes()
    pages = places.text_lines(data)
    place = places.find_place(pages, "Nông Văn Hùng")
    assert place is not None
    low = signing.Rect(place.x0, place.y0 - 150, place.x1, place.y1 - 150)
    image = __import__("PIL.Image", fromlist=["Image"]).open(made.dossier / "khoa" / "chu-ky.png")
    wrong = tmp_path / "sai-cho.pdf"
    wrong.write_bytes(
        signing.sign_image(data, signer, "NguoiKy-chu_tich", page=place.page, rect=low, image=image)
    )
    misplaced = CliRunner().invoke(cli, ["check", str(wrong)])
    assert misplaced.exit_code == 1
    assert "sai chỗ: ảnh chữ ký không nằm giữa chức vụ và họ tên" in misplaced.output
