"""Oscar's catalogue dashboard: products as listings, driven in the browser.

A mixin of OscarBrowserDriver (its page, page loading, form submission and retries). A
listing is an Oscar product whose UPC is the shop's SKU, with one stock record (partner,
partner SKU, price, quantity), one category (its path 'Kitchen > Drinkware' created in the
dashboard as a tree where missing) and the listing's pictures. Publishing looks the UPC up first, so a retried publish edits the
product it already made instead of making a second one.
"""

from tools.drivers import oscar_selectors as sel
from tools.drivers.marketplace import ListingDraft, Transient
from tools.errors import ToolFailed

DEFAULT_CATEGORY = "General"


class OscarListingsMixin:
    """Create, edit and hide products in the Oscar dashboard."""

    def _product_rows(self, sku: str) -> dict[str, tuple[str, str]]:
        self._open(f"{sel.PRODUCTS_PATH}?upc={sku}")
        found = {}
        for row in self.page.evaluate(sel.READ_PRODUCT_ROWS):
            match = sel.PRODUCT_ID_IN_PATH.search(row["link"])
            if match and len(row["cells"]) > 7:
                upc, public = row["cells"][2], row["cells"][7]
                found[upc] = (match.group(1), "published" if public == "✔" else "hidden")
        return found

    def find_listing(self, sku: str) -> tuple[str, str] | None:
        return self._with_retries("find a product", lambda: self._product_rows(sku)).get(sku)

    def _new_product_path(self) -> str:
        self._open(sel.PRODUCTS_PATH)
        options = self.page.eval_on_selector_all(
            f"{sel.PRODUCT_CLASS_SELECT} option", "os => os.map(o => [o.value, o.textContent.trim()])")
        classes = [(value, text) for value, text in options if value]
        if not classes:
            raise ToolFailed("the Oscar shop has no product type; create one in Dashboard > Catalogue > Product Types")
        wanted = self.product_class
        chosen = next((v for v, t in classes if wanted and t.lower() == wanted.lower()), None if wanted else classes[0][0])
        if chosen is None:
            raise ToolFailed(f"the Oscar shop has no product type {wanted!r}; create it or fix the driver's product_class")
        return f"/dashboard/catalogue/products/create/?product_class={chosen}"

    def _ensure_category(self, path: str) -> str:
        """Create each level of the category path 'Kitchen > Drinkware' the product form does not
        offer yet, as a tree; returns the path as Oscar shows it (full names joined by ' > ')."""
        parts = [part.strip() for part in path.split(">") if part.strip()] or [DEFAULT_CATEGORY]
        offered = {c.lower() for c in self.page.evaluate(sel.READ_PRODUCT_FORM)["categories"]}
        back = self.page.url
        for depth in range(1, len(parts) + 1):
            here, parent = " > ".join(parts[:depth]), " > ".join(parts[:depth - 1])
            if here.lower() in offered:
                continue
            self._open(sel.NEW_CATEGORY_PATH)
            self._set_fields(sel.CATEGORY_FORM, {"name": parts[depth - 1]})
            if not self.page.evaluate(sel.CATEGORY_PARENT, [sel.CATEGORY_FORM, parent]):
                raise ToolFailed(f"the Oscar category form offers no place under {parent or 'the root'!r} "
                                 f"for the category {here!r}; create it in Dashboard > Catalogue > Categories")
            self._submit(lambda: self.page.click(f"{sel.CATEGORY_FORM} button[name=action][value=save]"),
                         f"create the category {here}")
            offered.add(here.lower())
        if self.page.url != back:
            self._load_raw(back.removeprefix(self.base_url))
        return " > ".join(parts)

    def publish_listing(self, draft: ListingDraft, remote_id: str | None = None) -> str:
        if draft.variants:
            raise ToolFailed(f"{draft.sku} has variants; the Oscar driver publishes single-SKU products only "
                             "(Oscar's parent and child products are not driven yet)")
        for path in draft.images:
            if not path.exists():
                raise ToolFailed(f"the picture {path} is missing; make the product images again")
        page = self.page

        def attempt() -> str:
            found = remote_id or (self._product_rows(draft.sku).get(draft.sku) or (None,))[0]
            self._open(sel.PRODUCT_PATH.format(remote_id=found) if found else self._new_product_path())
            category = self._ensure_category(draft.category.strip() or DEFAULT_CATEGORY)
            self._set_fields(sel.PRODUCT_FORM, {
                "title": draft.title[:255], "upc": draft.sku[:64], "is_public": "on",
                "productcategory_set-0-category": category, "stockrecords-0-partner_sku": draft.sku,
                "stockrecords-0-num_in_stock": str(draft.stock), "stockrecords-0-price": f"{draft.price_cents / 100:.2f}"})
            if not found:
                partner = self.partner or page.eval_on_selector_all(
                    "select[name='stockrecords-0-partner'] option", "os => os.map(o => o.value ? o.textContent.trim() : '')")
                partner = partner if isinstance(partner, str) else next((p for p in partner if p), "")
                if not partner:
                    raise ToolFailed("the Oscar shop has no partner for stock records; create one in Dashboard > Fulfilment > Partners")
                self._set_fields(sel.PRODUCT_FORM, {"stockrecords-0-partner": partner})
            if not page.evaluate(sel.SET_DESCRIPTION, [sel.DESCRIPTION_EDITOR, draft.description_html]):
                raise Transient("the product form has no description editor yet")
            # Pictures go up once: a product already carrying pictures keeps them.
            if draft.images and not page.evaluate(sel.READ_PRODUCT_FORM)["images"]:
                for number, path in enumerate(draft.images):
                    field = page.locator(f"{sel.PRODUCT_FORM} input[type=file][name='images-{number}-original']")
                    if not field.count():
                        break
                    field.set_input_files(str(path))
            self._submit(lambda: page.click(f"{sel.PRODUCT_FORM} {sel.SAVE_AND_CONTINUE}"), f"publish product {draft.sku}")
            state = self._state()
            saved = sel.PRODUCT_ID_IN_PATH.search(state["path"])
            if saved is None:
                raise ToolFailed(f"the Oscar dashboard did not save product {draft.sku}: "
                                 f"{state['errors'] or 'no reason shown'}; {self.evidence('publish ' + draft.sku)['note']}")
            return saved.group(1)
        return self._with_retries(f"publish product {draft.sku}", attempt)

    def pause_listing(self, remote_id: str) -> None:
        def attempt() -> None:
            self._open(sel.PRODUCT_PATH.format(remote_id=remote_id))
            self._set_fields(sel.PRODUCT_FORM, {"is_public": ""})
            self._submit(lambda: self.page.click(f"{sel.PRODUCT_FORM} {sel.SAVE_AND_CONTINUE}"),
                         f"hide product {remote_id}")
        self._with_retries(f"hide product {remote_id}", attempt)
