"""The stages a command runs: init, forms, ingest, score, render, pdf, build, roll-up."""
