"""Buyer messages: read threads, reply, and the daily stage that drafts replies.

Buyer text is data: it is fenced in the prompt, and a drafted reply is only ever a
follow-up reply_message call, which the approval policy gates (a reply promising money
waits for the owner; an escalated draft always does). The model drafts words; whether a
thread goes to the owner is also decided in code when the model fails.
"""

from pydantic import BaseModel, Field
from sqlmodel import Session, select

import prompts
from store_data.db import session_scope
from store_data.orders import BuyerMessage, Order
from store_data.shop import Shop
from tools.deps import ToolDeps
from tools.drivers.marketplace import MESSAGES, RemoteMessage, RemoteThread
from tools.errors import ToolRetry
from tools.llm import ask_structured
from tools.order_policy import marketplace
from tools.order_sync import missing_capability, require_driver
from tools.orders import show_order
from tools.reply_claims import unsupported


class DraftReply(BaseModel):
    reply: str = Field(min_length=1, max_length=1500)
    escalate: bool = False
    reason: str = Field("", max_length=300)


def list_messages(deps: ToolDeps, waiting_only: bool = True) -> list[dict]:
    """Buyer message threads on the marketplace (by default those waiting for a reply), with
    the order each is about."""
    threads = require_driver(deps, MESSAGES).list_threads(waiting_only=waiting_only)
    return [{"thread_id": t.remote_id, "subject": t.subject, "buyer": t.buyer_name, "order": t.order_number,
             "waiting": t.needs_reply} for t in threads]


def preview_reply(deps: ToolDeps, thread_id: str, text: str, owner_note: str = "") -> dict:
    """Facts: the text the buyer will read, the claims in it (money, refund, cancel, shipping)
    that the records of the thread's order do not support; an escalated draft needs the owner."""
    with Session(deps.engine) as session:
        order_id = session.exec(select(BuyerMessage.order_id).where(BuyerMessage.thread_id == thread_id,
                                                                    BuyerMessage.order_id.is_not(None))).first()
        number = session.get(Order, order_id).remote_id if order_id is not None else None
    facts = {"reply_text": text, "thread_id": thread_id,
             "unsupported_claims": unsupported(text, show_order(deps, number) if number else None)}
    if owner_note:
        facts["needs_person"] = f"unclear buyer message: {owner_note}"
    return facts


def reply_message(deps: ToolDeps, thread_id: str, text: str, owner_note: str = "") -> dict:
    """Send `text` as the shop's reply in a buyer thread (once: a reply already sent is not
    sent again). `owner_note` marks a draft the owner must read first."""
    driver = require_driver(deps, MESSAGES)
    if not text.strip():
        raise ToolRetry("the reply is empty; write the text the buyer should read")
    driver.reply(thread_id, text.strip())
    with session_scope(deps.engine) as session:
        sent = session.exec(select(BuyerMessage).where(BuyerMessage.thread_id == thread_id,
                                                       BuyerMessage.direction == "out",
                                                       BuyerMessage.text == text.strip())).first()
        if sent is None:
            session.add(BuyerMessage(marketplace=marketplace(deps), thread_id=thread_id, direction="out",
                                     text=text.strip(), handled=True))
    return {"thread_id": thread_id, "sent": True}


def _record_incoming(deps: ToolDeps, thread: RemoteThread, messages: list[RemoteMessage]) -> int | None:
    """Store the thread's buyer messages once; return the shop's order id it is about."""
    with session_scope(deps.engine) as session:
        order = session.exec(select(Order).where(Order.marketplace == marketplace(deps),
                                                 Order.remote_id == thread.order_number)).first() \
            if thread.order_number else None
        known = set(session.exec(select(BuyerMessage.remote_id).where(BuyerMessage.thread_id == thread.remote_id)))
        for number, message in enumerate(messages, 1):
            remote_id = f"{thread.remote_id}#{number}"
            if message.sender == "buyer" and remote_id not in known:
                session.add(BuyerMessage(marketplace=marketplace(deps), thread_id=thread.remote_id,
                                         order_id=order.id if order else None, direction="in",
                                         text=message.text, remote_id=remote_id))
        return order.id if order else None


def _order_facts(deps: ToolDeps, order_id: int | None) -> str:
    if order_id is None:
        return "(no order: the buyer wrote without one)"
    with Session(deps.engine) as session:
        number = session.get(Order, order_id).remote_id
    facts = show_order(deps, number)
    lines = [f"order {facts['order']}: status {facts['status']}, placed {facts['placed_at'][:10]}, "
             f"total {facts['total_cents'] / 100:.2f}, refunded {facts['refunded_cents'] / 100:.2f}"]
    lines += [f"- {li['quantity']} x {li['name']} ({li['sku']})" for li in facts["lines"]]
    lines += [f"- shipped with {s['carrier']}, tracking {s['tracking']}" for s in facts["shipments"]]
    return "\n".join(lines)


def _policy(deps: ToolDeps) -> tuple[str, str]:
    settings = deps.settings
    with Session(deps.engine) as session:
        shop = session.exec(select(Shop)).first()
    name = shop.name if shop else "our shop"
    return name, (f"- orders ship within {settings.ship_within_days} working days\n"
                  f"- returns are accepted within {settings.return_days} days of delivery\n"
                  "- refunds go back to the original payment method\n"
                  "- an order can be cancelled only before it ships")


def fallback_reply(thread: RemoteThread, ship_days: int) -> DraftReply:
    about = f" about order {thread.order_number}" if thread.order_number else ""
    return DraftReply(reply=f"Thank you for your message{about}. We have it and will get back to you within "
                            f"{max(ship_days, 1)} working days.", escalate=True,
                      reason="no usable draft from the model")


def answer_messages(deps: ToolDeps) -> dict:
    """Draft a reply to every buyer thread waiting for one, grounded in the order's records and
    the shop's policy. Clear cases become reply_message calls; unclear ones go to the owner."""
    skipped = missing_capability(deps, MESSAGES)
    if skipped:
        return {"drafted": [], "follow_up": [], "note": skipped}
    driver = require_driver(deps, MESSAGES)
    name, policy = _policy(deps)
    follow_up, drafted = [], []
    for listed in driver.list_threads(waiting_only=True):
        thread, messages = driver.get_thread(listed.remote_id)
        order_id = _record_incoming(deps, thread, messages)
        conversation = "\n".join(prompts.fence(m.text, "buyer") if m.sender == "buyer" else f"Shop: {m.text}"
                                 for m in messages[-8:])
        text = prompts.render("reply", shop_name=name, policy=policy, order_facts=_order_facts(deps, order_id),
                              conversation=conversation, language=deps.settings.locale)
        result = ask_structured(deps.llm, "You write replies to buyers and answer only with JSON.", text,
                                DraftReply, fallback=lambda t=thread: fallback_reply(t, deps.settings.ship_within_days))
        draft = result.value
        note = (draft.reason or "the model asked for the owner") if draft.escalate else ""
        follow_up.append({"tool": "reply_message", "why": f"reply drafted by {result.made_by}",
                          "arguments": {"thread_id": thread.remote_id, "text": draft.reply, "owner_note": note}})
        drafted.append({"thread_id": thread.remote_id, "made_by": result.made_by, "escalated": bool(note)})
    return {"drafted": drafted, "follow_up": follow_up}
