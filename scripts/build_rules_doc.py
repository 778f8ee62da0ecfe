"""Write docs/nd30-rules.md, the table of `hoso check` rule ids, from the rules data file."""

from __future__ import annotations

from pathlib import Path

from pipeline.check.rules import rulebook, rules_markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "nd30-rules.md"


def main() -> None:
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(rules_markdown(rulebook()), encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
