"""Buyer messages: read threads, reply, and the stage (daily pass and service desk) that answers them.

Buyer text is data: it is fenced in the prompt, and a drafted reply is only ever a
follow-up reply_message call, which the approval policy gates (a reply promising money
waits for the owner; an escalated draft always does). The model drafts words; whether a
thread goes to the owner is also decided in code when the model fails. The common questions
are answered by code from the records (tools/desk/), not by the model.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from store_data.audit import Approval
from store_data.clock import as_utc, utcnow
from store_data.db import session_scope
from store_data.orders import BuyerMessage, Order, ThreadReply
from store_data.rows import stored
from store_data.status import ApprovalStatus
from tools.deps import ToolDeps
from tools.desk.answers import code_answer, holding
from tools.desk.facts import thread_facts
from tools.desk.faq import FaqEntry, faq_answer, load_faq
from tools.desk.model_draft import model_draft, model_reply_mode, no_facts
from tools.desk.questions import classify, waiting_text
from tools.drivers.marketplace import MESSAGES, RemoteMessage, RemoteThread
from tools.errors import ToolRetry
from tools.order_address import hold_for_address
from tools.order_policy import marketplace
from tools.order_sync import missing_capability, require_driver
from tools.orders import show_order
from tools.reply_claims import unsupported


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
                                                                    col(BuyerMessage.order_id).is_not(None))).first()
        number = stored(session, Order, order_id).remote_id if order_id is not None else None
    facts = {"reply_text": text, "thread_id": thread_id,
             "unsupported_claims": unsupported(text, show_order(deps, number) if number else None)}
    if owner_note:
        facts["needs_person"] = f"the buyer's message is the owner's to answer: {owner_note}"
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
            record_wait(session, deps, thread_id)
    return {"thread_id": thread_id, "sent": True}


def record_wait(session: Session, deps: ToolDeps, thread_id: str) -> None:
    """How long the buyer waited: from the platform's time of their first message this reply
    answers (the first not yet handled) to now; those messages are handled from here on."""
    waiting = session.exec(select(BuyerMessage).where(BuyerMessage.thread_id == thread_id,
                                                      BuyerMessage.direction == "in",
                                                      col(BuyerMessage.handled).is_(False))
                           .order_by(col(BuyerMessage.sent_at))).all()
    now = utcnow()
    asked = as_utc(waiting[0].sent_at) if waiting else None
    session.add(ThreadReply(marketplace=marketplace(deps), thread_id=thread_id, asked_at=asked, replied_at=now,
                            wait_s=(now - asked).total_seconds() if asked else None))
    for message in waiting:
        message.handled = True
        session.add(message)




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
                row = BuyerMessage(marketplace=marketplace(deps), thread_id=thread.remote_id,
                                   order_id=order.id if order else None, direction="in",
                                   text=message.text, remote_id=remote_id)
                if message.sent_at:  # else the time it was read
                    row.sent_at = message.sent_at
                session.add(row)
        return order.id if order else None


def draft_for_thread(deps: ToolDeps, thread: RemoteThread, messages: list[RemoteMessage],
                     faq: list[FaqEntry]) -> dict:
    """The reply to one waiting thread when code can answer it from the records (with whether
    the owner must read it first), else {"defer": True}: the model drafts it (draft_reply)."""
    order_id = _record_incoming(deps, thread, messages)
    asked = waiting_text(messages)
    question = classify(asked, deps.settings.locale)
    if thread.order_number and order_id is None:
        draft = holding(question, no_facts(deps, thread.order_number),
                        f"order {thread.order_number} is not in the shop's records yet (sync_orders)")
        return {"reply": draft.text, "escalate": True, "reason": draft.reason, "made_by": "code",
                "kind": question.kind, "language": question.language}
    facts = thread_facts(deps.engine, deps.settings, order_id, f"{thread.subject}\n{asked}")
    answer = code_answer(question, facts, faq_answer(faq, asked, question.language), asked)
    if answer is not None:
        if answer.hold_order and order_id is not None:
            hold_for_address(deps, order_id, answer.hold_flag)
        return {"reply": answer.text, "escalate": answer.escalate, "reason": answer.reason, "made_by": "code",
                "kind": question.kind, "language": question.language, "calls": list(answer.calls)}
    if model_reply_mode(deps) == "off":
        draft = holding(question, no_facts(deps, thread.order_number),
                        "no answer to this question in the shop's records, and the model is not asked "
                        "(desk_model_replies)")
        return {"reply": draft.text, "escalate": True, "reason": draft.reason, "made_by": "code",
                "kind": question.kind, "language": question.language}
    return {"defer": True, "kind": question.kind, "language": question.language}


def draft_reply(deps: ToolDeps, thread_id: str, not_after: str = "") -> dict:
    """Draft with the model the reply to one buyer thread that code could not answer from the
    shop's records; it becomes a reply_message call, checked like any other reply. Drafts of a
    model the shop does not trust with open questions (desk_model_replies) wait for the owner.
    Past `not_after` (ISO time) the thread is left for the next pass."""
    if not_after and utcnow() > datetime.fromisoformat(not_after):
        return {"thread_id": thread_id, "follow_up": [],
                "note": "left for the next pass: this pass's time for model drafts is used up"}
    driver = require_driver(deps, MESSAGES)
    thread, messages = driver.get_thread(thread_id)
    asked = waiting_text(messages)
    if not asked:
        return {"thread_id": thread_id, "follow_up": [], "note": "answered since it was listed"}
    order_id = _record_incoming(deps, thread, messages)
    question = classify(asked, deps.settings.locale)
    draft, made_by = model_draft(deps, thread, messages, order_id, question)
    note = (draft.reason or "the model asked for the owner") if draft.escalate else ""
    if not note and model_reply_mode(deps) == "owner":
        note = f"a draft by the {getattr(deps.llm, 'provider', '')} model (desk_model_replies): read it before it goes"
    return {"thread_id": thread_id, "made_by": made_by, "kind": question.kind, "escalated": bool(note),
            "follow_up": [{"tool": "reply_message", "why": f"reply by the model ({made_by}) to a {question.kind} question",
                           "arguments": {"thread_id": thread_id, "text": draft.reply, "owner_note": note}}]}


def threads_to_answer(deps: ToolDeps, threads: list[RemoteThread]) -> list[RemoteThread]:
    """The waiting threads to draft a reply for: all but those whose reply already waits for
    the owner with nothing new from the buyer since (drafting them again every pass would only
    cost time; a thread the buyer wrote in again is drafted again)."""
    since = utcnow() - timedelta(hours=deps.settings.approval_expire_hours)
    with Session(deps.engine) as session:
        held = {a.arguments.get("thread_id") for a in session.exec(select(Approval).where(
            Approval.tool == "reply_message", Approval.status == ApprovalStatus.PENDING, Approval.created_at > since))}
        fresh = []
        for thread in threads:
            if thread.remote_id in held and thread.last_activity is not None:
                latest = session.exec(select(func.max(BuyerMessage.sent_at)).where(
                    BuyerMessage.thread_id == thread.remote_id, BuyerMessage.direction == "in")).one()
                if latest is not None and thread.last_activity <= as_utc(latest):
                    continue
            fresh.append(thread)
    return fresh


def answer_messages(deps: ToolDeps, model_seconds: int = 0) -> dict:
    """Answer every buyer thread waiting for a reply: common questions (where is my order, when
    will it ship, what is it made of, its size, stock, returns) from the shop's records by code,
    others drafted by the model from the thread's own order and the shop's policy. Each becomes
    a reply_message call, checked against the records before it is sent; what needs a person
    (a complaint, money, a failed model) goes to the owner. With `model_seconds`, the model's
    drafts stop after that long and the threads left are answered by the next pass."""
    skipped = missing_capability(deps, MESSAGES)
    if skipped:
        return {"drafted": [], "follow_up": [], "note": skipped}
    driver = require_driver(deps, MESSAGES)
    faq = load_faq(deps.workdir)
    not_after = (utcnow() + timedelta(seconds=model_seconds)).isoformat() if model_seconds > 0 else ""
    follow_up: list[dict] = []
    drafted: list[dict] = []
    for_model: list[dict] = []
    for listed in threads_to_answer(deps, driver.list_threads(waiting_only=True)):
        thread, messages = driver.get_thread(listed.remote_id)
        if not waiting_text(messages):
            continue  # answered since it was listed
        draft = draft_for_thread(deps, thread, messages, faq)
        if draft.get("defer"):
            # Model drafts run as steps of their own after every code answer is sent: a slow model
            # delays only its own threads.
            # The first draft of a pass always runs, so no thread waits for ever behind slow passes.
            for_model.append({"tool": "draft_reply", "arguments": {"thread_id": thread.remote_id,
                                                                   "not_after": not_after if for_model else ""},
                              "why": f"no answer from the records to a {draft['kind']} question: the model drafts"})
            drafted.append({"thread_id": thread.remote_id, "made_by": "model", "kind": draft["kind"],
                            "language": draft["language"], "escalated": False})
            continue
        note = draft["reason"] if draft["escalate"] else ""
        follow_up += draft.get("calls", [])  # an address change runs before the reply that confirms it
        follow_up.append({"tool": "reply_message", "why": f"reply by {draft['made_by']} to a {draft['kind']} question",
                          "arguments": {"thread_id": thread.remote_id, "text": draft["reply"], "owner_note": note}})
        drafted.append({"thread_id": thread.remote_id, "made_by": draft["made_by"], "kind": draft["kind"],
                        "language": draft["language"], "escalated": bool(note)})
    return {"drafted": drafted, "follow_up": follow_up + for_model}
