"""Every bound hoso puts on what it reads, in one place.

A clerk's or a village's file may be broken or hostile; none may hang the tool, exhaust
the machine or be cut short without a word. Each limit sits far above what a real dossier
holds (the figures in the comments) and far below what would hurt a clerk's laptop, so
reaching one is always an input problem, reported with its place (exit 1).
"""

from __future__ import annotations

# --- workbooks (ingest) ------------------------------------------------------------------------

# A village form is 10-30 KB; a workbook saved with pictures or many sheets a few MB.
MAX_WORKBOOK_BYTES = 20 * 1024 * 1024
# Office files are zip archives: the expanded size of each part and of all parts, and
# how much a large part may shrink when compressed (XML compresses 5-20x; a zip bomb 1000x).
MAX_PART_BYTES = 20 * 1024 * 1024
MAX_EXPANDED_BYTES = 60 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024  # small parts may be very repetitive (styles, themes)
MAX_ZIP_ENTRIES = 2000
# A sheet holds about 40 rows and 5 columns; a multi-village workbook a few dozen sheets.
MAX_SHEET_ROWS = 10_000
MAX_SHEET_COLUMNS = 200
MAX_SHEETS = 200

# Workbooks sent to `hoso web` in one request (a commune has up to a few dozen villages),
# and the whole request's size; each file is also held to MAX_WORKBOOK_BYTES.
MAX_UPLOAD_FILES = 100
MAX_UPLOAD_BYTES = 100 * 1024 * 1024

# --- figures (ingest) -------------------------------------------------------------------------

# No count of children, cases or votes in one workbook reaches this (a commune has a few
# thousand children); amounts are in đồng (a commune's yearly budget for children is millions).
MAX_COUNT = 100_000
MAX_AMOUNT = 10**12
# Digits of a number cell read as such (so "too large" names its cell); a longer one makes
# the file unreadable as a whole.
MAX_CELL_DIGITS = 20_000

# --- the profile (hoso.toml) -------------------------------------------------------------------

# Large enough that an over-long text is reported with its key (MAX_FREE_TEXT_CHARS).
MAX_PROFILE_BYTES = 32 * 1024 * 1024
# A name, a title, one recipient or one ground: one line.
MAX_LINE_CHARS = 1_000
# One free-text key of the report (several paragraphs): about ten printed pages.
MAX_FREE_TEXT_CHARS = 50_000
# Items of one list (villages, recipients, grounds, council members, overrides). Merged
# communes reach a hundred villages or more; a thousand is checked to load (bench/, tests).
MAX_LIST_ITEMS = 2_000
# Dates of the dossier's papers lie around the evaluation year `don_vi.nam`: a ground may
# be a plan of a few years before, a report deadline may fall early the next year.
YEARS_BEFORE = 5
YEARS_AFTER = 2

# --- templates (render) ------------------------------------------------------------------------

# Longest string or list a template expression may build ('A' * n, a + b, s.center(n)).
MAX_TEMPLATE_SEQUENCE = 1_000_000
# Characters a paper's rendered XML may reach (a paper is 50-500 KB of XML). lxml refuses a
# single text node above 10 MB, so this stays below that.
MAX_TEMPLATE_OUTPUT = 8_000_000
# Items all loops and sequence-building operations of one paper may produce together.
MAX_TEMPLATE_WORK = 5_000_000
# Nested {% for %} loops (the shipped templates use 2).
MAX_LOOP_DEPTH = 3
# Integer operands of arithmetic in a template (bits): enough for any amount.
MAX_TEMPLATE_INT_BITS = 256
# Wall-clock seconds to fill one template (a paper takes well under one).
MAX_RENDER_SECONDS = 20.0

# --- intermediate files (data.json, scorecard.json) ---------------------------------------------

MAX_JSON_BYTES = 50 * 1024 * 1024


def year_window(year: int) -> tuple[int, int]:
    """The years a dossier's dates may fall in, for the evaluation year `year`."""
    return year - YEARS_BEFORE, year + YEARS_AFTER
