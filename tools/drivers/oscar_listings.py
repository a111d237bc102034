"""Oscar's catalogue dashboard: products as listings, driven in the browser.

A mixin of OscarBrowserDriver (its page, page loading, form submission and retries). A
listing is an Oscar product whose UPC is the shop's SKU (a product with variants: a parent
product whose UPC is the product's handle, and a child per variant whose UPC is its SKU,
each child with its own stock record), with one stock record (partner,
partner SKU, price, quantity), one category (its path 'Kitchen > Drinkware' created in the
dashboard as a tree where missing) and the listing's pictures. Publishing looks the UPC up first, so a retried publish edits the
product it already made instead of making a second one.
"""

from abc import abstractmethod
from collections.abc import Iterable, Iterator
from pathlib import Path
from urllib.parse import urlparse

from tools.drivers import oscar_selectors as sel
from tools.drivers.browser import BrowserDriver, PlatformRefused
from tools.drivers.marketplace import ListingDraft
from tools.errors import ToolFailed

DEFAULT_CATEGORY = "General"


class OscarListingsMixin(BrowserDriver):
    """Create, edit and hide products in the Oscar dashboard."""

    # Set by OscarBrowserDriver: the stock records' partner and the product type (None: the
    # dashboard's first), then read once per driver: the create page and the category paths.
    partner: str | None
    product_class: str | None
    _create_path: str | None
    _categories: set[str] | None

    @abstractmethod
    def _set_fields(self, form: str, values: dict[str, str]) -> None:
        """Fill a dashboard form's fields by name."""

    @abstractmethod
    def _press(self, button: str) -> None:
        """Click a form's submit `button` (a selector) in the page itself."""

    @abstractmethod
    def _send(self, form: str, button: str, what: str, files: dict[str, Path] | None = None) -> str | None:
        """Send a filled form without loading the page a success leads to: that page's address,
        or None with the platform's answer in the page."""

    def _product_rows(self, sku: str, page: int = 1) -> dict[str, tuple[str, str]]:
        """UPC -> (id, published or hidden) of the products the list shows for a UPC search
        (Oscar shows the exact match, a variant's parent for a variant's UPC, or else the
        products whose UPC contains it); '' lists every product, `page` by page."""
        self._open(f"{sel.PRODUCTS_PATH}?upc={sku}&page={page}" if page > 1 else f"{sel.PRODUCTS_PATH}?upc={sku}")
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
        """The page that creates a product of the chosen type, read from the product list (on
        screen after a UPC lookup) once per driver."""
        if self._create_path:
            return self._create_path
        if sel.PRODUCTS_PATH != urlparse(self.page.url).path:
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

    def _open_form(self, path: str) -> None:
        """Open a product form; the create page's address after Oscar's redirect is kept."""
        self._open(path)
        if "?product_class=" in path:
            self._create_path = urlparse(self.page.url).path

    def _create_categories(self, path: str) -> str:
        """Create each level of the category path 'Kitchen > Drinkware' the shop lacks, as a tree
        (the known paths are read from the first product form); returns the path as Oscar shows
        it (full names joined by ' > ')."""
        if self._categories is None:
            raise ToolFailed("the Oscar driver creates categories only after reading a product form; "
                             "publish through publish_listing")
        parts = [part.strip() for part in path.split(">") if part.strip()] or [DEFAULT_CATEGORY]
        for depth in range(1, len(parts) + 1):
            here, parent = " > ".join(parts[:depth]), " > ".join(parts[:depth - 1])
            if here.lower() in self._categories:
                continue
            self._open(sel.NEW_CATEGORY_PATH)
            self._set_fields(sel.CATEGORY_FORM, {"name": parts[depth - 1]})
            if not self.page.evaluate(sel.CATEGORY_PARENT, [sel.CATEGORY_FORM, parent]):
                raise ToolFailed(f"the Oscar category form offers no place under {parent or 'the root'!r} "
                                 f"for the category {here!r}; create it in Dashboard > Catalogue > Categories")
            # Oscar answers a saved category with a redirect to the category list, which the
            # driver does not need to load: nothing on it is read.
            if self._send(sel.CATEGORY_FORM, "button[name=action][value=save]", f"create the category {here}") is None:
                state = self._state()  # the form again, with what it refused
                raise ToolFailed(f"the Oscar dashboard did not create the category {here!r}: "
                                 f"{state['alert']} {state['errors'] or 'no reason shown'}; "
                                 f"{self.evidence('category ' + here)['note']}")
            self._categories.add(here.lower())
        return " > ".join(parts)

    def publish_listing(self, draft: ListingDraft, remote_id: str | None = None) -> str:
        """A product with one SKU becomes a standalone product; one with variants a parent
        product (its UPC the product's handle, with the copy, category and pictures) and one
        child per variant (its UPC the SKU, with its options, price and stock)."""
        for path in draft.images:
            if not path.exists():
                raise ToolFailed(f"the picture {path} is missing; make the product images again")
        product_tries = [0]

        def attempt_product() -> tuple[str, bool]:
            # A first try creates without looking the UPC up (Oscar refuses a second product with
            # a UPC it has, and then it is looked up); a retry looks first, as Oscar may have saved.
            product_tries[0] += 1
            return self._save_product(draft, remote_id, look_up=product_tries[0] > 1)
        parent, made_now = self._with_retries(f"publish product {draft.sku}", attempt_product)
        # The parent's children by UPC, read at most once per try: a parent made by this very
        # call has none, and a retry reads them again (Oscar may have saved the last one).
        children: dict[str, str] = {}
        read = [made_now]
        for sku, options, price_cents, stock in draft.variants:
            tries = [0]

            # Called at once by _with_retries, in this iteration (the defaults only say so).
            def attempt(sku=sku, options=options, price_cents=price_cents, stock=stock, tries=tries) -> str:
                tries[0] += 1
                if not read[0] or tries[0] > 1:
                    children.update(self._children(parent))
                    read[0] = True
                saved = self._save_child(parent, draft.title, sku, options, price_cents, stock, children.get(sku))
                if saved is None:  # Oscar has the UPC: made by a run that stopped before it said so
                    children.update(self._children(parent))
                    saved = self._save_child(parent, draft.title, sku, options, price_cents, stock,
                                             children[sku]) if sku in children else None
                if saved is None:
                    raise ToolFailed(self._upc_taken(sku, f"among the variants of product {parent}"))
                return saved
            children[sku] = self._with_retries(f"publish variant {sku}", attempt)
        return parent

    def _save_product(self, draft: ListingDraft, remote_id: str | None, look_up: bool = True) -> tuple[str, bool]:
        """Save the product's form; returns its id and whether this call made it. Without
        `look_up` a product not known by `remote_id` is created at once, and looked up only
        when Oscar answers that its UPC is taken."""
        page = self.page
        found = remote_id or ((self._product_rows(draft.sku).get(draft.sku) or (None,))[0] if look_up else None)
        form = sel.PRODUCT_PATH.format(remote_id=found) if found else self._new_product_path()
        on_form = False
        if self._categories is None:  # the first product: its form lists the categories
            self._open_form(form)
            self._categories = {c.lower() for c in page.evaluate(sel.READ_PRODUCT_FORM)["categories"]}
            on_form = True
        wanted = " > ".join(p.strip() for p in (draft.category or DEFAULT_CATEGORY).split(">") if p.strip())
        if wanted.lower() not in self._categories:
            self._create_categories(wanted)  # before the form is opened, so it offers them
            on_form = False
        if not on_form:
            self._open_form(form)
        category = wanted or DEFAULT_CATEGORY
        # The description is the textarea under TinyMCE, which does not start: the pages run without scripts.
        fields = {"title": draft.title[:255], "upc": draft.sku[:64], "is_public": "on",
                  "description": draft.description_html, "productcategory_set-0-category": category}
        if draft.variants:  # a parent holds no stock record: its children do
            fields["structure"] = "parent"
        else:
            fields.update(self._stock_fields(draft.sku, draft.price_cents, draft.stock, new=not found))
        self._set_fields(sel.PRODUCT_FORM, fields)
        # Pictures go up once: a product already carrying pictures keeps them.
        files = {}
        if draft.images and not page.evaluate(sel.READ_PRODUCT_FORM)["images"]:
            offered = set(page.evaluate(sel.FIELDS_PRESENT, [sel.PRODUCT_FORM, [
                f"images-{number}-original" for number in range(len(draft.images))]]))
            files = {name: path for number, path in enumerate(draft.images)
                     if (name := f"images-{number}-original") in offered}
        saved = self._save(draft.sku, new=not found, files=files)
        if saved is None:  # made before (a run that stopped after Oscar saved it): edit that one
            if look_up:
                raise ToolFailed(self._upc_taken(draft.sku, "in its product list"))
            return self._save_product(draft, None, look_up=True)
        return saved, not found

    def _save_child(self, parent: str, title: str, sku: str, options: str, price_cents: int, stock: int,
                    found: str | None) -> str | None:
        """One variant as a child of `parent` (the child `found`, else a new one): an option the
        product type has an attribute for ('color=white' and an attribute 'color') is set
        there, the others name the child. None when Oscar refuses a new child's UPC as taken."""
        self._open(sel.PRODUCT_PATH.format(remote_id=found) if found else sel.NEW_CHILD_PATH.format(parent=parent))
        pairs = [part.split("=", 1) for part in options.split(", ") if "=" in part]
        named = self.page.evaluate(sel.FIELDS_PRESENT, [sel.PRODUCT_FORM, [f"attr_{k.strip()}" for k, _ in pairs]])
        as_attributes = {name: value.strip() for name, (_, value) in zip(
            [f"attr_{k.strip()}" for k, _ in pairs], pairs) if name in named}
        in_title = ", ".join(f"{k.strip()}={v.strip()}" for k, v in pairs if f"attr_{k.strip()}" not in named)
        fields = {"title": f"{title} ({in_title})"[:255] if in_title else title[:255], "upc": sku[:64],
                  **as_attributes, **self._stock_fields(sku, price_cents, stock, new=not found)}
        present = set(self.page.evaluate(sel.FIELDS_PRESENT, [sel.PRODUCT_FORM, ["is_public"]]))
        self._set_fields(sel.PRODUCT_FORM, {**fields, **({"is_public": "on"} if present else {})})
        return self._save(sku, new=not found)

    def _children(self, parent: str) -> dict[str, str]:
        """UPC -> id of the children of `parent`."""
        return dict(self._child_forms(parent))

    def _child_forms(self, parent: str, opened: bool = False) -> Iterator[tuple[str, str]]:
        """(UPC, id) of each child of the product `parent` (none for a standalone product), with
        that child's form open in the page (`opened`: the parent's page was just loaded).
        Oscar's product list shows parents only, and a parent's page lists its children
        without their UPCs: each child's form is read."""
        if not opened:
            self._open(sel.PRODUCT_PATH.format(remote_id=parent))
        links = self.page.eval_on_selector_all(sel.CHILD_LINKS, "as => as.map(a => a.getAttribute('href'))")
        for child in dict.fromkeys(m.group(1) for m in map(sel.PRODUCT_ID_IN_PATH.search, links) if m):
            self._open(sel.PRODUCT_PATH.format(remote_id=child))
            yield self.page.evaluate(sel.FIELD_VALUE, [sel.PRODUCT_FORM, "upc"]) or "", child

    # --- stock: units buyers may buy, for one stock pool over several platforms -------------

    def _stock_forms(self, skus: Iterable[str] | None) -> Iterator[tuple[str, dict | None]]:
        """Each of `skus` the shop lists (None: every SKU it lists) with its stock record (see
        _stock_record), its product form open in the page. A SKU is looked up by UPC; a
        variant's UPC finds its parent, whose children are then read once for every variant wanted."""
        wanted = None if skus is None else set(skus)
        if wanted is None:
            for upc, (product_id, _) in self._all_product_rows().items():
                yield from self._product_stock_forms(upc, product_id, None)
            return
        done: set[str] = set()
        read: set[str] = set()  # products whose forms (and children's) were read
        for sku in sorted(wanted):
            if sku in done:
                continue
            for upc, (product_id, _) in self._product_rows(sku).items():
                if product_id not in read:
                    read.add(product_id)
                    for found, record in self._product_stock_forms(upc, product_id, wanted):
                        done.add(found)
                        yield found, record

    def _product_stock_forms(self, upc: str, product_id: str,
                             wanted: set[str] | None) -> Iterator[tuple[str, dict | None]]:
        """The product's own SKU and stock record when it holds stock records, else its
        children's (a parent), those `wanted` only (None: all), each with its form open."""
        self._open(sel.PRODUCT_PATH.format(remote_id=product_id))
        records = self.page.evaluate(sel.READ_STOCK_RECORDS, sel.PRODUCT_FORM)
        if records:
            if wanted is None or upc in wanted:
                yield upc, _stock_record(records, upc)
            return
        for child_upc, _ in self._child_forms(product_id, opened=True):
            if wanted is None or child_upc in wanted:
                yield child_upc, _stock_record(self.page.evaluate(sel.READ_STOCK_RECORDS, sel.PRODUCT_FORM), child_upc)

    def _all_product_rows(self) -> dict[str, tuple[str, str]]:
        """UPC -> (id, published or hidden) of every product the dashboard's list shows, page by page."""
        rows: dict[str, tuple[str, str]] = {}
        number = 1
        while True:
            rows.update(self._product_rows("", page=number))
            number += 1
            if not self.page.evaluate("n => !!document.querySelector(`a.page-link[href$='page=${n}']`)", number):
                return rows

    def listed_stock(self) -> dict[str, int]:
        """The units buyers may buy of each SKU the shop lists: in stock less allocated."""
        def attempt() -> dict[str, int]:
            return {sku: record["inStock"] - record["allocated"]
                    for sku, record in self._stock_forms(None) if record is not None}
        return self._with_retries("read the stock", attempt)

    def set_stock(self, units: dict[str, int]) -> dict[str, int]:
        """Let buyers buy `units[sku]` of each SKU the shop lists, whatever its orders hold:
        Oscar sells in stock less allocated, so in stock is written as those units plus the
        allocated ones (which Oscar keeps for its orders until the shop consumes them)."""
        def attempt() -> dict[str, int]:  # reads again on a retry: what the last try saved stays saved
            changes = {}
            for sku, record in self._stock_forms(units):
                wanted = max(units[sku], 0)
                if record is None or record["inStock"] == wanted + record["allocated"]:
                    continue
                self._set_fields(sel.PRODUCT_FORM, {f"{record['prefix']}num_in_stock": str(wanted + record["allocated"])})
                self._save(sku)
                changes[sku] = wanted
            return changes
        return self._with_retries("set the stock", attempt)

    def _upc_taken(self, sku: str, where: str) -> str:
        return (f"the Oscar dashboard says a product with the UPC {sku} exists, but not {where}; find it in "
                f"Dashboard > Catalogue > Products and give it another UPC or delete it; "
                f"{self.evidence('publish ' + sku)['note']}")

    def _stock_fields(self, sku: str, price_cents: int, stock: int, new: bool) -> dict[str, str]:
        """The stock record's fields; a new one also names the partner (the setting, else the first)."""
        fields = {"stockrecords-0-partner_sku": sku, "stockrecords-0-num_in_stock": str(stock),
                  "stockrecords-0-price": f"{price_cents / 100:.2f}"}
        if new:
            partner = self.partner or next((p for p in self.page.eval_on_selector_all(
                "select[name='stockrecords-0-partner'] option",
                "os => os.map(o => o.value ? o.textContent.trim() : '')") if p), "")
            if not partner:
                raise ToolFailed("the Oscar shop has no partner for stock records; create one in "
                                 "Dashboard > Fulfilment > Partners")
            fields["stockrecords-0-partner"] = partner
        return fields

    def _save(self, sku: str, new: bool = False, files: dict[str, Path] | None = None) -> str | None:
        """Save the product form ("save and continue editing", whose redirect names the
        product's id; the edit page itself is not loaded) with `files` for its picture fields;
        returns the product's id, or None when a `new` product was refused because Oscar has
        one with its UPC (UPCs are unique)."""
        location = self._send(sel.PRODUCT_FORM, sel.SAVE_AND_CONTINUE, f"publish product {sku}", files)
        saved = sel.PRODUCT_ID_IN_PATH.search(urlparse(location).path) if location else None
        if saved is not None:
            return saved.group(1)
        # The form again, its errors under the fields (or a redirect elsewhere)
        if location is None and new and self.page.evaluate(sel.FIELD_IN_ERROR, [sel.PRODUCT_FORM, "upc"]):
            return None
        state = self._state()
        if state["alert"]:
            raise PlatformRefused(f"the Oscar dashboard refused to publish product {sku}: {state['alert']} "
                                  f"{state['errors']}; {self.evidence('publish ' + sku)['note']}")
        raise ToolFailed(f"the Oscar dashboard did not save product {sku}: "
                         f"{state['errors'] or location or 'no reason shown'}; {self.evidence('publish ' + sku)['note']}")

    def pause_listing(self, remote_id: str) -> None:
        def attempt() -> None:
            self._open(sel.PRODUCT_PATH.format(remote_id=remote_id))
            self._set_fields(sel.PRODUCT_FORM, {"is_public": ""})
            self._submit(lambda: self._press(f"{sel.PRODUCT_FORM} {sel.SAVE_AND_CONTINUE}"),
                         f"hide product {remote_id}")
        self._with_retries(f"hide product {remote_id}", attempt)


def _stock_record(records: list[dict], sku: str) -> dict | None:
    """A product form's stock record of `sku` (its partner SKU; else the first): its field
    prefix, units in stock and units allocated to orders. None for a product type that does
    not track stock (Oscar then sells it without counting)."""
    return next((r for r in records if r["sku"] == sku), records[0] if records else None)
