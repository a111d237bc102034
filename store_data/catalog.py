"""Supplier catalog import: CSV or JSON in, validated rows upserted by SKU.

Every bad row is reported with its row number, column and reason, and the good rows are
imported anyway; importing the same file twice changes nothing. Supplier text is stored
as data for the copywriter, never interpreted.
"""

import hashlib
import itertools
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Table, bindparam, insert, update
from sqlmodel import Session, select

from store_data.catalog_file import CatalogReader, CatalogRow, ImportReport
from store_data.clock import utcnow
from store_data.shop import Asset, Product, Variant

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
        table: Table = Product.__table__  # type: ignore[attr-defined]  # set on table models, undeclared by SQLModel
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
        table: Table = Variant.__table__  # type: ignore[attr-defined]  # set on table models, undeclared by SQLModel
        fields = ("product_id", "name", "attributes", "options", "cost_cents", "stock", "price_cents", "price_fixed")
        found = {r.sku: r for r in self._select_in([table.c.id, table.c.sku, *(table.c[f] for f in fields)],
                                                   table.c.sku, [row.sku for row in rows])}
        now = utcnow()
        ids: dict[str, int] = {}
        new, outcomes = [], []
        changes: dict[tuple[str, ...], list[dict]] = {}  # by the columns set: executemany takes one shape
        for row in rows:
            values = dict(product_id=self.product_ids[row.product], name=row.name, attributes=row.attributes,
                          options=row.options,
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
        variants: Table = Variant.__table__  # type: ignore[attr-defined]  # set on table models, undeclared by SQLModel
        assets: Table = Asset.__table__  # type: ignore[attr-defined]  # likewise
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
    photo_counts: dict[int | None, int] = {}
    for asset in session.exec(select(Asset).where(Asset.kind == "supplier_photo")):
        photo_counts[asset.variant_id] = photo_counts.get(asset.variant_id, 0) + 1
    query = select(Variant, Product).join(Product).order_by(Product.handle, Variant.sku)
    return [
        {"sku": v.sku, "product": p.handle, "name": p.name, "category": p.category,
         "options": v.options, "cost_cents": v.cost_cents, "price_cents": v.price_cents,
         "stock": v.stock, "photos": photo_counts.get(v.id, 0), "language": p.language}
        for v, p in session.exec(query)
    ]
