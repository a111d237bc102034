"""Reading a supplier catalog file (CSV or JSON): each row validated into a CatalogRow, or
reported with its row number, column and reason. Supplier text is kept as data for the
copywriter, never interpreted. Writing the rows is `store_data.catalog`'s part.
"""


import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from PIL import Image, UnidentifiedImageError

from store_data.csv_rows import FORMULA_STARTS, CsvStream, RowError, open_csv_rows
from store_data.errors import CatalogFileError
from store_data.money import MAX_AMOUNT_CENTS, shown, to_cents

REQUIRED_COLUMNS = ("sku", "name", "cost", "stock")
OPTIONAL_COLUMNS = ("product", "category", "description", "attributes", "options", "price", "photos", "language")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
LANGUAGES = {"en": "en", "zh-cn": "zh-CN", "zh": "zh-CN", "zh_cn": "zh-CN"}
SKU_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
# A product handle names a folder under assets/ and a page on the marketplace, so it is a
# slug like a SKU: no '/', no leading '.', nothing that could climb out of the folder.
HANDLE_PATTERN = SKU_PATTERN
# What surrogateescape makes of a byte the encoding cannot read.
UNDECODABLE = re.compile("[\udc80-\udcff]")
MAX_PHOTO_BYTES = 20 * 1024 * 1024
# Well inside a 32-bit column (PostgreSQL INTEGER): past it a stock is a typo.
MAX_STOCK = 10_000_000


