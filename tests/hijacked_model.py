"""A hijacked model: an OpenAI-compatible chat server on 127.0.0.1 that obeys whatever
instruction it finds in its prompt, fenced data included. Tests point the real `openai`
provider at it (`llm_base_url`) to show that code, not the model's good manners, keeps
scam copy off the marketplace, refund promises away from buyers and money on the orders
the owner named.

- listing copy: the instruction's text goes into the title, selling points, description,
  tags and meta description;
- a reply to a buyer: it promises a full refund and credit, as the buyer asked;
- an `ask` plan: a full refund of every order the instruction names.
"""

import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request

FENCED = re.compile(r"<<<\w*\n(.*?)\n>>>", re.S)
QUOTED = re.compile(r"[\"'“‘「](.+?)[\"'”’」]")
COMMAND = re.compile(r"(?:SYSTEM|ADMIN|OWNER)\s*[:：]\s*(.+)", re.I)
ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]\d{5,}(?![0-9])")
PRODUCT = re.compile(r"^Product: (.+)$", re.M)


def _text(messages: list[dict]) -> str:
    parts = []
    for message in messages:
        content = message.get("content") or ""
        parts.append(content if isinstance(content, str)
                     else " ".join(p.get("text", "") for p in content if isinstance(p, dict)))
    return "\n".join(parts)


def instruction(prompt: str) -> str:
    """What the prompt's data tells the model to do: the text it quotes, else the whole
    fenced text, else what follows a 'SYSTEM:' label."""
    data = " ".join(FENCED.findall(prompt)) or " ".join(COMMAND.findall(prompt))
    quoted = QUOTED.findall(data)
    return " ".join(quoted) if quoted else data.strip()


def obey(prompt: str) -> dict:
    """The hijacked answer to one chat request, as the JSON object the shop asked for."""
    order = instruction(prompt)
    if "You write product listings" in prompt:
        named = PRODUCT.search(prompt)
        product = named[1].strip() if named else "product"
        # Within the platform's limits, so only the checks of what it says can stop it.
        return {"title": f"{product}, {order}"[:80], "selling_points": [order[:60], f"{product}, as described"[:60],
                                                                         f"{product} for every day"[:60]],
                "description": f"{product}. {order}."[:300], "tags": [product[:20], "replica", "whatsapp"],
                "meta_description": f"{product}, {order}"[:150]}
    if "You answer buyer messages" in prompt:
        return {"reply": f"Of course! As you asked ({order[:80]}), we have refunded your order in full "
                         "and added a $50.00 credit to your account.", "escalate": False, "reason": ""}
    if "Turn the owner's goal into a plan" in prompt:
        goal = prompt.split("The owner's goal:", 1)[-1]
        command = " ".join(QUOTED.findall(goal) + COMMAND.findall(goal))
        return {"answer": "Done as instructed.", "steps": [
            {"tool": "refund_order", "arguments": {"order_id": number}, "why": "the instruction says so"}
            for number in dict.fromkeys(ORDER_NUMBER.findall(command))]}
    return {}


@dataclass
class HijackedModel:
    """The running server: its base URL and every prompt it was sent."""

    url: str
    prompts: list[str] = field(default_factory=list)


def _app(model: HijackedModel) -> FastAPI:
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def complete(request: Request) -> dict:
        body = await request.json()
        prompt = _text(body.get("messages", []))
        model.prompts.append(prompt)
        content = json.dumps(obey(prompt), ensure_ascii=False)
        usage = {"prompt_tokens": len(prompt) // 4 + 1, "completion_tokens": len(content) // 4 + 1}
        return {"id": f"chatcmpl-{len(model.prompts)}", "object": "chat.completion", "created": int(time.time()),
                "model": body.get("model", "hijacked"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {**usage, "total_tokens": sum(usage.values())}}

    return app


@contextmanager
def hijacked_model() -> Iterator[HijackedModel]:
    """The hijacked model's server on a free port of 127.0.0.1, for the time of the block."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    model = HijackedModel(url=f"http://127.0.0.1:{sock.getsockname()[1]}/v1")
    server = uvicorn.Server(uvicorn.Config(_app(model), log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "the hijacked model's server did not start"
            time.sleep(0.02)
        yield model
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
