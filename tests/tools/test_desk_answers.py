"""The service desk's code answers: questions recognised in English and Chinese, answered from
the thread's own records only, and never with a claim the reply check would hold back."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlmodel import Session, SQLModel, select

from agent.workflows.daily import STAGES
from agent.workspace import load_settings, open_workspace
from store_data.db import session_scope
from store_data.orders import BuyerMessage, Order, OrderLine, Shipment, ThreadReply
from store_data.shop import Product, Variant
from tools.deps import ToolDeps
from tools.desk.answers import code_answer
from tools.desk.facts import thread_facts
from tools.desk.faq import faq_answer, load_faq
from tools.desk.model_draft import DraftReply, draft_problems, model_reply_mode
from tools.desk.questions import classify
from tools.errors import ToolFailed
from tools.messages import draft_reply, record_wait
from tools.order_address import CANCEL_HOLD, hold_for_address, parse_address
from tools.order_stages import fulfil_orders
from tools.reply_claims import AMOUNT, unsupported

PLACED = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)  # a Monday


@pytest.mark.parametrize(("text", "kind", "language"), [
    ("Where is my order?", "status", "en"),
    ("When will my mug ship?", "status", "en"),
    ("Has my parcel left yet?", "status", "en"),
    ("我的订单什么时候发货？", "status", "zh-CN"),
    ("快递到哪了", "status", "zh-CN"),
    ("What is the mug made of?", "product", "en"),
    ("Does this run true to size? I am usually a M.", "product", "en"),
    ("这个杯子是什么材质的？", "product", "zh-CN"),
    ("Is the tee still in stock in M?", "stock", "en"),
    ("Can I return it if it does not fit?", "returns", "en"),
    ("可以退货吗？", "returns", "zh-CN"),
    ("Please change my delivery address to 12 Oak Lane, Austin.", "address", "en"),
    ("我搬家了，能改地址吗", "address", "zh-CN"),
    ("Please cancel my order", "cancel", "en"),
    ("Can you do a discount if I buy two?", "haggle", "en"),
    ("能便宜点吗", "haggle", "zh-CN"),
    ("The mug arrived cracked. Not happy.", "complaint", "en"),
    ("You are scammers, useless shop", "abuse", "en"),
    ("I want my money back", "refund", "en"),
    ("What is the capital of France?", "other", "en"),
])
def test_questions_are_recognised_in_both_languages(text, kind, language):
    question = classify(text)
    assert (question.kind, question.language) == (kind, language)


@pytest.fixture
def shop(workdir):
    workspace = open_workspace(load_settings(workdir, ship_within_days=2, return_days=7))
    with session_scope(workspace.engine) as session:
        mug = Product(handle="mug", name="Stoneware coffee mug",
                      attributes={"material": "stoneware", "capacity": "350 ml", "supplier_note": "call 555"})
        tee = Product(handle="tee", name="Organic cotton T-shirt", attributes={"material": "organic cotton"})
        session.add_all([mug, tee])
        session.flush()
        session.add_all([Variant(sku="MUG-01", product_id=mug.id, cost_cents=500, stock=3),
                         Variant(sku="TEE-S", product_id=tee.id, cost_cents=500, stock=0, options={"size": "S"}),
                         Variant(sku="TEE-M", product_id=tee.id, cost_cents=500, stock=4, options={"size": "M"})])
        shipped = Order(remote_id="S-100", status="shipped", total_cents=1450, paid_cents=1450, placed_at=PLACED)
        waiting = Order(remote_id="S-101", status="paid", total_cents=1450, paid_cents=1450, placed_at=PLACED)
        session.add_all([shipped, waiting])
        session.flush()
        for order in (shipped, waiting):
            session.add(OrderLine(order_id=order.id, sku="MUG-01", name="Stoneware coffee mug", quantity=1,
                                  unit_price_cents=1450))
        session.add(Shipment(order_id=shipped.id, carrier="Sandbox Post", tracking_number="SP123456",
                             shipped_at=datetime(2026, 5, 5, 14, 0, tzinfo=UTC)))
        ids = {"S-100": shipped.id, "S-101": waiting.id}
    return workspace, ids


def answer(shop, number, text, now=PLACED):
    workspace, ids = shop
    question = classify(text)
    facts = thread_facts(workspace.engine, workspace.settings, ids.get(number), text)
    facts.now = now
    reply = code_answer(question, facts, text=text)
    # Every code answer passes the same claim check as a model's draft, against its own order.
    order = {"status": "shipped" if number == "S-100" else "paid", "refunded_cents": 0,
             "total_cents": 1450, "paid_cents": 1450} if number else None
    assert unsupported(reply.text, order) == [], reply.text
    return reply


def test_a_shipped_order_is_answered_with_its_own_shipment(shop):
    reply = answer(shop, "S-100", "Where is my order?")
    assert not reply.escalate
    assert "S-100" in reply.text and "2026-05-05" in reply.text and "SP123456" in reply.text
    zh = answer(shop, "S-100", "我的快递到哪了？")
    assert "SP123456" in zh.text and "已于 2026-05-05" in zh.text


def test_an_unshipped_order_gets_the_date_it_leaves_by_policy(shop):
    reply = answer(shop, "S-101", "When will my order ship?")
    assert "has not left us yet" in reply.text and "2026-05-06" in reply.text  # 2 working days after Monday
    assert "SP123456" not in reply.text  # another order's tracking never shows
    late = answer(shop, "S-101", "When will my order ship?", now=datetime(2026, 5, 8, tzinfo=UTC))
    assert late.escalate and "past its ship-by date (2026-05-06)" in late.reason


def test_product_questions_state_catalog_attributes_only(shop):
    reply = answer(shop, "S-100", "What is it made of?")
    assert "stoneware" in reply.text and "555" not in reply.text  # supplier's unknown key stays out
    sizes = answer(shop, None, "Does the organic cotton T-shirt run true to size?")
    assert "S, M" in sizes.text
    stock = answer(shop, None, "Is the Organic cotton T-shirt in stock?")
    assert "S: sold out" in stock.text and "M: in stock" in stock.text
    unknown = answer(shop, "S-100", "How heavy is it?")
    assert unknown.escalate and "weight" in unknown.reason


def test_returns_cancellations_and_address_changes(shop):
    returns = answer(shop, "S-100", "Can I return it?")
    assert "7 days" in returns.text and "2026-05-12" in returns.text
    late = answer(shop, "S-100", "Please cancel my order")
    assert not late.escalate and "can no longer be stopped" in late.text
    early = answer(shop, "S-101", "请取消我的订单")
    assert "还未发货" in early.text
    partial = answer(shop, "S-101", "Please change my delivery address to 12 Oak Lane")
    assert partial.hold_order and not partial.calls and "postcode" in partial.text
    too_late = answer(shop, "S-100", "I moved, can you send it to 12 Oak Lane, Austin 73301 instead?")
    assert not too_late.hold_order and not too_late.calls and "already left" in too_late.text


def test_a_full_new_address_is_changed_on_the_platform_before_the_reply_confirms_it(shop):
    workspace, ids = shop
    text = "I moved — can you send it to 12 Oak Lane, Austin, TX 73301 instead?"
    reply = code_answer(classify(text), thread_facts(workspace.engine, workspace.settings, ids["S-101"], text),
                        text=text)
    [call] = reply.calls
    assert call == {"tool": "change_order_address", "why": "the buyer asked for a new delivery address",
                    "arguments": {"order_id": "S-101", "address1": "12 Oak Lane", "city": "Austin", "region": "TX",
                                  "postcode": "73301"}}
    assert reply.hold_order and "12 Oak Lane, Austin TX 73301" in reply.text
    # The confirmation is held unless the order's records ship to the new street by then.
    order = {"status": "paid", "refunded_cents": 0, "total_cents": 1450, "paid_cents": 1450}
    assert unsupported(reply.text, {**order, "address": {"street": "1 Main St"}}) == ["shipping"]
    assert unsupported(reply.text, {**order, "address": {"street": "12 Oak Lane"}}) == []
    assert unsupported(reply.text + " We upgraded it to express.", {**order, "address": {"street": "12 Oak Lane"}}) \
        == ["shipping"]


def test_complaints_money_and_abuse_go_to_the_owner_with_a_reply_that_promises_nothing(shop):
    for text in ("The mug arrived cracked", "I want a refund now", "you are scammers", "杯子坏了"):
        reply = answer(shop, "S-100", text)
        assert reply.escalate and ("owner" in reply.text or "店主" in reply.text)


def test_the_owners_faq(shop, workdir):
    (workdir / "faq.toml").write_text('[[faq]]\nwords = ["gift wrap", "礼品"]\nanswer = "We wrap gifts."\n'
                                      'answer_zh = "可以礼品包装。"\n', encoding="utf-8")
    entries = load_faq(workdir)
    assert faq_answer(entries, "Can you GIFT WRAP it?", "en") == "We wrap gifts."
    assert faq_answer(entries, "能做礼品包装吗", "zh-CN") == "可以礼品包装。"
    assert faq_answer(entries, "Where is my order?", "en") is None
    (workdir / "faq.toml").write_text('[[faq]]\nanswer = "no words"\n', encoding="utf-8")
    with pytest.raises(ToolFailed, match="FAQ entry 1 .* needs `words`"):
        load_faq(workdir)


def test_haggling_never_goes_below_the_owners_floor(shop):
    workspace, _ = shop
    with session_scope(workspace.engine) as session:
        for sku, price, cost in (("MUG-01", 1450, 500), ("TEE-M", 1999, 1800)):
            variant = session.exec(select(Variant).where(Variant.sku == sku)).one()
            variant.price_cents, variant.cost_cents = price, cost
            session.add(variant)
    text = "Can you do a discount on the Stoneware coffee mug?"
    fixed = code_answer(classify(text), thread_facts(workspace.engine, workspace.settings, None, text))
    assert not fixed.escalate and not AMOUNT.search(fixed.text)  # price_floor_pct 100: no lower price, no figure

    settings = workspace.settings.model_copy(update={"price_floor_pct": Decimal("90")})
    offer = code_answer(classify(text), thread_facts(workspace.engine, settings, None, text))
    assert "13.05 USD" in offer.text and offer.escalate and "floor" in offer.reason  # 90 % of 14.50
    # The cost floor wins where it is higher: 18.00 x 1.3 is above the list price, so no offer.
    tee = "能便宜点吗？Organic cotton T-shirt"
    assert "没有额外优惠" in code_answer(classify(tee), thread_facts(workspace.engine, settings, None, tee)).text


@pytest.mark.parametrize(("text", "address"), [
    ("Please change my delivery address to 1 Oak Lane, Austin 73301.",
     {"address1": "1 Oak Lane", "city": "Austin", "region": "", "postcode": "73301"}),
    ("send it to 9 Elm St, San Marcos, TX 78666 instead", {"address1": "9 Elm St", "city": "San Marcos", "region": "TX",
                                                           "postcode": "78666"}),
    ("I moved, can you send it to 2 Oak Lane, Austin instead?", None),
])
def test_a_new_address_is_read_only_when_it_is_whole(text, address):
    assert parse_address(text) == address


def test_an_order_waiting_for_its_new_address_is_not_shipped(shop):
    workspace, ids = shop
    deps = workspace.tool_deps()

    def to_ship():
        return [c["arguments"]["order_id"] for c in fulfil_orders(deps)["follow_up"] if c["tool"] == "ship_order"]

    assert to_ship() == ["S-101"]
    hold_for_address(deps, ids["S-101"])
    assert to_ship() == [] and fulfil_orders(deps)["held_for_new_address"] == ["S-101"]


def test_a_model_draft_that_echoes_the_prompt_or_the_buyer_is_no_reply():
    asked = "Do you sell gift cards?"
    assert draft_problems(DraftReply(reply="The text the buyer will read"), asked)  # SmolLM2 did this
    assert draft_problems(DraftReply(reply="Do you sell gift cards?"), asked)
    assert draft_problems(DraftReply(reply="Hi"), asked)
    assert draft_problems(DraftReply(reply="Sorry, we have no gift cards at the moment."), asked) == []


def test_the_embedded_model_is_not_asked_for_replies_unless_the_owner_says_so(workdir):
    def mode(provider, **settings):
        deps = ToolDeps(engine=None, workdir=workdir, settings=load_settings(workdir, **settings),
                        llm=SimpleNamespace(provider=provider))
        return model_reply_mode(deps)

    assert (mode("embedded"), mode("openai"), mode("scripted")) == ("off", "send", "send")
    assert mode("embedded", desk_model_replies="owner") == "owner" and mode("openai", desk_model_replies="off") == "off"


def test_a_model_draft_past_its_passs_time_is_left_for_the_next_pass(workdir):
    deps = ToolDeps(engine=None, workdir=workdir, settings=load_settings(workdir))
    left = draft_reply(deps, "T-1", not_after="2020-01-01T00:00:00+00:00")
    assert left["follow_up"] == [] and "next pass" in left["note"]


def test_the_buyers_wait_is_recorded_once_per_reply_on_each_backend(engine, workdir):
    SQLModel.metadata.create_all(engine)
    deps = ToolDeps(engine=engine, workdir=workdir, settings=load_settings(workdir))
    asked = datetime(2026, 5, 4, 9, 0, 30, tzinfo=UTC)
    with session_scope(engine) as session:
        session.add_all([BuyerMessage(thread_id="T-1", direction="in", text="Where is it?", sent_at=asked),
                         BuyerMessage(thread_id="T-1", direction="in", text="Hello??", sent_at=asked + timedelta(minutes=1))])
    with session_scope(engine) as session:
        record_wait(session, deps, "T-1")
    with session_scope(engine) as session:
        record_wait(session, deps, "T-1")  # nothing new waited: no wait to record
    with Session(engine) as session:
        waits = session.exec(select(ThreadReply)).all()
        handled = session.exec(select(BuyerMessage.handled)).all()
    def aware(moment):
        return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None

    assert [aware(w.asked_at) for w in waits] == [asked, None] and waits[0].wait_s > 0 and waits[1].wait_s is None
    assert handled == [True, True]


def test_an_order_whose_buyer_asks_to_cancel_is_held_until_the_request_is_decided(shop):
    workspace, ids = shop
    deps = workspace.tool_deps()
    early = answer(shop, "S-101", "Please cancel my order")
    assert early.hold_order and early.hold_flag == CANCEL_HOLD and "holding it" in early.text
    assert not answer(shop, "S-100", "Please cancel my order").hold_order  # it has left: nothing to hold
    hold_for_address(deps, ids["S-101"], early.hold_flag)
    result = fulfil_orders(deps)
    assert [c for c in result["follow_up"] if c["tool"] == "ship_order"] == []
    assert result["held_for_new_address"] == ["S-101"]


def test_messages_and_requests_are_read_before_anything_ships_in_the_daily_loop():
    names = [tool for tool, _, _ in STAGES]
    assert names.index("answer_messages") < names.index("fulfil_orders")
    assert names.index("handle_requests") < names.index("fulfil_orders")
