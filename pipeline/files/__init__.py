"""Reading and writing files: workbooks, atomic output sets, locks, JSON, zip guard."""
