"""Supplier catalog import: CSV or JSON in, validated rows upserted by SKU.

Every bad row is reported with its row number, column and reason, and the good rows are
imported anyway; importing the same file twice changes nothing. Supplier text is stored
as data for the copywriter, never interpreted.
"""

import hashlib
import json
import re
import shutil
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError
from sqlmodel import Session, select

from store_data.clock import utcnow
from store_data.csv_rows import FORMULA_STARTS, RowError, read_csv_rows
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
    path = Path(path)
    if not path.is_file():
        raise CatalogFileError(f"catalog file not found: {path} (give the path to a .csv or .json file)")
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise CatalogFileError(f"{path.name}: unsupported catalog format '{suffix}'; use .csv or .json")
    # surrogateescape keeps undecodable bytes visible per field, so one badly encoded
    # row is reported while the rest of the file still imports.
    try:
        text = path.read_bytes().decode(encoding, errors="surrogateescape")
    except LookupError:  # a name Python does not know, or not a text encoding (rot13, base64)
        raise CatalogFileError(f"unknown text encoding '{encoding}'; pass --encoding with a name such as utf-8, "
                               "gb18030 or cp1252") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    records, errors, total = _json_records(text, path) if suffix == ".json" else _csv_records(text, path)
    rows: list[CatalogRow] = []
    first_row_of_sku: dict[str, int] = {}
    for number, record in records:
        row, row_errors = _validate(number, record, path.parent, encoding)
        errors.extend(row_errors)
        if row is None:
            continue
        if row.sku in first_row_of_sku:
            errors.append(RowError(number, "sku", f"duplicate SKU, first seen on row {first_row_of_sku[row.sku]}", row.sku))
            continue
        first_row_of_sku[row.sku] = number
        rows.append(row)
    return rows, errors, total


def _csv_records(text: str, path: Path) -> tuple[list[tuple[int, dict]], list[RowError], int]:
    table = read_csv_rows(text)
    if table is None:
        raise CatalogFileError(f"{path.name} is empty; the first line must name the columns: {', '.join(KNOWN_COLUMNS)}")
    header = [h.strip().lower() for h in table.header]
    errors = _check_header(header, path) + table.errors
    records = [(number, {h: v for h, v in zip(header, values) if h in KNOWN_COLUMNS}) for number, values in table.rows]
    return records, errors, table.total


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


def _validate(number: int, record: dict[str, Any], base: Path, encoding: str) -> tuple[CatalogRow | None, list[RowError]]:
    """Check one record; every problem in it is reported, not just the first."""
    sku = _text(record.get("sku"))
    errors: list[RowError] = []

    def bad(column: str, reason: str) -> None:
        errors.append(RowError(number, column, reason, sku if SKU_PATTERN.match(sku) else ""))

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
    photos = _photos(record.get("photos"), base, bad)
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
    return isinstance(value, str) and any("\udc80" <= ch <= "\udcff" for ch in value)


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
        if not part.strip():
            continue
        key, sep, val = part.partition("=")
        if not sep or not key.strip() or not val.strip():
            bad(column, f"'{part.strip()}' is not key=value; separate pairs with ';'")
            continue
        pairs[key.strip()] = val.strip()
    return pairs


def _photos(value: Any, base: Path, bad) -> list[Path]:
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else str(value).split("|")
    photos = []
    folder = base.resolve()
    for item in (str(i).strip() for i in items):
        if not item:
            continue
        photo = (base / item).resolve()
        # Checked before the file is even looked at: a catalog may not reach (or probe)
        # pictures elsewhere on the machine, which would be copied and could be published.
        if not photo.is_relative_to(folder):
            bad("photos", f"{item} is outside the catalog's folder; put the photos beside the catalog file")
            continue
        if not photo.is_file():
            bad("photos", f"image not found: {item} (paths are relative to the catalog file)")
            continue
        if photo.stat().st_size > MAX_PHOTO_BYTES:
            bad("photos", f"image too large: {item} is over {MAX_PHOTO_BYTES // 2**20} MB")
            continue
        try:
            with Image.open(photo) as image:
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            bad("photos", f"unreadable image: {item} is not a JPEG, PNG or WebP picture")
            continue
        photos.append(photo)
    return photos


def import_catalog(session: Session, path: Path, workdir: Path, encoding: str = "utf-8") -> ImportReport:
    """Validate `path` and upsert its good rows by SKU; photos are copied into the work directory.

    The caller commits. Products are matched by handle, variants by SKU, photos by content.
    """
    rows, errors, total = read_catalog(path, encoding)
    report = ImportReport(file=str(path), rows=total, errors=errors)
    products: dict[str, Product] = {}
    for row in rows:
        product_changed = False
        if row.product not in products:
            products[row.product], product_changed = _upsert_product(session, row, Path(path).name)
        changed, created = _upsert_variant(session, products[row.product], row, workdir)
        changed |= product_changed
        (report.created if created else report.updated if changed else report.unchanged).append(row.sku)
    return report


def _upsert_product(session: Session, row: CatalogRow, source: str) -> tuple[Product, bool]:
    """Returns (product, changed); the first row of a product sets its fields."""
    product = session.exec(select(Product).where(Product.handle == row.product)).first()
    values = dict(name=row.name, category=row.category, description=row.description,
                  attributes=row.attributes, language=row.language)
    if product is None:
        product = Product(handle=row.product, source=source, **values)
        session.add(product)
        session.flush()
        return product, False
    if all(getattr(product, k) == v for k, v in values.items()):
        return product, False
    for key, value in values.items():
        setattr(product, key, value)
    product.updated_at = utcnow()
    return product, True


def _upsert_variant(session: Session, product: Product, row: CatalogRow, workdir: Path) -> tuple[bool, bool]:
    """Returns (changed, created)."""
    variant = session.exec(select(Variant).where(Variant.sku == row.sku)).first()
    values = dict(product_id=product.id, options=row.options, cost_cents=row.cost_cents, stock=row.stock)
    if row.price_cents is not None:
        values.update(price_cents=row.price_cents, price_fixed=True)
    created = variant is None
    changed = False
    if created:
        variant = Variant(sku=row.sku, **values)
        session.add(variant)
        session.flush()
    elif any(getattr(variant, k) != v for k, v in values.items()):
        for key, value in values.items():
            setattr(variant, key, value)
        variant.updated_at = utcnow()
        changed = True
    changed |= _attach_photos(session, product, variant, row.photos, workdir)
    return changed, created


def _attach_photos(session: Session, product: Product, variant: Variant, photos: list[Path], workdir: Path) -> bool:
    """Copy new photos into assets/catalog/ and record them; a known file is skipped."""
    known = {a.sha256 for a in session.exec(select(Asset).where(Asset.variant_id == variant.id, Asset.kind == "supplier_photo"))}
    added = False
    for photo in photos:
        digest = hashlib.sha256(photo.read_bytes()).hexdigest()
        if digest in known:
            continue
        relative = Path("assets") / "catalog" / product.handle / f"{digest[:10]}-{photo.name}"
        target = workdir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(photo, target)
        with Image.open(target) as image:
            width, height = image.size
        session.add(Asset(kind="supplier_photo", path=relative.as_posix(), product_id=product.id,
                          variant_id=variant.id, width=width, height=height, sha256=digest,
                          provenance={"source": str(photo)}))
        known.add(digest)
        added = True
    return added


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
