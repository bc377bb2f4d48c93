"""Spreadsheet import and export (.xlsx and .csv) shared by every register.

Reading (``reading``) maps the bureau's Chinese column headers to field names and keeps
the values column by column, so a million-row roster stays affordable. Imports validate
every row with the cell parsers (``cells``), collect every ``RowProblem`` (``problems``),
and write nothing unless all rows are good. Exports (``writing``) neutralise spreadsheet
formulas in text cells.
"""
