"""Read-only tools over the shop's catalog."""

from sqlmodel import Session, select

from store_data.catalog import catalog_rows
from store_data.shop import Asset, Product, Variant
from tools.deps import ToolDeps
from tools.errors import ToolRetry


def list_products(deps: ToolDeps, limit: int = 50) -> list[dict]:
    """List the shop's SKUs with product handle, name, options, cost, price and stock.

    Use it to find the SKUs other tools take. `limit` caps the number of rows returned.
    """
    with Session(deps.engine) as session:
        return catalog_rows(session)[: max(limit, 0)]


def get_product(deps: ToolDeps, sku: str) -> dict:
    """Everything known about the product of one SKU: name, category, supplier facts
    (attributes), every variant with options, cost, price and stock, and its photo files."""
    with Session(deps.engine) as session:
        variant = session.exec(select(Variant).where(Variant.sku == sku)).first()
        if variant is None:
            raise ToolRetry(f"unknown SKU '{sku}'; call list_products to see the SKUs")
        product = session.get(Product, variant.product_id)
        if product is None:
            raise LookupError(f"SKU {sku} belongs to product {variant.product_id}, which is not stored")
        variants = session.exec(select(Variant).where(Variant.product_id == product.id).order_by(Variant.sku)).all()
        photos = session.exec(select(Asset).where(Asset.product_id == product.id, Asset.kind == "supplier_photo")).all()
        return {
            "handle": product.handle, "name": product.name, "category": product.category,
            "description": product.description, "attributes": product.attributes, "language": product.language,
            "variants": [{"sku": v.sku, "options": v.options, "cost_cents": v.cost_cents,
                          "price_cents": v.price_cents, "stock": v.stock} for v in variants],
            "photos": [p.path for p in photos],
        }
