"""Reading CSV files row by row with the line each row starts on, and reporting bad rows.

Shared by every importer (catalog, order history, marketplace stats), so a problem is
always reported the same way: line number (the header is line 1), column, reason.
"""

import csv
import io
from dataclasses import dataclass

# Leading characters a spreadsheet reads as the start of a formula (=cmd|' /C calc'!A0).
FORMULA_STARTS = "=+-@\t\r"


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
    rows: list[tuple[int, list[str]]] = []
    errors: list[RowError] = []
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:  # without a header no row can be read
        return CsvRows(header=[], rows=[], errors=[RowError(1, "*", _unreadable(exc))])
    start = reader.line_num + 1
    while True:
        # A row the csv module refuses (a field over its 128 KiB limit) is that row's
        # error; the reader carries on with the next line.
        try:
            values = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(RowError(start, "*", _unreadable(exc)))
            start = reader.line_num + 1
            continue
        number, start = start, reader.line_num + 1
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            errors.append(RowError(number, "*", f"has {len(values)} fields but the header has {len(header)}; "
                                   "check quoting and commas"))
            continue
        rows.append((number, values))
    return CsvRows(header=header, rows=rows, errors=errors)


def _unreadable(exc: csv.Error) -> str:
    if "field limit" in str(exc):
        return f"a field is longer than {csv.field_size_limit() // 1024} KiB; shorten it"
    return f"cannot be read as CSV ({exc}); check its quoting"


def spreadsheet_cell(value: object) -> object:
    """`value` for a CSV cell that a spreadsheet shows as text: text that starts like a
    formula gets a leading ' (numbers, negative ones too, pass as they are)."""
    if isinstance(value, str) and value.startswith(tuple(FORMULA_STARTS)):
        return "'" + value
    return value
