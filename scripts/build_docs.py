"""Write the reference tables made from data files: docs/problems.md (the problem codes, from
pipeline/data/problems.toml) and docs/nd30-rules.md (the `hoso check` rule ids, from
pipeline/data/nd30-rules.toml). Tests fail while either is out of date."""

from __future__ import annotations

from pathlib import Path

from pipeline.check.rules import rulebook, rules_markdown
from pipeline.common.problems import catalogue_markdown, problem_catalogue

DOCS = Path(__file__).resolve().parent.parent / "docs"


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for name, text in (
        ("problems.md", catalogue_markdown(problem_catalogue())),
        ("nd30-rules.md", rules_markdown(rulebook())),
    ):
        (DOCS / name).write_text(text, encoding="utf-8")
        print(f"wrote {DOCS / name}")


if __name__ == "__main__":
    main()