@dataclass
class CatalogRow:
    """A validated catalog row: one variant and the product it belongs to."""

    row: int
    sku: str
    product: str
    name: str
    category: str
    description: str
    attributes: dict[str, str]
    options: dict[str, str]
    cost_cents: int
    price_cents: int | None
    stock: int
    photos: list[Path]
    language: str


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def imported(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["imported"] = self.imported
        return data


def read_catalog(path: Path, encoding: str = "utf-8") -> tuple[list[CatalogRow], list[RowError], int]:
    """Parse and validate a CSV or JSON catalog; returns the good rows, the errors and
    the number of data rows read.

    Raises CatalogFileError when the file as a whole is unusable (missing, not CSV/JSON,
    no header, a required column absent).
    """
    with CatalogReader(path, encoding) as reader:
        rows = list(reader.rows())
        return rows, reader.errors, reader.total


class CatalogReader:
    """A catalog read one row at a time, so a file of any size takes little memory: `rows()`
    yields the good rows in file order; `errors` and `total` are complete once it is done.

    Raises CatalogFileError when the file as a whole is unusable. Use it as a context
    manager: a CSV file stays open while its rows are read.
    """

    def __init__(self, path: Path, encoding: str = "utf-8"):
        path = Path(path)
        if not path.is_file():
            raise CatalogFileError(f"catalog file not found: {path} (give the path to a .csv or .json file)")
        suffix = path.suffix.lower()
        if suffix not in (".csv", ".json"):
            raise CatalogFileError(f"{path.name}: unsupported catalog format '{suffix}'; use .csv or .json")
        self.path, self.encoding = path, encoding
        self._file: TextIO | None = None
        self._stream: CsvStream | None = None
        self._row_errors: list[RowError] = []
        self._records: Iterable[tuple[int, dict]]
        if suffix == ".json":
            self._records, self._file_errors, self._json_total = _json_records(self._text(), path)
        else:
            self._records = self._csv_records()

    def _text(self) -> str:
        # surrogateescape keeps undecodable bytes visible per field, so one badly encoded
        # row is reported while the rest of the file still imports.
        try:
            text = self.path.read_bytes().decode(self.encoding, errors="surrogateescape")
        except LookupError:
            raise _unknown_encoding(self.encoding) from None
        return text.removeprefix("\ufeff")

    def _csv_records(self) -> Iterator[tuple[int, dict]]:
        try:
            self._file = self.path.open(encoding=self.encoding, errors="surrogateescape", newline="")
        except LookupError:
            raise _unknown_encoding(self.encoding) from None
        try:
            first = self._file.readline().removeprefix("\ufeff")
            stream = open_csv_rows(itertools.chain([first], self._file) if first else self._file)
            if stream is None:
                raise CatalogFileError(f"{self.path.name} is empty; the first line must name the columns: "
                                       f"{', '.join(KNOWN_COLUMNS)}")
            header = [h.strip().lower() for h in stream.header]
            self._file_errors = _check_header(header, self.path)
        except BaseException:
            self.close()
            raise
        self._stream = stream
        return ((number, {h: v for h, v in zip(header, values) if h in KNOWN_COLUMNS})
                for number, values in stream.rows())

    def rows(self) -> Iterator[CatalogRow]:
        """The good rows; each bad one goes to `errors` instead."""
        first_row_of_sku: dict[str, int] = {}
        photo_checks: dict[str, Path | str] = {}  # many rows share a photo: each is checked once
        for number, record in self._records:
            row, row_errors = _validate(number, record, self.path.parent, self.encoding, photo_checks)
            self._row_errors.extend(row_errors)
            if row is None:
                continue
            if row.sku in first_row_of_sku:
                self._row_errors.append(RowError(number, "sku", f"duplicate SKU, first seen on row "
                                                 f"{first_row_of_sku[row.sku]}", row.sku))
                continue
            first_row_of_sku[row.sku] = number
            yield row

    @property
    def errors(self) -> list[RowError]:
        """The file's problems (header, unreadable rows) first, then each bad row's."""
        return self._file_errors + (self._stream.errors if self._stream else []) + self._row_errors

    @property
    def total(self) -> int:
        """Data rows read so far."""
        return self._stream.total if self._stream else self._json_total

    def close(self) -> None:
        if self._file is not None:
            self._file.close()

    def __enter__(self) -> "CatalogReader":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _unknown_encoding(encoding: str) -> CatalogFileError:
    # A name Python does not know, or not a text encoding (rot13, base64).
    return CatalogFileError(f"unknown text encoding '{encoding}'; pass --encoding with a name such as utf-8, "
                            "gb18030 or cp1252")


def _json_records(text: str, path: Path) -> tuple[list[tuple[int, dict]], list[RowError], int]:
    try:
        # Whole numbers as Decimal: a 5,000-digit stock is then that row's error, not a
        # ValueError from Python's int size limit for the whole file.
        data = json.loads(text, parse_int=Decimal)
    except json.JSONDecodeError as exc:
        raise CatalogFileError(f"{path.name} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except RecursionError:
        raise CatalogFileError(f"{path.name} nests lists or objects too deeply to be a catalog; "
                               "write one flat object per product") from None
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise CatalogFileError(f"{path.name}: expected a JSON list of products (or an object with a 'products' list)")
    errors: list[RowError] = []
    records = []
    unknown: set[str] = set()
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            errors.append(RowError(number, "*", "is not a JSON object"))
            continue
        keys = {str(k).strip().lower(): v for k, v in item.items()}
        unknown |= set(keys) - set(KNOWN_COLUMNS)
        missing = [c for c in REQUIRED_COLUMNS if c not in keys]
        for column in missing:
            errors.append(RowError(number, column, "missing field", str(keys.get("sku", ""))))
        if not missing:
            records.append((number, {k: v for k, v in keys.items() if k in KNOWN_COLUMNS}))
    for column in sorted(unknown):
        errors.append(RowError(0, column, f"unknown field, ignored; known fields: {', '.join(KNOWN_COLUMNS)}"))
    return records, errors, len(data)


def _check_header(header: list[str], path: Path) -> list[RowError]:
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogFileError(
            f"{path.name}: the header lacks the required column(s) {', '.join(missing)}; "
            f"required: {', '.join(REQUIRED_COLUMNS)}; optional: {', '.join(OPTIONAL_COLUMNS)}"
        )
    errors = []
    seen = set()
    for name in header:
        if name in seen:
            errors.append(RowError(1, name, "column appears twice in the header; the last one is used"))
        seen.add(name)
        if name not in KNOWN_COLUMNS:
            errors.append(RowError(1, name, f"unknown column, ignored; known columns: {', '.join(KNOWN_COLUMNS)}"))
    return errors


def _validate(number: int, record: dict[str, Any], base: Path, encoding: str,
              photo_checks: dict[str, Path | str] | None = None) -> tuple[CatalogRow | None, list[RowError]]:
    """Check one record; every problem in it is reported, not just the first.

    `photo_checks` keeps what each photo path came to (the file, or the reason it is
    refused) across the rows of one file.
    """
    sku = _text(record.get("sku"))
    errors: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason, sku if SKU_PATTERN.match(sku) else ""))

    # One search over the whole row; only a row with such bytes is looked at column by column.
    if _has_undecodable("".join(v for v in record.values() if isinstance(v, str))):
        for column, value in record.items():
            if _has_undecodable(value):
                bad(column, f"bad encoding: bytes that are not {encoding}; save the file as UTF-8 (or pass --encoding)")
    if errors:
        return None, errors

    if not sku:
        bad("sku", "missing SKU")
    elif not SKU_PATTERN.match(sku):
        bad("sku", "SKU must be 1-80 letters, digits, '.', '_' or '-'")
    # Formula characters come off the front so no title published from it, and no
    # spreadsheet export of it, starts a formula.
    name = _text(record.get("name")).lstrip(FORMULA_STARTS + " ")
    if not name:
        bad("name", "missing name" if not _text(record.get("name")) else "the name is only formula characters (=+-@)")
    cost = _amount(record.get("cost"), "cost", required=True, bad=bad)
    price = _amount(record.get("price"), "price", required=False, bad=bad)
    stock = _stock(record.get("stock"), bad)
    attributes = _pairs(record.get("attributes"), "attributes", bad)
    options = _pairs(record.get("options"), "options", bad)
    photos = _photos(record.get("photos"), base, bad, {} if photo_checks is None else photo_checks)
    language_text = _text(record.get("language")) or "en"
    language = LANGUAGES.get(language_text.lower())
    if language is None:
        bad("language", f"unknown language '{language_text}'; use en or zh-CN")
    product = _text(record.get("product")) or sku.lower()
    if not HANDLE_PATTERN.match(product):
        bad("product", "the product handle must be 1-80 letters, digits, '.', '_' or '-' (e.g. mug-350)")
    if errors:
        return None, errors
    # Each of these is None only where an error was recorded above.
    assert cost is not None and stock is not None and language is not None
    return CatalogRow(
        row=number, sku=sku, product=product, name=name,
        category=_text(record.get("category")), description=_text(record.get("description")),
        attributes=attributes, options=options, cost_cents=cost, price_cents=price,
        stock=stock, photos=photos, language=language,
    ), []


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _has_undecodable(value: Any) -> bool:
    return isinstance(value, str) and UNDECODABLE.search(value) is not None


