"""The model's draft of a reply to a buyer thread that code could not answer from the records:
the prompt carries the thread's own order and the shop's policy, the buyer's text fenced as
data; a draft that is no reply at all is repaired once, then replaced by a holding reply, and
a model that fails leaves the thread with the owner."""

import re

from pydantic import BaseModel, Field
from sqlmodel import Session, select

import prompts
from store_data.orders import Order
from store_data.rows import stored
from store_data.shop import Shop
from tools.deps import ToolDeps
from tools.desk.answers import holding
from tools.desk.facts import ThreadFacts
from tools.desk.questions import Question, waiting_text
from tools.drivers.marketplace import RemoteMessage, RemoteThread
from tools.llm import ask_structured
from tools.orders import show_order


class DraftReply(BaseModel):
    reply: str = Field(min_length=1, max_length=1500)
    escalate: bool = False
    reason: str = Field("", max_length=300)


def order_facts(deps: ToolDeps, order_id: int | None) -> str:
    if order_id is None:
        return "(no order: the buyer wrote without one)"
    with Session(deps.engine) as session:
        number = stored(session, Order, order_id).remote_id
    facts = show_order(deps, number)
    lines = [f"order {facts['order']}: status {facts['status']}, placed {facts['placed_at'][:10]}, "
             f"total {facts['total_cents'] / 100:.2f}, refunded {facts['refunded_cents'] / 100:.2f}"]
    lines += [f"- {li['quantity']} x {li['name']} ({li['sku']})" for li in facts["lines"]]
    lines += [f"- shipped with {s['carrier']}, tracking {s['tracking']}" for s in facts["shipments"]]
    return "\n".join(lines)


def policy_text(deps: ToolDeps) -> tuple[str, str]:
    settings = deps.settings
    with Session(deps.engine) as session:
        shop = session.exec(select(Shop)).first()
    name = shop.name if shop else "our shop"
    return name, (f"- orders ship within {settings.ship_within_days} working days\n"
                  f"- returns are accepted within {settings.return_days} days of shipment\n"
                  "- refunds go back to the original payment method\n"
                  "- an order can be cancelled only before it ships")


def model_draft(deps: ToolDeps, thread: RemoteThread, messages: list[RemoteMessage], order_id: int | None,
                 question: Question) -> tuple[DraftReply, str]:
    """The model's draft and how it was made. Any failure of the model (its server answers an
    error, refuses the request, is unreachable or cannot start) leaves this one thread with the
    owner, the error named, and the desk goes on with the others."""
    name, policy = policy_text(deps)
    conversation = "\n".join(prompts.fence(m.text, "buyer") if m.sender == "buyer" else f"Shop: {m.text}"
                             for m in messages[-8:])
    text = prompts.render("reply", shop_name=name, policy=policy, order_facts=order_facts(deps, order_id),
                          conversation=conversation, language=question.language)
    asked = waiting_text(messages)

    def fallback() -> DraftReply:
        held = holding(question, no_facts(deps, thread.order_number), "no usable draft from the model")
        return DraftReply(reply=held.text, escalate=True, reason=held.reason)

    try:
        result = ask_structured(deps.llm, "You write replies to buyers and answer only with JSON.", text,
                                DraftReply, fallback=fallback, check=lambda d: draft_problems(d, asked))
    except Exception as exc:
        held = holding(question, no_facts(deps, thread.order_number),
                       f"the model failed ({type(exc).__name__}: {str(exc)[:200]})")
        return DraftReply(reply=held.text, escalate=True, reason=held.reason[:300]), "fallback"
    return result.value, result.made_by


def draft_problems(draft: DraftReply, asked: str) -> list[str]:
    """What makes a model's draft no reply at all (small models echo the prompt's example or the
    buyer's own words); its claims are checked against the records when it is sent."""
    reply = " ".join(draft.reply.split()).lower()
    problems = []
    if "the text the buyer will read" in reply:
        problems.append("reply: it repeats the prompt's example; write the reply to the buyer itself")
    if len(asked.strip()) >= 12 and " ".join(asked.split()).lower() in reply:
        problems.append("reply: it repeats the buyer's message; answer it instead")
    if len(re.findall(r"\w+", reply)) < 3 and len(reply) < 6:
        problems.append("reply: too short to answer the buyer")
    return problems


def no_facts(deps: ToolDeps, number: str | None = None) -> ThreadFacts:
    settings = deps.settings
    facts = ThreadFacts("", settings.ship_within_days, settings.return_days, settings.shipping_carrier)
    if number:
        facts.order = {"number": number}
    return facts


def model_reply_mode(deps: ToolDeps) -> str:
    """What becomes of questions code cannot answer, per desk_model_replies: `send` (the model's
    draft goes out after the reply checks), `owner` (it waits for the owner), `off` (the model
    is not asked: the owner answers). `auto` sends a configured model's drafts and does not ask
    the embedded one: a 135M-parameter model writes fluent replies no record supports, and on a
    busy machine each costs the other buyers a minute of waiting."""
    mode = deps.settings.desk_model_replies
    if mode == "auto":
        return "off" if getattr(deps.llm, "provider", "") == "embedded" else "send"
    return mode
