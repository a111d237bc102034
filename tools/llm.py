"""Model calls whose output drives an action: structured, validated, repaired, or replaced.

`LLM` wraps a LangChain chat model with what the workflows need around it: JSON mode where
the provider supports it, token and call counts, and a lazy start (the embedded model's
server only starts on first use). `ask_structured()` is the one way to get a typed answer:
parse -> validate (schema, then the caller's own checks) -> on failure send the problems
back (bounded) -> else a deterministic fallback. The result says which path made it.
"""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from langchain_core.language_models import BaseChatModel
from openai import ContentFilterFinishReasonError, LengthFinishReasonError
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel, ValidationError

from tools.errors import ToolFailed

T = TypeVar("T", bound=BaseModel)
MadeBy = Literal["model", "repaired", "fallback"]
# After this many failures in a row of one kind of answer, the model is not asked for it any
# more (a small model resends the same faults: each call then costs seconds and ends at the
# fallback anyway) ...
FAILURE_STREAK = 4
# ... except every PROBE-th time, so a model that can do it after all is noticed.
PROBE = 5
NOT_ASKED = "model not asked"  # how a skipped asking is named in `Structured.problems`
# llama-cpp-python writes a string's maxLength as that many nested optional characters, and
# llama.cpp refuses a grammar past about 1,000 of them ("number of rules that are going to be
# repeated ... exceeds sane defaults": the server answers 500). Longer limits are left to the
# validation of the answer and to the token cap.
GRAMMAR_MAX_LENGTH = 500


@dataclass
class Streak:
    """Failures in a row of one thing the model is asked to do, and the askings skipped since."""

    failed_in_a_row: int = 0
    skipped: int = 0

    def worth_asking(self) -> bool:
        if self.failed_in_a_row < FAILURE_STREAK:
            return True
        self.skipped += 1
        return self.skipped % PROBE == 0

    def note(self, accepted: bool) -> None:
        self.failed_in_a_row = 0 if accepted else self.failed_in_a_row + 1


@dataclass
class AnswerRecord:
    """How the model's answers of one kind (one schema) have gone in this process: its
    repairs, and its answers as a whole (first answer and repair together)."""

    repairs: Streak = field(default_factory=Streak)
    answers: Streak = field(default_factory=Streak)


@dataclass
class LLM:
    """A chat model plus its JSON-mode style and usage counters."""

    chat: BaseChatModel | None = None
    provider: str = "scripted"
    # "schema": json_object with a schema (llama.cpp grammar); "object": plain json_object; "": none.
    json_mode: str = ""
    start: Callable[[], BaseChatModel] | None = None  # builds `chat` on first use
    stop: Callable[[], None] | None = None  # releases what start() started (a local server)
    calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    records: dict[str, AnswerRecord] = field(default_factory=dict)  # by schema name

    def record(self, schema: type[BaseModel]) -> AnswerRecord:
        return self.records.setdefault(schema.__name__, AnswerRecord())

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def model(self) -> BaseChatModel:
        if self.chat is None:
            if self.start is None:
                raise RuntimeError("this LLM has neither a chat model nor a way to start one")
            self.chat = self.start()
        return self.chat

    def close(self) -> None:
        """Stop what the model needed (the embedded server); safe to call twice."""
        if self.stop is not None:
            self.stop()
        self.chat = None

    def invoke(self, messages: list[BaseMessage], schema: type[BaseModel] | None = None,
               max_tokens: int | None = None) -> AIMessage:
        """One model call, counted; JSON mode when a schema is given and the provider has it;
        `max_tokens` caps this answer below the model's usual limit."""
        chat: Runnable[list[BaseMessage], BaseMessage] = self.model()
        if schema is not None and self.json_mode == "schema":
            chat = chat.bind(response_format={"type": "json_object", "schema": grammar_schema(schema)})
        elif schema is not None and self.json_mode == "object":
            chat = chat.bind(response_format={"type": "json_object"})
        if max_tokens is not None:
            chat = chat.bind(max_tokens=max_tokens)
        try:
            reply = chat.invoke(messages)
        except (LengthFinishReasonError, ContentFilterFinishReasonError) as cut:
            # The OpenAI client refuses a cut-off JSON answer; its tokens were still spent.
            usage = getattr(getattr(cut, "completion", None), "usage", None)
            self._count(getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0)
            raise
        usage = getattr(reply, "usage_metadata", None) or {}
        self._count(int(usage.get("input_tokens", 0)), int(usage.get("output_tokens", 0)))
        if not isinstance(reply, AIMessage):  # every chat model answers with one
            raise ToolFailed(f"the model client answered with a {type(reply).__name__}, not a chat reply; "
                             "check llm_provider and llm_base_url")
        return reply

    def _count(self, input_tokens: int, output_tokens: int) -> None:
        self.calls += 1
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens


def grammar_schema(schema: type[BaseModel]) -> dict:
    """The JSON schema a grammar-constrained server gets: the model's own, less any string
    length limit too long for llama.cpp's grammar (the answer is still validated against it)."""

    def loosen(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: loosen(value) for key, value in node.items()
                    if not (key == "maxLength" and isinstance(value, int) and value > GRAMMAR_MAX_LENGTH)}
        if isinstance(node, list):
            return [loosen(item) for item in node]
        return node

    return loosen(schema.model_json_schema())


@dataclass
class Structured(Generic[T]):
    value: T
    made_by: MadeBy
    attempts: int
    problems: list[str] = field(default_factory=list)  # what was wrong with rejected answers


