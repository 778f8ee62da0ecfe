"""Making the papers: context, templates, the Decree 30 layout, read-back, score workbook."""
