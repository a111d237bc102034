"""Reading CSV files row by row with the line each row starts on, and reporting bad rows.

Shared by every importer (catalog, order history, marketplace stats), so a problem is
always reported the same way: line number (the header is line 1), column, reason.
"""

import csv
import io
from collections.abc import Iterable, Iterator
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


class CsvStream:
    """The rows of a CSV file one at a time, for files too large to hold: `rows()` yields
    what `read_csv_rows` would list, and fills `errors` as it goes."""

    def __init__(self, header: list[str], reader=None, errors: list[RowError] | None = None):
        self.header = header
        self.errors: list[RowError] = errors or []
        self.read = 0  # rows yielded so far; with the errors, the data rows read
        self._reader = reader

    @property
    def total(self) -> int:
        return self.read + len(self.errors)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, values) of each well-formed row; blank lines left out."""
        reader = self._reader
        if reader is None:
            return
        start = reader.line_num + 1
        while True:
            # A row the csv module refuses (a field over its 128 KiB limit) is that row's
            # error; the reader carries on with the next line.
            try:
                values = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                self.errors.append(RowError(start, "*", _unreadable(exc)))
                start = reader.line_num + 1
                continue
            number, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(self.header):
                self.errors.append(RowError(number, "*", f"has {len(values)} fields but the header has "
                                            f"{len(self.header)}; check quoting and commas"))
                continue
            self.read += 1
            yield number, values


def open_csv_rows(lines: Iterable[str]) -> CsvStream | None:
    """Read the header from `lines` (a file opened with newline=""); None when there is none."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:  # without a header no row can be read
        return CsvStream(header=[], errors=[RowError(1, "*", _unreadable(exc))])
    return CsvStream(header=header, reader=reader)


def read_csv_rows(text: str) -> CsvRows | None:
    """Split CSV text into header and numbered rows; None when the text has no header."""
    stream = open_csv_rows(io.StringIO(text, newline=""))
    if stream is None:
        return None
    rows = list(stream.rows())
    return CsvRows(header=stream.header, rows=rows, errors=stream.errors)


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
