"""The embedded server's lazy grammar check, on the real SmolLM2 weights in this process:
the same greedy answers as llama-cpp-python's own grammar sampling, and never an answer
outside the grammar."""

import json

import pytest
from typing import Annotated

from pydantic import BaseModel, Field

llama_cpp = pytest.importorskip("llama_cpp", reason="the embedded model needs the `local` extra")

from agent import model_server  # noqa: E402
from agent.local_model import embedded_model_path  # noqa: E402
from llama_cpp.llama_grammar import LlamaGrammar  # noqa: E402


class Item(BaseModel):
    name: Annotated[str, Field(max_length=40)]
    colours: list[Annotated[str, Field(max_length=16)]] = Field(max_length=3)
    in_stock: bool


@pytest.fixture(scope="module")
def model():
    llm = llama_cpp.Llama(str(embedded_model_path()), n_ctx=1024, n_threads=2, verbose=False, chat_format="chatml")
    yield llm
    llama_cpp.Llama._init_sampler = model_server._chain_sampler
    llm.close()


def answer(llm, lazy: bool, prompt: str, temperature: float = 0.0, seed: int = 1, **format_) -> str:
    llama_cpp.Llama._init_sampler = model_server._init_sampler if lazy else model_server._chain_sampler
    # Evaluate the whole prompt each time: a prompt reused from the cache is evaluated in other
    # batch shapes, whose rounding can tip a near-tie between two tokens.
    llm.reset()
    reply = llm.create_chat_completion([{"role": "user", "content": prompt}], temperature=temperature, seed=seed,
                                       max_tokens=200, **format_)
    return reply["choices"][0]["message"]["content"]


SCHEMA = {"response_format": {"type": "json_object", "schema": Item.model_json_schema()}}


@pytest.mark.parametrize("prompt", ["Describe a blue ceramic mug as JSON.", "A bamboo cutting board, as JSON."])
def test_greedy_answers_are_the_same_as_full_grammar_sampling(model, prompt):
    full = answer(model, lazy=False, prompt=prompt, **SCHEMA)
    lazy = answer(model, lazy=True, prompt=prompt, **SCHEMA)
    assert lazy == full
    Item.model_validate_json(lazy)


def test_sampled_answers_stay_inside_the_grammar(model):
    for seed in range(4):
        text = answer(model, lazy=True, prompt="Tell me about a vase, as JSON.", temperature=0.9, seed=seed, **SCHEMA)
        Item.model_validate(json.loads(text))


def test_a_refused_pick_is_replaced_by_an_allowed_token(model):
    """The model would never write "oui" or "non" here unprompted: every first pick is refused."""
    grammar = LlamaGrammar.from_string('root ::= "oui" | "non"', verbose=False)
    llama_cpp.Llama._init_sampler = model_server._init_sampler
    reply = model.create_completion("Is the sky blue? Answer:", grammar=grammar, temperature=0, max_tokens=8)
    assert reply["choices"][0]["text"] in ("oui", "non")
    sampler = model._sampler  # the last generation's sampler
    assert isinstance(sampler, model_server.LazyGrammarSampler) and sampler.refusals >= 1
