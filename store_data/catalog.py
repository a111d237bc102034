"""Supplier catalog import: CSV or JSON in, validated rows upserted by SKU.

Every bad row is reported with its row number, column and reason, and the good rows are
imported anyway; importing the same file twice changes nothing. Supplier text is stored
as data for the copywriter, never interpreted.
"""

import hashlib
import itertools
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from PIL import Image, UnidentifiedImageError
from sqlalchemy import bindparam, insert, update
from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.csv_rows import FORMULA_STARTS, CsvStream, RowError, open_csv_rows
from store_data.errors import CatalogFileError
from store_data.money import MAX_AMOUNT_CENTS, shown, to_cents
from store_data.shop import Asset, Product, Variant

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


# Rows written per round of queries: a few hundred round trips for 100,000 rows, and
# little held in memory at a time.
BATCH_ROWS = 2000
# Values per `IN (...)`, well inside every database's limit on bound parameters.
IN_CHUNK = 500


def import_catalog(session: Session, path: Path, workdir: Path, encoding: str = "utf-8") -> ImportReport:
    """Validate `path` and upsert its good rows by SKU; photos are copied into the work directory.

    The caller commits. Products are matched by handle, variants by SKU, photos by content.
    The file is read and written a batch of rows at a time, so a large one takes little memory.
    """
    report = ImportReport(file=str(path))
    # The writes below bypass the session's objects: anything pending goes first, and what
    # the session holds is reloaded afterwards.
    session.flush()
    writer = _CatalogWriter(session, Path(path).name, workdir)
    with CatalogReader(path, encoding) as reader:
        for batch in _batches(reader.rows(), BATCH_ROWS):
            for row, outcome in zip(batch, writer.write(batch)):
                getattr(report, outcome).append(row.sku)
        report.rows, report.errors = reader.total, reader.errors
    session.expire_all()
    return report


def _batches(rows: Iterator[CatalogRow], size: int) -> Iterator[tuple[CatalogRow, ...]]:
    while batch := tuple(itertools.islice(rows, size)):
        yield batch