def _amount(value: Any, column: str, required: bool, bad) -> int | None:
    text = _text(value)
    if not text:
        if required:
            bad(column, f"missing {column}; write it like 12.50")
        return None
    try:
        cents = to_cents(text)
    except ValueError as exc:
        bad(column, str(exc))
        return None
    if cents < 0:
        bad(column, f"negative {column} ({shown(text)}); it must be 0 or more")
        return None
    if cents > MAX_AMOUNT_CENTS:
        bad(column, f"{column} {shown(text)} is over {MAX_AMOUNT_CENTS // 100:,}; check the number")
        return None
    return cents


def _stock(value: Any, bad) -> int | None:
    text = _text(value)
    if not text:
        bad("stock", "missing stock; write a whole number, 0 or more")
        return None
    # Length first: int() of thousands of digits is slow, and past 4,300 a ValueError.
    if text.isdigit() and len(text.lstrip("0")) > len(str(MAX_STOCK)):
        bad("stock", f"stock {shown(text)} is over {MAX_STOCK:,}; check the number")
        return None
    try:
        stock = int(text)
    except ValueError:
        bad("stock", f"'{shown(text)}' is not a whole number")
        return None
    if stock < 0:
        bad("stock", f"negative stock ({stock})")
        return None
    if stock > MAX_STOCK:
        bad("stock", f"stock {stock} is over {MAX_STOCK:,}; check the number")
        return None
    return stock


def _pairs(value: Any, column: str, bad) -> dict[str, str]:
    """`key=value; key=value` (CSV) or a JSON object, into a dict of strings."""
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return {str(k).strip(): str(v).strip() for k, v in value.items()}
    pairs: dict[str, str] = {}
    for part in str(value).split(";"):
        key, sep, val = part.partition("=")
        key, val = key.strip(), val.strip()
        if not sep or not key or not val:
            if part.strip():  # an empty part (a trailing ';') is no mistake
                bad(column, f"'{part.strip()}' is not key=value; separate pairs with ';'")
            continue
        pairs[key] = val
    return pairs


def _photos(value: Any, base: Path, bad, checks: dict[str, Path | str]) -> list[Path]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split("|")
    photos = []
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        if item not in checks:
            checks[item] = _check_photo(base, item)
        found = checks[item]
        if isinstance(found, str):
            bad("photos", found)
        else:
            photos.append(found)
    return photos


def _check_photo(base: Path, item: str) -> Path | str:
    """The photo `item` names, or the reason it is refused."""
    photo = (base / item).resolve()
    # Checked before the file is even looked at: a catalog may not reach (or probe)
    # pictures elsewhere on the machine, which would be copied and could be published.
    if not photo.is_relative_to(base.resolve()):
        return f"{item} is outside the catalog's folder; put the photos beside the catalog file"
    if not photo.is_file():
        return f"image not found: {item} (paths are relative to the catalog file)"
    if photo.stat().st_size > MAX_PHOTO_BYTES:
        return f"image too large: {item} is over {MAX_PHOTO_BYTES // 2**20} MB"
    try:
        with Image.open(photo) as image:
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        return f"unreadable image: {item} is not a JPEG, PNG or WebP picture"
    return photo