def parse_json_object(text: str) -> Any:
    """The first JSON object in a model reply (models wrap JSON in prose or code fences)."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.S)
    if fenced:
        text = fenced.group(1).strip()
    start = text.find("{")
    if start < 0:
        raise ValueError("the reply contains no JSON object")
    # strict=False: small models put raw newlines and tabs inside strings; that is still
    # the object they meant.
    value, _ = json.JSONDecoder(strict=False).raw_decode(text[start:])
    return value


def ask_structured(
    llm: LLM | None,
    system: str,
    user: str,
    schema: type[T],
    fallback: Callable[[], T],
    check: Callable[[T], list[str]] | None = None,
    retries: int = 1,
    token_budget: int | None = None,
    grammar: type[BaseModel] | None = None,
    skip_failing_model: bool = False,
) -> Structured[T]:
    """Ask for a `schema` object; repair up to `retries` times; else use `fallback()`.

    `grammar` is a stricter schema for providers that constrain decoding to one (the local
    model): it keeps a weak model away from what it gets wrong, while answers are still
    validated against `schema`.

    `check` returns the domain problems of a parsed answer (unknown tool, invented fact, ...);
    an empty list accepts it. With no model at all the fallback is used directly. With a
    `token_budget`, all calls together stay within it: a repair's answer is capped at what
    the budget leaves, and a repair with too little room for an answer is not asked for.
    Nor is a repair asked for while the model's repairs of this schema keep failing, and
    with `skip_failing_model` the model is not asked at all while its answers of this schema
    keep ending at the fallback (`Streak`: probed again every PROBE-th time).
    """
    if llm is None:
        return Structured(fallback(), "fallback", 0, ["no model configured"])
    record = llm.record(schema)
    if skip_failing_model and not record.answers.worth_asking():
        return Structured(fallback(), "fallback", 0, [
            f"{NOT_ASKED}: its last {record.answers.failed_in_a_row} answers of this kind all failed the checks"])
    result = _ask(llm, system, user, schema, fallback, check, retries, token_budget, grammar, record.repairs)
    record.answers.note(accepted=result.made_by != "fallback")
    return result


def _ask(llm: LLM, system: str, user: str, schema: type[T], fallback: Callable[[], T], check, retries: int,
         token_budget: int | None, grammar: type[BaseModel] | None, repairs: Streak) -> Structured[T]:
    messages: list[BaseMessage] = [SystemMessage(system), HumanMessage(user)]
    problems: list[str] = []
    start_tokens, asked = llm.tokens, 0
    last_input = last_output = 0
    for attempt in range(retries + 1):
        cap = None
        if attempt and not repairs.worth_asking():
            problems.append(f"no repair: the model's last {repairs.failed_in_a_row} repairs of this kind failed")
            break
        if attempt and token_budget is not None:
            cap = _repair_room(token_budget - (llm.tokens - start_tokens), messages, last_input, last_output)
            if cap is None:
                problems.append(f"no repair: it would pass the {token_budget}-token budget")
                break
        before_input, before_output = llm.input_tokens, llm.output_tokens
        asked += 1
        try:
            reply = llm.invoke(messages, grammar or schema, max_tokens=cap)
        except (LengthFinishReasonError, ContentFilterFinishReasonError) as cut:
            # An answer cut off by the length limit cannot be valid JSON: same as a bad answer.
            # Its text is not returned, so the repair asks afresh with the same messages.
            problems.append(f"the answer was cut off ({cut.__class__.__name__})")
            last_input, last_output = llm.input_tokens - before_input, llm.output_tokens - before_output
            if attempt:
                repairs.note(accepted=False)
            continue
        last_input, last_output = llm.input_tokens - before_input, llm.output_tokens - before_output
        content = reply.content if isinstance(reply.content, str) else json.dumps(reply.content)
        errors = _problems(content, schema, check)
        if isinstance(errors, BaseModel):
            if attempt:
                repairs.note(accepted=True)
            return Structured(errors, "model" if attempt == 0 else "repaired", asked, problems)
        if attempt:
            repairs.note(accepted=False)
        if (reply.response_metadata or {}).get("finish_reason") == "length":
            errors = [f"the answer was cut off at the length limit; {errors[0]}"] + errors[1:]
        problems.extend(errors)
        messages += [AIMessage(content), HumanMessage(
            "Your answer cannot be used: " + "; ".join(errors)
            + ". Reply again with only the corrected JSON object."
        )]
    return Structured(fallback(), "fallback", asked, problems)


def _repair_room(left: int, messages: list[BaseMessage], last_input: int, last_output: int) -> int | None:
    """How many tokens a repair's answer may take so the budget holds, or None when that is
    too few for an answer about as long as the last one (it would only be cut off).

    The repair resends the last prompt (its size is known), the rejected answer (known: it
    was the last output) and the problems, estimated at 2 characters a token: they quote
    numbers and units, which tokenise densely, so the estimate errs on the high side."""
    if last_input <= 0:
        return None  # the last answer was cut off before usage came back: nothing to go by
    problems = len(str(messages[-1].content))
    room = left - last_input - last_output - problems // 2 - 16  # 16: the two turns' role markers
    return room if room >= max(0.75 * last_output, 16) else None


def _problems(content: str, schema: type[T], check) -> T | list[str]:
    try:
        value = schema.model_validate(parse_json_object(content))
    except ValueError as exc:  # JSONDecodeError and "no object" are ValueErrors
        if isinstance(exc, ValidationError):
            return [f"{'.'.join(map(str, e['loc'])) or 'object'}: {e['msg']}" for e in exc.errors()][:8]
        return [f"not valid JSON ({exc})"]
    errors = check(value) if check else []
    return errors or value
