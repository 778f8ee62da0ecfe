"""The shipped Word templates (.docx), installed as package data of `pipeline.templates`.

Edit them in Word or LibreOffice, or regenerate them with `scripts/build_templates.py`.
"""
