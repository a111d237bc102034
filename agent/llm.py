"""One factory for the chat model a run uses, by settings:

- `openai`: any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM, Ollama, a
  llama.cpp server) by base URL, key and model name;
- `embedded` (default): the bundled small model on a local server, started on first use;
- `scripted`: replies read from `llm_script` (a JSON list), for dry runs and tests.
"""

import json

from langchain_openai import ChatOpenAI
from pydantic import SecretStr

from agent.errors import UserError
from agent.local_model import MODEL_ALIAS, TOOLS_ALIAS, LocalModelServer
from tools.llm import LLM
from tools.scripted_model import ScriptedChatModel


class LocalChatOpenAI(ChatOpenAI):
    """ChatOpenAI for llama.cpp's server, which speaks an older dialect: it refuses an
    assistant turn whose content is null (what LangChain sends beside tool calls), and it
    ignores `max_completion_tokens`, so a reply would run until the context is full.
    Requests that offer tools go to the server's tool-calling chat format."""

    def _get_request_payload(self, input_, *, stop=None, **kwargs) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if payload.get("tools"):
            payload["model"] = TOOLS_ALIAS
        if "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        for message in payload.get("messages", []):
            if message.get("role") == "assistant" and message.get("content") is None:
                message["content"] = ""
        return payload


def make_llm(settings) -> LLM:
    """The LLM of a run, per settings.llm_provider. The embedded server starts lazily."""
    provider = settings.llm_provider
    if provider == "openai":
        if not settings.llm_base_url and not settings.llm_api_key:
            raise UserError("llm_provider is 'openai' but neither llm_base_url nor llm_api_key is set; "
                            "set them in shopagent.toml or SHOPAGENT_LLM_BASE_URL / SHOPAGENT_LLM_API_KEY")
        chat = ChatOpenAI(base_url=settings.llm_base_url, model=settings.llm_model or "gpt-4o-mini",
                          api_key=SecretStr(settings.llm_api_key.get_secret_value() if settings.llm_api_key
                                            else "none"),
                          temperature=0, timeout=120, max_retries=2)
        return LLM(chat=chat, provider="openai", json_mode="object")
    if provider == "scripted":
        if not settings.llm_script:
            raise UserError("llm_provider is 'scripted' but llm_script (a JSON file of replies) is not set")
        try:
            replies = json.loads(settings.llm_script.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UserError(f"cannot read llm_script {settings.llm_script}: {exc}") from None
        return LLM(chat=ScriptedChatModel(replies), provider="scripted")

    server = LocalModelServer(settings.workdir / "runs" / "embedded-model.log")

    def start() -> ChatOpenAI:
        server.start()
        return LocalChatOpenAI(base_url=server.url, model=MODEL_ALIAS, api_key=SecretStr("local"), temperature=0.2,
                          max_completion_tokens=settings.llm_max_reply_tokens, timeout=300, max_retries=0)

    return LLM(start=start, stop=server.stop, provider="embedded", json_mode="schema")
