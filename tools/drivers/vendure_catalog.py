"""A Vendure shop's catalogue through the Admin API: listings as products with variants.

A mixin of VendureApiDriver. A listing is a Vendure product whose slug is the listing's SKU
(lower case; a product with variants: its handle), with one variant per SKU (a single-SKU
listing: one variant without options). A variant's options ("size=M, color=blue") are the
product's option groups, coded "<slug>--<name>" so products never share one. Pictures are
uploaded as assets tagged with the product, their place and a digest of their bytes, so a
retried publish finds what it uploaded and a changed picture goes up anew. Publishing looks
the slug (then the SKU) up first, so a retry edits what it made instead of making it twice.
A listing's category ('Kitchen > Drinkware') is a value of the facet `category`, made once.

Stock: the shop hands over free units (what buyers may still buy); Vendure keeps the units
its unshipped orders hold (stockAllocated) apart from those on hand, so on hand is written as
free + allocated and Vendure's saleable count equals the shop's free units.
"""

import hashlib
import re
from pathlib import Path

from tools.drivers.marketplace import ListingDraft
from tools.drivers.vendure_client import VendureClient, refused
from tools.errors import ToolFailed

PRODUCT_FIELDS = """id slug enabled assets { id } featuredAsset { id } facetValues { id facet { code } }
  optionGroups { id code options { id code } }
  variants { id sku enabled price featuredAsset { id } stockLevels { stockOnHand stockAllocated } }"""
ERROR = "... on ErrorResult { errorCode message }"
CATEGORY = "category"  # the facet whose values are the listings' categories


