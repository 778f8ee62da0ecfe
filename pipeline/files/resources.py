"""Files shipped inside the package: data tables and Word templates."""

from __future__ import annotations

import tomllib
from importlib import resources
from importlib.abc import Traversable
from typing import Any


def data_file(name: str) -> Traversable:
    return resources.files("pipeline.data") / name


def load_data_toml(name: str) -> dict[str, Any]:
    with data_file(name).open("rb") as f:
        return tomllib.load(f)


def shipped_template(name: str) -> Traversable:
    return resources.files("pipeline.templates") / name
