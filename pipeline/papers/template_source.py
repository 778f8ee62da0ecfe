"""Where a paper's Word template comes from: the dossier's own `templates/` or the package.

Kept apart from `templating` (Jinja, docxtpl) so that what only needs a template's name
and bytes, such as the freshness records, does not load the rendering libraries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.files.resources import shipped_template

TEMPLATE_FOLDER = "templates"


@dataclass(frozen=True)
class TemplateSource:
    """Where a template came from: the dossier's own folder or the package."""

    name: str
    label: str  # shown in messages: a path, or "mẫu có sẵn <name>"
    data: bytes


def find_template(dossier: Path | None, name: str) -> TemplateSource:
    """The dossier's `templates/<name>` if present, else the shipped one."""
    if dossier is not None:
        own = dossier / TEMPLATE_FOLDER / name
        if own.is_file():
            return TemplateSource(name, str(own), own.read_bytes())
    return TemplateSource(name, f"mẫu có sẵn {name}", shipped_template(name).read_bytes())
