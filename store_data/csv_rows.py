"""Reading CSV files row by row with the line each row starts on, and reporting bad rows.

Shared by every importer (catalog, order history, marketplace stats), so a problem is
always reported the same way: line number (the header is line 1), column, reason.
"""

import csv
import io
from dataclasses import dataclass


@dataclass
class RowError:
    """One problem with one row: where it is and what to fix."""

    row: int  # CSV: line number in the file (header is line 1); JSON: item number from 1
    column: str
    reason: str
    sku: str = ""

    def __str__(self) -> str:
        where = f"row {self.row}" + (f" (sku {self.sku})" if self.sku else "")
        return f"{where}, column '{self.column}': {self.reason}"


@dataclass
class CsvRows:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number, values), blank lines left out
    errors: list[RowError]  # rows whose field count differs from the header's

    @property
    def total(self) -> int:
        return len(self.rows) + len(self.errors)


def read_csv_rows(text: str) -> CsvRows | None:
    """Split CSV text into header and numbered rows; None when the text has no header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return None
    rows: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    start = reader.line_num + 1
    for values in reader:
        number, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(number, "*", f"has {len(values)} fields but the header has {len(header)}; "
                                   "check quoting and commas"))
            continue
        rows.append((number, values))
    return CsvRows(header=header, rows=rows, errors=errors)
