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


def test_an_answer_cut_off_by_the_length_limit_counts_as_a_bad_answer():
    from types import SimpleNamespace

    from openai import LengthFinishReasonError

    class CutOff(ScriptedChatModel):
        def _generate(self, messages, stop=None, run_manager=None, **kwargs):
            if not self.requests:
                self.requests.append(list(messages))
                usage = SimpleNamespace(prompt_tokens=30, completion_tokens=64)
                raise LengthFinishReasonError(completion=SimpleNamespace(usage=usage))
            return super()._generate(messages, stop, run_manager, **kwargs)

    llm = LLM(chat=CutOff([{"name": "a", "count": 1}]))
    result = ask_structured(llm, "s", "u", Answer, fallback=lambda: Answer(name="f", count=0))
    assert result.made_by == "repaired" and result.problems == ["the answer was cut off (LengthFinishReasonError)"]
    # The cut-off answer's tokens were spent and are counted with the repair's.
    assert llm.calls == 2 and llm.input_tokens > 30 and llm.output_tokens > 64


def test_embedded_requests_carry_max_tokens_the_server_understands():
    from agent.llm import LocalChatOpenAI

    chat = LocalChatOpenAI(base_url="http://127.0.0.1:9/v1", model="m", api_key="k", max_tokens=64)
    payload = chat._get_request_payload([("user", "hi")])
    assert payload["max_tokens"] == 64 and "max_completion_tokens" not in payload


def budgeted(replies, budget, user="user"):
    chat = ScriptedChatModel(replies)
    llm = LLM(chat=chat)
    result = ask_structured(llm, "system", user, Answer, fallback=lambda: Answer(name="fallback", count=0),
                            check=lambda a: ["no superlatives"] if a.name == "best" else [], token_budget=budget)
    return result, chat, llm


def test_a_repair_is_capped_at_what_the_budget_leaves():
    result, chat, llm = budgeted([{"name": "best", "count": 1}, {"name": "good", "count": 1}], budget=200)
    assert (result.value.name, result.made_by) == ("good", "repaired")
    first, cap = chat.limits
    assert first is None and cap is not None
    # Even an answer that had used the whole cap would have kept the calls within the budget.
    repair_output = len('{"name": "good", "count": 1}') // 4 + 1
    assert llm.tokens - repair_output + cap <= 200


def test_a_repair_answer_past_the_cap_is_cut_off_and_the_budget_holds():
    long_answer = {"name": "good " * 200, "count": 1}
    result, chat, llm = budgeted([{"name": "best", "count": 1}, long_answer], budget=200)
    assert result.made_by == "fallback" and chat.limits[1] is not None
    assert "cut off" in result.problems[-1] and llm.tokens <= 200


def test_no_repair_when_the_budget_leaves_no_room_for_an_answer():
    result, chat, llm = budgeted([{"name": "best", "count": 1}], budget=60, user="user " * 20)
    assert (result.made_by, llm.calls) == ("fallback", 1)
    assert result.problems[-1] == "no repair: it would pass the 60-token budget"


def test_repairs_stop_after_a_run_of_failures_and_are_probed_again():
    """A model whose repairs keep failing is not asked to repair that kind of answer again,
    except every PROBE-th time; a repair that works brings them back."""
    from tools.llm import FAILURE_STREAK, PROBE

    bad, good = {"name": "best", "count": 1}, {"name": "ok", "count": 1}
    chat = ScriptedChatModel([bad] * 100)
    llm = LLM(chat=chat)

    def ask_once(check=lambda a: ["no superlatives"] if a.name == "best" else []):
        before = llm.calls
        result = ask_structured(llm, "s", "u", Answer, fallback=lambda: Answer(name="fallback", count=0), check=check)
        return result, llm.calls - before

    for _ in range(FAILURE_STREAK):
        assert ask_once()[1] == 2  # answer + repair
    calls = [ask_once()[1] for _ in range(PROBE)]
    assert calls == [1] * (PROBE - 1) + [2]  # repairs skipped, then one probe
    result, _ = ask_once()
    assert result.made_by == "fallback" and result.problems[-1].startswith("no repair: the model's last")
    # Another kind of answer still gets its repair.

    class Other(BaseModel):
        name: str
        count: int

    before = llm.calls
    ask_structured(llm, "s", "u", Other, fallback=lambda: Other(name="f", count=0),
                   check=lambda a: ["no superlatives"] if a.name == "best" else [])
    assert llm.calls - before == 2
    # A probe that succeeds resets the streak.
    llm.record(Answer).repairs.skipped = PROBE - 1
    chat.replies.extendleft([good, bad])  # next: bad, then good
    result, used = ask_once()
    assert (result.made_by, used) == ("repaired", 2)
    assert ask_once()[1] == 2


def test_a_model_whose_answers_keep_failing_is_not_asked_when_the_caller_allows_it():
    from tools.llm import FAILURE_STREAK, PROBE

    bad, good = {"name": "best", "count": 1}, {"name": "ok", "count": 1}
    chat = ScriptedChatModel([bad] * 100)
    llm = LLM(chat=chat)

    def ask_once(skip=True):
        before = llm.calls
        result = ask_structured(llm, "s", "u", Answer, fallback=lambda: Answer(name="fallback", count=0),
                                check=lambda a: ["no superlatives"] if a.name == "best" else [], skip_failing_model=skip)
        return result, llm.calls - before

    for _ in range(FAILURE_STREAK):
        assert ask_once()[0].made_by == "fallback"
    skipped, _ = ask_once()
    assert (skipped.made_by, skipped.attempts) == ("fallback", 0)
    assert skipped.problems == [f"model not asked: its last {FAILURE_STREAK} answers of this kind all failed the checks"]
    assert ask_once(skip=False)[1] >= 1  # a caller that does not allow skipping still asks
    uses = [ask_once()[1] for _ in range(PROBE - 1)]
    assert uses[:-1] == [0] * (PROBE - 2) and uses[-1] >= 1  # the PROBE-th skip asks again
    # An accepted answer ends the streak: the next one is asked.
    llm.record(Answer).answers.skipped = PROBE - 1
    chat.replies.extendleft([good])
    assert ask_once()[0].made_by == "model"
    assert ask_once()[1] >= 1
