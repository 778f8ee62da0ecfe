"""hoso: the paperwork of a child-friendly commune evaluation (Decision 06/QĐ-TTg)."""

__version__ = "0.1.0"
