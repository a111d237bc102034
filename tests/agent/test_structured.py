"""Structured model output: accepted, repaired with the problems sent back, or replaced."""

from pydantic import BaseModel

from tools.llm import LLM, ask_structured, parse_json_object
from tools.scripted_model import ScriptedChatModel


class Answer(BaseModel):
    name: str
    count: int


def ask(replies, check=None):
    chat = ScriptedChatModel(replies)
    llm = LLM(chat=chat)
    result = ask_structured(llm, "system", "user", Answer, fallback=lambda: Answer(name="fallback", count=0), check=check)
    return result, chat, llm


def test_first_answer_accepted():
    result, _, llm = ask([{"name": "a", "count": 2}])
    assert (result.value, result.made_by, result.attempts) == (Answer(name="a", count=2), "model", 1)
    assert llm.calls == 1 and llm.tokens > 0


def test_invalid_answer_is_repaired_with_the_problem_sent_back():
    result, chat, _ = ask(['Sure! {"name": "a", "count": "many"}', '```json\n{"name": "a", "count": 3}\n```'])
    assert (result.value.count, result.made_by, result.attempts) == (3, "repaired", 2)
    assert "count" in chat.requests[1][-1].content and "Reply again" in chat.requests[1][-1].content


def test_domain_check_failure_falls_back():
    result, _, _ = ask([{"name": "best", "count": 1}, {"name": "best", "count": 2}],
                       check=lambda a: ["no superlatives"] if a.name == "best" else [])
    assert (result.value.name, result.made_by) == ("fallback", "fallback")
    assert result.problems == ["no superlatives", "no superlatives"]


def test_no_model_uses_fallback():
    result = ask_structured(None, "s", "u", Answer, fallback=lambda: Answer(name="f", count=1))
    assert result.made_by == "fallback"


def test_parse_json_object_finds_the_object():
    assert parse_json_object('noise {"a": {"b": 1}} trailing') == {"a": {"b": 1}}


def test_raw_control_characters_inside_strings_are_accepted():
    assert parse_json_object('{"name": "two\nlines", "count": 1}') == {"name": "two\nlines", "count": 1}
