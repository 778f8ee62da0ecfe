"""Dossier data built directly in tests (what `hoso ingest` would write to data.json)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

from pipeline.files.outputset import locked
from pipeline.model import dataset
from pipeline.model.dataset import DossierData, Scalar, Source, Value
from pipeline.model.dossier import Dossier
from pipeline.model.indicators import for_level
from pipeline.stages import freshness

# A village where every rate is 100%, nothing bad happened and every yes/no is Có.
PERFECT_VILLAGE: dict[str, Scalar] = {
    "tre_em_duoi_16": 200,
    "sinh_trong_ky": 10,
    "khai_sinh_dung_han": 10,
    "duoi_1_tuoi": 10,
    "duoi_1_tiem_du": 10,
    "duoi_5_can_do": 50,
    "suy_dd_nhe_can": 0,
    "suy_dd_thap_coi": 0,
    "bi_xam_hai": 0,
    "bi_xam_hai_ky_truoc": 0,
    "vi_pham_phap_luat": 0,
    "vi_pham_phap_luat_ky_truoc": 0,
    "tai_nan_thuong_tich": 0,
    "tai_nan_thuong_tich_ky_truoc": 0,
    "tu_vong_tntt": 0,
    "hcdb": 5,
    "hcdb_tro_giup": 5,
    "dien_kham_sk": 40,
    "kham_sk": 40,
    "tre_6_14": 60,
    "tre_6_14_di_hoc": 60,
    "tre_3_5": 20,
    "tre_3_5_mam_non": 20,
    "co_ctv_bvte": True,
    "co_diem_vui_choi": True,
}

PERFECT_COMMUNE: dict[str, Scalar] = {
    "co_nguoi_bvte": True,
    "ban_bvte_giao_ban": True,
    "kinh_phi_tre_em": Decimal(15_000_000),
    "vu_viec_xhtd": 1,
    "vu_viec_co_kh_can_thiep": 1,
    "dien_dan_tre_em": True,
    "clb_tre_em": True,
    "y_kien_tre_em": 12,
    "y_kien_duoc_giai_quyet": 12,
    "diem_vui_choi_xa": True,
    "hoat_dong_he": True,
    "phieu_khao_sat": 100,
    "phieu_hai_long": 100,
}


def _values(values: dict[str, Scalar], file: str) -> dict[str, Value]:
    return {
        code: Value(value, Source(file, "Số liệu", f"D{row}"))
        for row, (code, value) in enumerate(values.items(), start=5)
    }


def make_data(
    villages: dict[str, dict[str, Scalar]],
    commune: dict[str, Scalar] | None = None,
    *,
    xa: str = "Bình Trung",
    nam: int = 2024,
) -> DossierData:
    """Villages' and commune values; anything not given is the perfect default."""
    codes = {ind.code for ind in for_level("thon")}
    built: dict[str, dict[str, Value]] = {}
    for index, (name, values) in enumerate(villages.items(), start=1):
        unknown = set(values) - codes
        assert not unknown, unknown
        built[name] = _values({**PERFECT_VILLAGE, **values}, f"thon/thon-{index}.xlsx")
    return DossierData(
        xa=xa,
        nam=nam,
        villages=built,
        commune=_values({**PERFECT_COMMUNE, **(commune or {})}, "xa.xlsx"),
    )


def perfect(**commune: Scalar) -> DossierData:
    return make_data({"A": {}, "B": {}}, commune)


def without_workbooks(dossier: Path) -> Path:
    """Remove a dossier's workbooks, so data written by `write_data` is its current data
    (score refuses data.json older than the workbooks it came from)."""
    shutil.rmtree(dossier / "thon", ignore_errors=True)
    for path in dossier.glob("xa.*"):
        path.unlink()
    return dossier


def write_data(out: Path, data: DossierData, dossier: Path) -> Path:
    """Write `data` as the dossier's data.json, recorded as read from the dossier as it is
    now (what ingest would record), so the stages downstream accept it as current."""
    record = freshness.current(freshness.INGEST, Dossier(dossier, out))
    data.inputs, data.profile_keys, data.hoso_version = (
        record.files,
        record.profile_keys,
        record.version,
    )
    out.mkdir(parents=True, exist_ok=True)
    with locked(out) as folder:
        folder.publish(
            freshness.with_written(
                Dossier(dossier, out), freshness.INGEST, [(dataset.DATA_NAME, dataset.dumps(data))]
            )
        )
    return out / dataset.DATA_NAME


DEMO_VILLAGES = (
    "Nà Cáy",
    "Khòn Khuyên",
    "Bản Luận",
    "Nà Pàn",
    "Khuổi Khỉn",
    "Pò Mạ",
    "Nà Lầu",
    "Bó Nặm",
    "Kéo Coong",
    "Nà Rì",
    "Còn Chủ",
    "Pác Luống",
)


def demo_data() -> DossierData:
    """Sample figures for the demo dossier's 12 villages: a commune that is recognized."""
    villages: dict[str, dict[str, Scalar]] = {}
    for i, name in enumerate(DEMO_VILLAGES):
        villages[name] = {
            "tre_em_duoi_16": 150 + 7 * i,
            "sinh_trong_ky": 8 + i % 3,
            "khai_sinh_dung_han": 8 + i % 3,
            "duoi_1_tuoi": 9 + i % 4,
            "duoi_1_tiem_du": 9 + i % 4 - (1 if i == 3 else 0),
            "duoi_5_can_do": 40 + i,
            "suy_dd_nhe_can": 3,
            "suy_dd_thap_coi": 5,
            "tai_nan_thuong_tich": 1 if i in (2, 7) else 0,
            "tai_nan_thuong_tich_ky_truoc": 1 if i in (2, 5, 9) else 0,
            "co_diem_vui_choi": i % 2 == 0,
        }
    return make_data(villages, {"clb_tre_em": False})
