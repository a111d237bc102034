"""The sandbox back-office's listing, shop profile and stats pages, driven in the browser.

A mixin of SandboxBrowserDriver: it uses that class's page, page loading, form submission
and retries. Publishing looks the SKU up first, so a retried publish edits the listing it
already made instead of making a second one.
"""

import json
from datetime import date
from pathlib import Path

from tools.drivers import sandbox_selectors as sel
from tools.drivers.browser import BrowserDriver
from tools.drivers.marketplace import ListingDraft, ShopProfile, Transient
from tools.errors import ToolFailed


class SandboxListingsMixin(BrowserDriver):
    """Listings, shop profile and stats export of the sandbox back-office."""

    def _listing_rows(self) -> dict[str, tuple[str, str]]:
        self._open(sel.LISTINGS_PATH)
        rows = self.page.eval_on_selector_all(sel.LISTING_ROWS, sel.READ_LISTING_ROWS)
        return {r["sku"]: (r["href"].rsplit("/", 1)[-1], r["status"]) for r in rows}

    def find_listing(self, sku: str) -> tuple[str, str] | None:
        return self._with_retries("list listings", self._listing_rows).get(sku)

    def publish_listing(self, draft: ListingDraft, remote_id: str | None = None) -> str:
        page = self.page
        for path in [*draft.images, *draft.videos]:
            if not path.exists():
                raise ToolFailed(f"the picture or video {path} is missing; make the product images again")

        def attempt() -> str:
            found = remote_id or (self._listing_rows().get(draft.sku) or (None,))[0]
            self._open(sel.LISTING_PATH.format(remote_id=found) if found else sel.NEW_LISTING_PATH)
            values = {"title": draft.title[:140], "sku": draft.sku, "price": f"{draft.price_cents / 100:.2f}",
                      "stock": str(draft.stock), "category": draft.category, "tags": ", ".join(draft.tags),
                      "description": draft.description_html}
            for field, label in sel.LISTING_FIELDS.items():
                page.get_by_label(label, exact=isinstance(label, str)).fill(values[field])
            self._fill_variants(draft)
            # Pictures go up once: a listing already carrying pictures keeps them.
            if draft.images and not (found and page.locator("img[alt^='Image ']").count()):
                page.get_by_label(sel.LISTING_IMAGES_LABEL).set_input_files([str(p) for p in draft.images])
            if draft.videos:
                page.get_by_label(sel.LISTING_VIDEO_LABEL).set_input_files([str(p) for p in draft.videos])
            publish = page.get_by_role("button", name=sel.PUBLISH_BUTTON)
            button = publish if publish.count() else page.get_by_role("button", name=sel.SAVE_BUTTON)
            self._submit(lambda: button.first.click(), f"publish listing {draft.sku}")
            return page.url.rstrip("/").rsplit("/", 1)[-1]
        return self._with_retries(f"publish listing {draft.sku}", attempt)

    def _fill_variants(self, draft: ListingDraft) -> None:
        page = self.page
        rows = page.get_by_label(sel.VARIANT_SKU_LABEL).count()
        skus = [page.get_by_label(sel.VARIANT_LABEL.format(n=n, field="SKU"), exact=True).input_value()
                for n in range(1, rows + 1)]
        free = [n for n, sku in enumerate(skus, 1) if not sku]
        # A variant the product no longer has comes off the listing (a colourway moved to a
        # product of its own, or a product down to one variant, whose SKU is the listing's).
        wanted = {sku for sku, *_ in draft.variants}
        for n, sku in enumerate(skus, 1):
            if sku and sku not in wanted:
                page.get_by_label(sel.VARIANT_DELETE_LABEL.format(n=n), exact=True).check()
        for sku, options, price_cents, stock in draft.variants:
            row = skus.index(sku) + 1 if sku in skus else (free.pop(0) if free else None)
            if row is None:
                raise ToolFailed(f"the listing form has room for {rows} variants; {draft.sku} has more")
            picture, video = draft.variant_pictures.get(sku, 0), draft.variant_videos.get(sku, 0)
            for field, value in (("SKU", sku), ("options", options), ("price", f"{price_cents / 100:.2f}"),
                                 ("stock", str(stock)), ("picture", str(picture) if picture else ""),
                                 ("video", str(video) if video else "")):
                page.get_by_label(sel.VARIANT_LABEL.format(n=row, field=field), exact=True).fill(value)

    def _inventory(self) -> dict[str, int]:
        self._open(sel.INVENTORY_PATH)
        rows = self.page.eval_on_selector_all(sel.INVENTORY_UNITS, "els => els.map(e => [e.dataset.sku, e.value])")
        return {sku: int(value) for sku, value in rows}

    def listed_stock(self) -> dict[str, int]:
        return self._with_retries("read the inventory", self._inventory)

    def set_stock(self, units: dict[str, int]) -> dict[str, int]:
        page = self.page

        def attempt() -> dict[str, int]:
            shown = self._inventory()  # read again on a retry: what the last try saved stays saved
            changes = {sku: n for sku, n in units.items() if sku in shown and shown[sku] != n}
            if not changes:
                return {}
            for sku, n in changes.items():
                page.get_by_label(sel.INVENTORY_UNITS_LABEL.format(sku=sku), exact=True).fill(str(n))
            self._submit(lambda: page.get_by_role("button", name=sel.INVENTORY_BUTTON).first.click(), "save the stock")
            return changes
        return self._with_retries("save the stock", attempt)

    def pause_listing(self, remote_id: str) -> None:
        def attempt() -> None:
            self._open(sel.LISTING_PATH.format(remote_id=remote_id))
            pause = self.page.get_by_role("button", name=sel.PAUSE_BUTTON)
            if pause.count():
                self._submit(lambda: pause.first.click(), f"pause listing {remote_id}")
        self._with_retries(f"pause listing {remote_id}", attempt)

    def set_shop_profile(self, profile: ShopProfile) -> None:
        page = self.page

        def attempt() -> None:
            self._open(sel.PROFILE_PATH)
            values = {"name": profile.name, "description": profile.description_html, "policies": profile.policies}
            for field, label in sel.PROFILE_FIELDS.items():
                page.get_by_label(label, exact=isinstance(label, str)).fill(values[field])
            for label, path in ((sel.PROFILE_LOGO_LABEL, profile.logo), (sel.PROFILE_BANNER_LABEL, profile.banner)):
                if path is not None and path.exists():
                    page.get_by_label(label, exact=True).set_input_files(str(path))
            self._submit(lambda: page.get_by_role("button", name=sel.SAVE_BUTTON).first.click(), "save the shop profile")
        self._with_retries("save the shop profile", attempt)

    def upload_listing_videos(self, remote_id: str, videos: list[Path], variant_videos: dict[str, int]) -> None:
        page = self.page
        missing = [str(v) for v in videos if not v.exists()]
        if missing:
            raise ToolFailed(f"the clip {missing[0]} is missing; make the promo clip again")

        def attempt() -> None:
            self._open(sel.LISTING_PATH.format(remote_id=remote_id))
            page.get_by_label(sel.LISTING_VIDEO_LABEL).set_input_files([str(v) for v in videos])
            rows = page.get_by_label(sel.VARIANT_SKU_LABEL).count()
            for n in range(1, rows + 1):  # the variants already on the listing: each shows its look's clip
                sku = page.get_by_label(sel.VARIANT_LABEL.format(n=n, field="SKU"), exact=True).input_value()
                if sku in variant_videos:
                    page.get_by_label(sel.VARIANT_LABEL.format(n=n, field="video"), exact=True).fill(str(variant_videos[sku]))
            self._submit(lambda: page.get_by_role("button", name=sel.SAVE_BUTTON).first.click(),
                         f"videos of listing {remote_id}")
        self._with_retries(f"upload the videos of listing {remote_id}", attempt)

    def set_live_room(self, video: Path, schedule: list[dict]) -> None:
        page = self.page

        def attempt() -> None:
            self._open(sel.LIVE_PATH)
            page.get_by_label(sel.LIVE_VIDEO_LABEL).set_input_files(str(video))
            page.get_by_label(sel.LIVE_SCHEDULE_LABEL).first.fill(json.dumps(schedule))
            self._submit(lambda: page.get_by_role("button", name=sel.SAVE_BUTTON).first.click(), "save the live room")
        self._with_retries("save the live room", attempt)

    def live_room_max_bytes(self) -> int | None:
        def attempt() -> int | None:
            self._open(sel.LIVE_PATH)
            limit = self.page.get_by_label(sel.LIVE_VIDEO_LABEL).get_attribute("data-max-bytes")
            return int(limit) if limit and limit.isdigit() else None
        return self._with_retries("read the live room's size limit", attempt)

    def export_stats(self, start: date, end: date) -> str:
        def attempt() -> str:
            self._open(sel.HOME_PATH)  # signs in first if needed; the export shares the cookies
            url = f"{self.base_url}{sel.STATS_CSV_PATH}?date_from={start.isoformat()}&date_to={end.isoformat()}"
            response = self.page.request.get(url)
            if response.status >= 500 or "csv" not in response.headers.get("content-type", ""):
                raise Transient(f"stats export: HTTP {response.status}")
            return response.text()
        return self._with_retries("export stats", attempt)
