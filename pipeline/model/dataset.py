"""The normalized data of one dossier (`data.json`): what ingest writes and score reads.

Every value keeps where it came from (file, sheet, cell), so a score or a sentence in a
report can always be traced back to the cell a village typed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipeline.common import limits
from pipeline.files.jsonfile import load_json
from pipeline.model.indicators import catalogue, for_level

SCHEMA_VERSION = 1
DATA_NAME = "data.json"

Scalar = int | Decimal | bool


@dataclass(frozen=True)
class Source:
    file: str
    sheet: str
    cell: str


@dataclass(frozen=True)
class Value:
    value: Scalar
    source: Source | None = None


@dataclass(frozen=True)
class PreviousOrigin:
    """Where a previous-period figure came from: filled in from last year's dossier by
    `hoso forms` (`source` says which file and year) and kept, or typed over it."""

    kept: bool
    year: int
    source: str


@dataclass
class DossierData:
    """Values per village and for the commune, plus the hashes of the files read."""

    xa: str
    nam: int
    villages: dict[str, dict[str, Value]] = field(default_factory=dict)
    commune: dict[str, Value] = field(default_factory=dict)
    inputs: dict[str, str] = field(default_factory=dict)  # relative path -> sha256
    # The rest of ingest's freshness record (pipeline/stages/freshness.py).
    profile_keys: dict[str, str] = field(default_factory=dict)  # hoso.toml key -> sha256
    hoso_version: str = ""
    # village -> previous-period indicator -> its origin, for figures filled in from last
    # year's dossier (absent: typed by the village).
    previous_origins: dict[str, dict[str, PreviousOrigin]] = field(default_factory=dict)

    @property
    def village_count(self) -> int:
        return len(self.villages)

    def totals(self) -> dict[str, Scalar]:
        """Commune totals: village counts summed, village yes/no answers counted
        (number of villages answering Có), commune values as reported."""
        totals: dict[str, Scalar] = {}
        for ind in for_level("thon"):
            values = [v[ind.code].value for v in self.villages.values() if ind.code in v]
            if ind.kind == "yes_no":
                totals[ind.code] = sum(1 for x in values if x is True)
            else:
                totals[ind.code] = sum((x for x in values if not isinstance(x, bool)), start=0)
        for ind in for_level("xa"):
            if ind.code in self.commune:
                totals[ind.code] = self.commune[ind.code].value
        totals["so_thon"] = self.village_count
        return totals

    def previous_origin_text(self, code: str, villages: list[str]) -> str:
        """Where the villages' `code` figures came from, for the score workbook."""
        kept: dict[int, list[str]] = {}
        over: list[str] = []
        typed: list[str] = []
        for name in villages:
            origin = self.previous_origins.get(name, {}).get(code)
            if origin is None:
                typed.append(name)
            elif origin.kept:
                kept.setdefault(origin.year, []).append(name)
            else:
                over.append(name)
        parts = [f"từ hồ sơ năm {y}: {', '.join(n)}" for y, n in sorted(kept.items())]
        if over:
            parts.append("gõ lại khác số điền sẵn: " + ", ".join(over))
        if typed:
            parts.append("gõ tay: " + ", ".join(typed))
        return "; ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA_VERSION,
            "xa": self.xa,
            "nam": self.nam,
            "inputs": [{"file": f, "sha256": h} for f, h in sorted(self.inputs.items())],
            "profile_keys": dict(sorted(self.profile_keys.items())),
            "hoso_version": self.hoso_version,
            "villages": {
                name: {code: _value_json(v) for code, v in values.items()}
                for name, values in self.villages.items()
            },
            "commune": {code: _value_json(v) for code, v in self.commune.items()},
            "totals": {code: _scalar_json(v) for code, v in self.totals().items()},
        } | self._origins_json()

    def _origins_json(self) -> dict[str, Any]:
        # Only dossiers whose forms were filled in from last year's carry the key: every
        # other data.json keeps its bytes.
        if not self.previous_origins:
            return {}
        return {
            "ky_truoc_nguon": {
                name: {
                    code: {"giu": o.kept, "nam": o.year, "nguon": o.source}
                    for code, o in codes.items()
                }
                for name, codes in self.previous_origins.items()
            }
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DossierData:
        if data.get("schema") != SCHEMA_VERSION:
            raise ValueError(f"unsupported data.json schema {data.get('schema')!r}")
        return cls(
            xa=str(data["xa"]),
            nam=int(data["nam"]),
            villages={
                name: {code: _value_from_json(code, v) for code, v in values.items()}
                for name, values in data["villages"].items()
            },
            commune={code: _value_from_json(code, v) for code, v in data["commune"].items()},
            inputs={item["file"]: item["sha256"] for item in data["inputs"]},
            profile_keys={str(k): str(v) for k, v in data.get("profile_keys", {}).items()},
            hoso_version=str(data.get("hoso_version", "")),
            previous_origins={
                str(name): {
                    str(code): PreviousOrigin(bool(o["giu"]), int(o["nam"]), str(o["nguon"]))
                    for code, o in codes.items()
                }
                for name, codes in data.get("ky_truoc_nguon", {}).items()
            },
        )


def _scalar_json(value: Scalar) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _value_json(value: Value) -> dict[str, Any]:
    out: dict[str, Any] = {"value": _scalar_json(value.value)}
    if value.source is not None:
        out.update(file=value.source.file, sheet=value.source.sheet, cell=value.source.cell)
    return out


def _value_from_json(code: str, raw: dict[str, Any]) -> Value:
    kind = catalogue()[code].kind
    value = raw["value"]
    scalar: Scalar
    # The same bounds ingest applies: a value no workbook could have given is refused.
    if kind == "yes_no" and isinstance(value, bool):
        scalar = value
    elif kind == "amount" and _number_within(value, limits.MAX_AMOUNT):
        scalar = Decimal(str(value))
    elif kind == "count" and isinstance(value, int) and _number_within(value, limits.MAX_COUNT):
        scalar = value
    else:
        raise ValueError(f"{code}: giá trị {str(value)[:40]!r} không hợp lệ")
    source = Source(raw["file"], raw["sheet"], raw["cell"]) if "file" in raw else None
    return Value(scalar, source)


def _number_within(value: Any, most: int) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= most


def dumps(data: DossierData) -> bytes:
    """Stable JSON bytes (sorted keys, UTF-8, NFC text) for hashing and diffs."""
    text = json.dumps(data.to_json(), ensure_ascii=False, indent=2, sort_keys=True)
    return (text + "\n").encode("utf-8")


def load(path: Path) -> DossierData:
    """data.json; ValueError when it is not one this version wrote (see jsonfile)."""
    return load_json(path, DossierData.from_json)