class _CatalogWriter:
    """Upserts rows a batch at a time: one query per batch (and table) finds the products,
    variants and photos already there, and the new and changed ones are written with one
    executemany each. Plain SQLAlchemy Core, so SQLite and PostgreSQL alike."""

    def __init__(self, session: Session, source: str, workdir: Path):
        self.session, self.source, self.workdir = session, source, workdir
        self.product_ids: dict[str, int] = {}  # handle -> id of each product this import wrote or matched
        self.digests: dict[Path, str] = {}
        self.copied: dict[Path, tuple[int, int]] = {}  # photo copied by this import -> (width, height)

    def write(self, rows: tuple[CatalogRow, ...]) -> list[str]:
        """Upsert `rows`; returns each one's outcome: created, updated or unchanged."""
        product_changed = self._write_products(rows)
        variant_ids, outcomes = self._write_variants(rows)
        with_photos = [row for row in rows if row.photos]
        if with_photos:
            photo_added = self._attach_photos(with_photos, variant_ids)
            outcomes = ["updated" if outcome == "unchanged" and row.row in photo_added else outcome
                        for row, outcome in zip(rows, outcomes)]
        # The first row of a product sets its fields: a change there updates that row.
        return ["updated" if outcome == "unchanged" and row.row in product_changed else outcome
                for row, outcome in zip(rows, outcomes)]

    def _select_in(self, columns: list, key, values: list, *where) -> Iterator:
        for start in range(0, len(values), IN_CHUNK):
            yield from self.session.execute(select(*columns).where(key.in_(values[start:start + IN_CHUNK]), *where))

    def _write_products(self, rows: tuple[CatalogRow, ...]) -> set[int]:
        """Insert or update the products first seen in `rows`; returns the rows that changed one."""
        table = Product.__table__
        first: dict[str, CatalogRow] = {}
        for row in rows:
            if row.product not in self.product_ids:
                first.setdefault(row.product, row)
        if not first:
            return set()
        fields = ("name", "category", "description", "attributes", "language")
        found = {r.handle: r for r in self._select_in([table.c.id, table.c.handle, *(table.c[f] for f in fields)],
                                                      table.c.handle, list(first))}
        now = utcnow()
        new, changes, changed = [], [], set()
        for handle, row in first.items():
            values = {f: getattr(row, f) for f in fields}
            existing = found.get(handle)
            if existing is None:
                new.append(dict(handle=handle, source=self.source, created_at=now, updated_at=now, **values))
                continue
            self.product_ids[handle] = existing.id
            if any(getattr(existing, f) != v for f, v in values.items()):
                changes.append(dict(_id=existing.id, updated_at=now, **values))
                changed.add(row.row)
        if new:
            self.session.execute(insert(table), new)
            for r in self._select_in([table.c.id, table.c.handle], table.c.handle, [p["handle"] for p in new]):
                self.product_ids[r.handle] = r.id
        if changes:
            self.session.execute(update(table).where(table.c.id == bindparam("_id")), changes)
        return changed

    def _write_variants(self, rows: tuple[CatalogRow, ...]) -> tuple[dict[str, int], list[str]]:
        """Insert or update the variants of `rows`; returns the ids of those already there
        and each row's outcome."""
        table = Variant.__table__
        fields = ("product_id", "options", "cost_cents", "stock", "price_cents", "price_fixed")
        found = {r.sku: r for r in self._select_in([table.c.id, table.c.sku, *(table.c[f] for f in fields)],
                                                   table.c.sku, [row.sku for row in rows])}
        now = utcnow()
        ids: dict[str, int] = {}
        new, outcomes = [], []
        changes: dict[tuple[str, ...], list[dict]] = {}  # by the columns set: executemany takes one shape
        for row in rows:
            values = dict(product_id=self.product_ids[row.product], options=row.options,
                          cost_cents=row.cost_cents, stock=row.stock)
            if row.price_cents is not None:  # no price in the file leaves the shop's price alone
                values.update(price_cents=row.price_cents, price_fixed=True)
            existing = found.get(row.sku)
            if existing is None:
                new.append({"sku": row.sku, "price_cents": None, "price_fixed": False, "reserved": 0,
                            "updated_at": now, **values})
                outcomes.append("created")
                continue
            ids[row.sku] = existing.id
            if any(getattr(existing, k) != v for k, v in values.items()):
                changes.setdefault(tuple(values), []).append(dict(_id=existing.id, updated_at=now, **values))
                outcomes.append("updated")
            else:
                outcomes.append("unchanged")
        if new:
            self.session.execute(insert(table), new)
        for shape in changes.values():
            self.session.execute(update(table).where(table.c.id == bindparam("_id")), shape)
        return ids, outcomes

    def _attach_photos(self, rows: list[CatalogRow], variant_ids: dict[str, int]) -> set[int]:
        """Copy new photos into assets/catalog/ and record them; a photo a variant already
        has (same content) is skipped. Returns the rows that got a photo."""
        variants, assets = Variant.__table__, Asset.__table__
        missing = [row.sku for row in rows if row.sku not in variant_ids]
        variant_ids.update({r.sku: r.id for r in self._select_in([variants.c.id, variants.c.sku], variants.c.sku, missing)})
        known: dict[int, set[str]] = {variant_ids[row.sku]: set() for row in rows}
        for r in self._select_in([assets.c.variant_id, assets.c.sha256], assets.c.variant_id, list(known),
                                 assets.c.kind == "supplier_photo"):
            known[r.variant_id].add(r.sha256)
        now = utcnow()
        new, added = [], set()
        for row in rows:
            variant_id = variant_ids[row.sku]
            for photo in row.photos:
                if photo not in self.digests:
                    self.digests[photo] = hashlib.sha256(photo.read_bytes()).hexdigest()
                digest = self.digests[photo]
                if digest in known[variant_id]:
                    continue
                relative = Path("assets") / "catalog" / row.product / f"{digest[:10]}-{photo.name}"
                width, height = self._copy(photo, relative)
                new.append(dict(kind="supplier_photo", path=relative.as_posix(), product_id=self.product_ids[row.product],
                                variant_id=variant_id, platform=None, width=width, height=height, sha256=digest,
                                provenance={"source": str(photo)}, created_at=now))
                known[variant_id].add(digest)
                added.add(row.row)
        if new:
            self.session.execute(insert(assets), new)
        return added

    def _copy(self, photo: Path, relative: Path) -> tuple[int, int]:
        """Copy `photo` to `relative` in the work directory (once per import); its size."""
        if relative not in self.copied:
            target = self.workdir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(photo, target)
            with Image.open(target) as image:
                self.copied[relative] = image.size
        return self.copied[relative]


def catalog_rows(session: Session) -> list[dict[str, Any]]:
    """The imported catalog, one dict per variant, for listing and export."""
    photo_counts: dict[int, int] = {}
    for asset in session.exec(select(Asset).where(Asset.kind == "supplier_photo")):
        photo_counts[asset.variant_id] = photo_counts.get(asset.variant_id, 0) + 1
    query = select(Variant, Product).join(Product).order_by(Product.handle, Variant.sku)
    return [
        {"sku": v.sku, "product": p.handle, "name": p.name, "category": p.category,
         "options": v.options, "cost_cents": v.cost_cents, "price_cents": v.price_cents,
         "stock": v.stock, "photos": photo_counts.get(v.id, 0), "language": p.language}
        for v, p in session.exec(query)
    ]
