"""A scripted chat model for tests and dry runs: it replies from a queue, in order.

Each reply is a string (content), a dict (dumped as JSON content), an AIMessage (for
tool calls), or an exception, raised as a failing server's client would raise it. Every request is kept in `requests` so tests can see what the model was sent.
When the queue is empty it raises, so a test never passes on replies it did not script.
"""

import json
from collections import deque
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field


class ScriptExhausted(BaseException):
    """The model was called more often than the script has replies.

    Not an Exception: the executor records a tool's exceptions as failed steps and goes on,
    and the code that asks the model falls back on errors; a script that ran out must end
    the test instead, wherever it happens."""


class ScriptedChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    replies: deque = Field(default_factory=deque)
    requests: list[list[BaseMessage]] = Field(default_factory=list)
    bound: list[dict[str, Any]] = Field(default_factory=list)
    limits: list[int | None] = Field(default_factory=list)  # max_tokens of each call

    def __init__(self, replies: list[Any] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.replies = deque(replies or [])

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def add(self, *replies: Any) -> None:
        self.replies.extend(replies)

    def bind_tools(self, tools, **kwargs):
        # Tool calls come from the script; binding only records what was offered.
        self.bound.append({"tools": [getattr(t, "name", str(t)) for t in tools], **kwargs})
        return self

    def _generate(self, messages: list[BaseMessage], stop=None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs) -> ChatResult:
        self.requests.append(list(messages))
        if not self.replies:
            raise ScriptExhausted(f"the scripted model has no reply left for call {len(self.requests)}")
        reply = self.replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        if isinstance(reply, dict):
            reply = json.dumps(reply, ensure_ascii=False)
        message = reply if isinstance(reply, AIMessage) else AIMessage(content=str(reply))
        prompt_chars = sum(len(str(m.content)) for m in messages)
        # Roughly 4 characters a token: enough for budgets to be exercised in tests.
        usage = {"input_tokens": prompt_chars // 4 + 1, "output_tokens": len(str(message.content)) // 4 + 1}
        metadata = {"finish_reason": "stop"}
        cap = kwargs.get("max_tokens")
        if cap is not None and usage["output_tokens"] > cap:  # cut off, as a real server does
            message = message.model_copy(update={"content": str(message.content)[:cap * 4]})
            usage["output_tokens"], metadata["finish_reason"] = cap, "length"
        usage["total_tokens"] = usage["input_tokens"] + usage["output_tokens"]
        self.limits.append(cap)
        message = message.model_copy(update={"usage_metadata": usage, "response_metadata": metadata})
        return ChatResult(generations=[ChatGeneration(message=message)])
