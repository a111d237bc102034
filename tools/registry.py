"""The tools the planner may call, in one explicit list, with their risk flags beside them.

A tool is a typed function `fn(deps: ToolDeps, ...) -> result`. Its signature (without
`deps`) is the argument schema; its docstring is what the model reads. Risk flags are facts
about the tool; whether a call needs the owner is decided by the agent's approval policy
from these flags and the call's arguments, never by the model.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from tools import brand, catalog, images, pricing, proposals, summary
from tools import listings, messages, order_address, order_changes, order_stages, order_sync, orders
from tools import clips, stats, stock_pool
from tools.copy import tool as listing_copy
from tools.analytics import report as analytics
from tools.errors import ToolRetry


@dataclass(frozen=True)
class Risk:
    """What a tool does to the world outside the shop's own records."""

    writes: bool = False  # changes anything on the marketplace or for buyers
    publishes: bool = False  # makes something visible to buyers
    moves_money: bool = False  # refunds, cancellations with refund
    contacts_buyer: bool = False  # sends text a buyer reads
    changes_price: bool = False


@dataclass(frozen=True)
class ToolSpec:
    func: Callable[..., Any]
    risk: Risk = Risk()
    # preview(deps, **arguments) -> facts the approval policy and the owner need (amount,
    # first publish, price change %, ...), read by code from the shop and the platform.
    preview: Callable[..., dict[str, Any]] | None = None
    # The arguments naming what a call acts on (an order, a buyer thread, a SKU): one call per
    # target waits for the owner at a time. Empty: the whole arguments are the target.
    target: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return self.func.__name__

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or self.name)

    @cached_property
    def args_model(self) -> type[BaseModel]:
        """A pydantic model of the arguments, built from the signature."""
        fields: dict[str, Any] = {}
        for parameter in list(inspect.signature(self.func).parameters.values())[1:]:
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[parameter.name] = (parameter.annotation, default)
        return create_model(f"{self.name}_args", __config__=ConfigDict(extra="forbid"), **fields)

    def json_schema(self) -> dict[str, Any]:
        return self.args_model.model_json_schema()

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check arguments against the schema; a mismatch is a ToolRetry the model can fix."""
        try:
            return self.args_model.model_validate(arguments).model_dump()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolRetry(f"bad arguments for {self.name}: {problems}") from None

    def call(self, deps, arguments: dict[str, Any]) -> Any:
        return self.func(deps, **self.validate(arguments))

    def target_of(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """What the call acts on: its target arguments, or all of them."""
        return {name: arguments.get(name) for name in self.target} if self.target else dict(arguments)

    def facts(self, deps, arguments: dict[str, Any]) -> dict[str, Any]:
        """The preview facts of a call, or none for a tool without a preview."""
        return self.preview(deps, **self.validate(arguments)) if self.preview else {}


TOOLS: list[ToolSpec] = [
    ToolSpec(catalog.list_products),
    ToolSpec(catalog.get_product),
    ToolSpec(brand.create_brand),  # the shop's own records only
    ToolSpec(pricing.price_product, Risk(changes_price=True), preview=pricing.preview_price, target=("sku",)),
    ToolSpec(summary.write_open_summary),  # a page in the work directory
    ToolSpec(proposals.reorder_stock, target=("sku",)),  # a purchase-order file for the supplier
    ToolSpec(proposals.start_price_test, Risk(changes_price=True), preview=proposals.preview_price_test,
             target=("sku",)),
    ToolSpec(proposals.end_price_tests),  # restores prices the owner approved as a test
    ToolSpec(stats.pull_stats),  # reads the marketplace's stats export, writes the shop's records
    ToolSpec(analytics.sales_report),  # writes only its own report file
    ToolSpec(images.make_product_images),  # writes picture files in the work directory only
    ToolSpec(images.make_brand_images),  # writes picture files in the work directory only
    ToolSpec(listing_copy.write_listing_copy, target=("sku",)),  # the shop's own listing drafts; publishing is publish_listing
    ToolSpec(order_sync.sync_orders),  # reads the marketplace, writes the shop's records
    ToolSpec(order_stages.fulfil_orders),  # reserves stock; proposes ship/stockout calls
    ToolSpec(order_stages.handle_requests),  # reads requests; proposes handle_return calls
    ToolSpec(order_stages.check_stock),
    ToolSpec(stock_pool.sync_stock, Risk(writes=True)),  # every platform shows the pool's free units
    ToolSpec(orders.list_orders),
    ToolSpec(orders.show_order),
    ToolSpec(orders.ship_order, Risk(writes=True), target=("order_id",)),
    ToolSpec(orders.cancel_order, Risk(writes=True, moves_money=True), preview=orders.preview_cancel,
             target=("order_id",)),
    ToolSpec(orders.refund_order, Risk(writes=True, moves_money=True), preview=orders.preview_refund,
             target=("order_id",)),
    ToolSpec(orders.handle_return, Risk(writes=True, moves_money=True), preview=orders.preview_return,
             target=("order_id",)),
    ToolSpec(orders.resolve_stockout, Risk(writes=True, moves_money=True), preview=orders.preview_stockout,
             target=("order_id",)),
    ToolSpec(order_address.change_order_address, Risk(writes=True), preview=order_address.preview_change_address,
             target=("order_id",)),
    ToolSpec(order_changes.return_items, Risk(writes=True, moves_money=True),
             preview=order_changes.preview_return_items, target=("order_id",)),
    ToolSpec(order_changes.exchange_items, Risk(writes=True, moves_money=True),
             preview=order_changes.preview_exchange_items, target=("order_id",)),
    ToolSpec(order_changes.modify_items, Risk(writes=True, moves_money=True),
             preview=order_changes.preview_modify_items, target=("order_id",)),
    ToolSpec(order_changes.modify_payment, Risk(writes=True, moves_money=True),
             preview=order_changes.preview_modify_payment, target=("order_id",)),
    ToolSpec(order_changes.modify_buyer_address, Risk(writes=True),
             preview=order_changes.preview_modify_buyer_address, target=("email",)),
    ToolSpec(messages.list_messages),
    ToolSpec(messages.answer_messages),  # drafts only; proposes reply_message and draft_reply calls
    ToolSpec(messages.draft_reply),  # the model's draft; proposes a reply_message call
    ToolSpec(messages.reply_message, Risk(writes=True, contacts_buyer=True), preview=messages.preview_reply,
             target=("thread_id",)),
    ToolSpec(listings.publish_listing, Risk(writes=True, publishes=True), preview=listings.preview_publish,
             target=("sku",)),
    ToolSpec(listings.set_shop_profile, Risk(writes=True)),
    ToolSpec(clips.make_promo_clip, Risk(writes=True), target=("sku",)),  # clip files; uploads to the listing when the driver can
    ToolSpec(clips.build_live_room, Risk(writes=True)),  # loop + schedule files; live room upload when the driver can
    ToolSpec(clips.refresh_promo_clips),  # reads sales; proposes make_promo_clip calls
]

BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in TOOLS}


def get_tool(name: str) -> ToolSpec:
    """The registered tool called `name`; an unknown name is something the model can fix."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ToolRetry(f"no tool named '{name}'; available: {', '.join(sorted(BY_NAME))}") from None