def slug(text: str) -> str:
    """Vendure's way of writing a slug: lower case, runs of other characters as one dash."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "product"


def _options(text: str) -> list[tuple[str, str]]:
    """'size=M, color=blue' -> [('size', 'M'), ('color', 'blue')]."""
    return [(k.strip(), v.strip()) for k, v in (part.split("=", 1) for part in text.split(", ") if "=" in part)]


def _allocated(variant: dict) -> int:
    return sum(level["stockAllocated"] for level in variant["stockLevels"])


class VendureCatalogMixin:
    """Create, edit and hide products, and set a variant's stock, in a Vendure shop."""

    client: VendureClient
    language: str
    currency: str | None  # the shop's; None: not checked

    def check_currency(self) -> None:
        """Prices and money go over as minor units: the channel must sell in the shop's currency."""
        if self.currency is None:
            return
        channel = self.client.query("{ activeChannel { code defaultCurrencyCode } }")["activeChannel"]
        if channel["defaultCurrencyCode"] != self.currency.upper():
            raise ToolFailed(f"the Vendure channel {channel['code']} sells in {channel['defaultCurrencyCode']}, the "
                             f"shop's currency is {self.currency.upper()}; set currency in shopagent.toml or the "
                             "channel's default currency in Vendure to the same")
        self.currency = None  # checked once per driver

    def _translation(self, **fields: str) -> list[dict]:
        return [{"languageCode": self.language, **fields}]

    def _product_by(self, sku: str | None = None, product_id: str | None = None) -> dict | None:
        """The product with this id, else the one whose slug is the SKU's, else the one with a variant of this SKU."""
        if product_id:
            found = self.client.query(f"query($id: ID!) {{ product(id: $id) {{ {PRODUCT_FIELDS} }} }}",
                                      {"id": product_id})["product"]
            if found or sku is None:
                return found
        assert sku is not None, "a product is looked up by id or SKU"
        found = self.client.query(f"query($slug: String!) {{ product(slug: $slug) {{ {PRODUCT_FIELDS} }} }}",
                                  {"slug": slug(sku)})["product"]
        if found:
            return found
        variants = self.client.query(f"""query($options: ProductVariantListOptions) {{ productVariants(options: $options)
            {{ items {{ product {{ {PRODUCT_FIELDS} }} }} }} }}""",
            {"options": {"filter": {"sku": {"eq": sku}}, "take": 1}})["productVariants"]["items"]
        return variants[0]["product"] if variants else None

    def find_listing(self, sku: str) -> tuple[str, str] | None:
        product = self.client.with_retries(f"find product {sku}", lambda: self._product_by(sku))
        return (product["id"], "published" if product["enabled"] else "hidden") if product else None

    def publish_listing(self, draft: ListingDraft, remote_id: str | None = None) -> str:
        """Create or update the product, its pictures, option groups and variants (price, stock), enabled."""
        for path in draft.images:
            if not path.exists():
                raise ToolFailed(f"the picture {path} is missing; make the product images again")
        return self.client.with_retries(f"publish product {draft.sku}", lambda: self._publish(draft, remote_id))

    def _publish(self, draft: ListingDraft, remote_id: str | None) -> str:
        self.check_currency()
        product = self._product_by(draft.sku, remote_id)
        words = self._translation(name=draft.title, slug=slug(draft.sku), description=draft.description_html)
        if product is None:
            made = self.client.query("mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
                                     {"input": {"enabled": True, "translations": words}})
            product = self._product_by(product_id=made["createProduct"]["id"])
            assert product is not None, "Vendure returns the product it made"
        else:
            self.client.query("mutation($input: UpdateProductInput!) { updateProduct(input: $input) { id } }",
                              {"input": {"id": product["id"], "enabled": True, "translations": words}})
        category = self._category(draft.category)
        facets = [f["id"] for f in product["facetValues"] if f["facet"]["code"] != CATEGORY] + (
            [category] if category else [])
        if sorted(facets) != sorted(f["id"] for f in product["facetValues"]):
            self.client.query("mutation($input: UpdateProductInput!) { updateProduct(input: $input) { id } }",
                              {"input": {"id": product["id"], "facetValueIds": facets}})
        assets = self._upload(product["slug"], draft.images)
        if assets and [a["id"] for a in product["assets"]] != assets:
            self.client.query("mutation($input: UpdateProductInput!) { updateProduct(input: $input) { id } }",
                              {"input": {"id": product["id"], "assetIds": assets, "featuredAssetId": assets[0]}})
        wanted = draft.variants or [(draft.sku, "", draft.price_cents, draft.stock)]
        option_ids = self._option_groups(product, [options for _, options, _, _ in wanted])
        have = {v["sku"]: v for v in product["variants"]}
        new, changed = [], []
        for sku, options, price, stock in wanted:
            picture = draft.variant_pictures.get(sku)
            fields: dict = {"price": price, "enabled": True, "trackInventory": "TRUE"}
            if picture and picture <= len(assets):
                fields["featuredAssetId"] = assets[picture - 1]
            if sku in have:
                changed.append({"id": have[sku]["id"], "stockOnHand": stock + _allocated(have[sku]), **fields})
            else:
                name = f"{draft.title} ({', '.join(v for _, v in _options(options))})" if options else draft.title
                new.append({"productId": product["id"], "sku": sku, "stockOnHand": stock,
                            "optionIds": [option_ids[pair] for pair in _options(options)],
                            "translations": self._translation(name=name), **fields})
        # A variant the listing no longer has (the shop dropped that SKU) stops selling.
        changed += [{"id": v["id"], "enabled": False} for sku, v in have.items()
                    if v["enabled"] and sku not in {w[0] for w in wanted}]
        if new:
            self.client.query("""mutation($input: [CreateProductVariantInput!]!) {
                createProductVariants(input: $input) { id } }""", {"input": new})
        if changed:
            self.client.query("""mutation($input: [UpdateProductVariantInput!]!) {
                updateProductVariants(input: $input) { id } }""", {"input": changed})
        return product["id"]

    def _category(self, path: str) -> str | None:
        """The id of the value of the category facet named `path` ('Kitchen > Drinkware'), made where missing."""
        name = " > ".join(part.strip() for part in path.split(">") if part.strip())
        if not name:
            return None
        found = self.client.query("""query($options: FacetListOptions) { facets(options: $options)
            { items { id values { id code } } } }""", {"options": {"filter": {"code": {"eq": CATEGORY}}}})
        value = {"code": slug(name), "translations": self._translation(name=name)}
        if not found["facets"]["items"]:
            made = self.client.query("""mutation($input: CreateFacetInput!) { createFacet(input: $input)
                { values { id code } } }""", {"input": {"code": CATEGORY, "isPrivate": False, "values": [value],
                                                        "translations": self._translation(name="Category")}})
            return made["createFacet"]["values"][0]["id"]
        facet = found["facets"]["items"][0]
        known = {v["code"]: v["id"] for v in facet["values"]}
        if value["code"] in known:
            return known[value["code"]]
        made = self.client.query("""mutation($input: [CreateFacetValueInput!]!) { createFacetValues(input: $input)
            { id } }""", {"input": [{"facetId": facet["id"], **value}]})
        return made["createFacetValues"][0]["id"]

    def _option_groups(self, product: dict, variant_options: list[str]) -> dict[tuple[str, str], str]:
        """(name, value) -> option id: the product's groups and options, the missing ones made."""
        wanted: dict[str, list[str]] = {}
        for options in variant_options:
            for name, value in _options(options):
                wanted.setdefault(name, [])
                if value not in wanted[name]:
                    wanted[name].append(value)
        groups = {g["code"]: g for g in product["optionGroups"]}
        found: dict[tuple[str, str], str] = {}
        for name, values in wanted.items():
            code = f"{product['slug']}--{slug(name)}"
            # Not on the product: maybe made by a try whose answer was lost, before it was added.
            group = groups.get(code) or self._option_group(code)
            if group is None:
                group = self.client.query("""mutation($input: CreateProductOptionGroupInput!) {
                    createProductOptionGroup(input: $input) { id code options { id code } } }""",
                    {"input": {"code": code, "translations": self._translation(name=name), "options": [
                        {"code": slug(v), "translations": self._translation(name=v)} for v in values]}},
                )["createProductOptionGroup"]
            if code not in groups:
                self.client.query("""mutation($product: ID!, $group: ID!) {
                    addOptionGroupToProduct(productId: $product, optionGroupId: $group) { id } }""",
                    {"product": product["id"], "group": group["id"]})
            known = {o["code"]: o["id"] for o in group["options"]}
            for value in values:
                if slug(value) not in known:
                    made = self.client.query("""mutation($input: CreateProductOptionInput!) {
                        createProductOption(input: $input) { id code } }""",
                        {"input": {"productOptionGroupId": group["id"], "code": slug(value),
                                   "translations": self._translation(name=value)}})["createProductOption"]
                    known[made["code"]] = made["id"]
                found[(name, value)] = known[slug(value)]
        return found

    def _option_group(self, code: str) -> dict | None:
        found = self.client.query("""query($options: ProductOptionGroupListOptions) {
            productOptionGroups(options: $options) { items { id code options { id code } } } }""",
            {"options": {"filter": {"code": {"eq": code}}, "take": 1}})["productOptionGroups"]["items"]
        return found[0] if found else None

    def _upload(self, product_slug: str, images: list[Path]) -> list[str]:
        """The asset ids of `images`, in order: each uploaded unless an asset tagged with it exists."""
        tags = [f"shopagent:{product_slug}:{number}:{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}"
                for number, path in enumerate(images, 1)]
        if not tags:
            return []
        listed = self.client.query("""query($options: AssetListOptions) { assets(options: $options)
            { items { id tags { value } } } }""",
            {"options": {"tags": tags, "tagsOperator": "OR", "take": 100}})["assets"]["items"]
        have = {tag["value"]: asset["id"] for asset in listed for tag in asset["tags"]}
        ids = []
        for tag, path in zip(tags, images):
            if tag not in have:
                answer = self.client.query(f"""mutation($input: [CreateAssetInput!]!) {{ createAssets(input: $input)
                    {{ ... on Asset {{ id }} {ERROR} }} }}""", {"input": [{"file": None, "tags": [tag]}]},
                    files={"input.0.file": path})
                have[tag] = refused(answer["createAssets"][0], f"upload the picture {path.name}")["id"]
            ids.append(have[tag])
        return ids

    def pause_listing(self, remote_id: str) -> None:
        self.client.with_retries(f"hide product {remote_id}", lambda: self.client.query(
            "mutation($input: UpdateProductInput!) { updateProduct(input: $input) { id } }",
            {"input": {"id": remote_id, "enabled": False}}))

    def _variant_stock(self) -> dict[str, tuple[str, int, int]]:
        """SKU -> (variant id, on hand, allocated) of every variant in the shop."""
        found: dict[str, tuple[str, int, int]] = {}
        while True:
            page = self.client.query("""query($options: ProductVariantListOptions) { productVariants(options: $options)
                { totalItems items { id sku stockLevels { stockOnHand stockAllocated } } } }""",
                {"options": {"skip": len(found), "take": 100}})["productVariants"]
            for variant in page["items"]:
                found[variant["sku"]] = (variant["id"], sum(level["stockOnHand"] for level in variant["stockLevels"]),
                                         _allocated(variant))
            if not page["items"] or len(found) >= page["totalItems"]:
                return found

    def listed_stock(self) -> dict[str, int]:
        return {sku: on_hand - allocated for sku, (_, on_hand, allocated)
                in self.client.with_retries("read the stock", self._variant_stock).items()}

    def set_stock(self, units: dict[str, int]) -> dict[str, int]:
        """Let buyers buy `units[sku]` more of each SKU (Vendure's saleable stock), whatever its unshipped
        orders hold: on hand is written as those units plus the allocated ones."""
        def attempt() -> dict[str, int]:
            have = self._variant_stock()  # read again on a retry: what the last try saved stays saved
            changes = {sku: max(n, 0) for sku, n in units.items()
                       if sku in have and have[sku][1] != max(n, 0) + have[sku][2]}
            if changes:
                self.client.query("""mutation($input: [UpdateProductVariantInput!]!) {
                    updateProductVariants(input: $input) { id } }""",
                    {"input": [{"id": have[sku][0], "stockOnHand": n + have[sku][2]} for sku, n in changes.items()]})
            return changes
        return self.client.with_retries("set the stock", attempt)

    def stock(self, sku: str) -> int:
        """The units of `sku` buyers may still buy on the Vendure shop (on hand less allocated)."""
        found = self.client.with_retries(f"read the stock of {sku}", lambda: self.client.query(
            """query($options: ProductVariantListOptions) { productVariants(options: $options)
            { items { stockLevels { stockOnHand stockAllocated } } } }""",
            {"options": {"filter": {"sku": {"eq": sku}}, "take": 1}})["productVariants"]["items"])
        if not found:
            raise ToolFailed(f"the Vendure shop has no variant with the SKU {sku}")
        return sum(level["stockOnHand"] - level["stockAllocated"] for level in found[0]["stockLevels"])
