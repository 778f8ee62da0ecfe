"""Write docs/problems.md, the table of problem codes, from the catalogue data file."""

from __future__ import annotations

from pathlib import Path

from pipeline.common.problems import catalogue_markdown, problem_catalogue

TARGET = Path(__file__).resolve().parent.parent / "docs" / "problems.md"


def main() -> None:
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(catalogue_markdown(problem_catalogue()), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
