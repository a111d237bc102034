"""The CSV row reader every importer shares, and cells written for spreadsheets."""

import csv

from store_data.csv_rows import read_csv_rows, spreadsheet_cell


def test_a_field_over_the_csv_limit_is_that_rows_error():
    text = "a,b\n1,2\n3," + "x" * (csv.field_size_limit() + 1) + "\n5,6\n"
    table = read_csv_rows(text)
    assert [(number, values) for number, values in table.rows] == [(2, ["1", "2"]), (4, ["5", "6"])]
    assert [(e.row, e.column) for e in table.errors] == [(3, "*")]
    assert "longer than 128 KiB; shorten it" in table.errors[0].reason and table.total == 3


def test_a_header_over_the_csv_limit_is_reported():
    table = read_csv_rows("x" * (csv.field_size_limit() + 1) + "\n1\n")
    assert table.header == [] and [(e.row, e.column) for e in table.errors] == [(1, "*")]


def test_text_that_starts_like_a_formula_is_written_as_text():
    assert [spreadsheet_cell(v) for v in ("=cmd|' /C calc'!A0", "+1", "-2", "@SUM(A1)", "\tx", "\rx")] == [
        "'=cmd|' /C calc'!A0", "'+1", "'-2", "'@SUM(A1)", "'\tx", "'\rx"]
    assert [spreadsheet_cell(v) for v in ("Mug", "a=b", -5, 12.5, None)] == ["Mug", "a=b", -5, 12.5, None]
