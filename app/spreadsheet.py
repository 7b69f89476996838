"""What every export (csv and xlsx) does to the cells it writes: user text never becomes a formula.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some spreadsheet programs
strip before looking) is read as a formula by Excel, WPS and LibreOffice when a csv is opened, and openpyxl
itself writes such a string as a formula cell. `safe_cell` puts a leading `'` before it (OWASP's advice):
the text is shown as typed and never evaluated. Every export writes its rows through `safe_row`.
"""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write: text that a spreadsheet would take for a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values) -> list:
    """A row with every text cell made safe (numbers, dates and empty cells pass unchanged)."""
    return [safe_cell(value) for value in values]
