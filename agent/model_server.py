"""The embedded model server's entry point: llama-cpp-python's OpenAI-compatible server,
with grammar-constrained sampling that checks the grammar lazily.

llama-cpp-python puts the grammar into the sampler chain, so for every generated token the
grammar judges all 49,152 tokens of the vocabulary before one is picked; on 2 cores that
halves the speed of every JSON answer (about 45 instead of 95 tokens/s with the embedded
model). llama.cpp's own tools sample first and ask the grammar only about the chosen token,
judging the whole vocabulary only when that token is refused. This module does the same:
greedy answers are token for token the same, and constrained answers come about twice as
fast.

    python -m agent.model_server --config_file FILE      (same arguments as llama_cpp.server)
"""

import ctypes
import math

import llama_cpp
import numpy as np
from llama_cpp import Llama

TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])  # llama_token_data


class LazyGrammarSampler:
    """The sampler chain without the grammar, then the grammar's verdict on its pick; on a
    refusal the grammar filters the whole vocabulary and the chain picks again.

    Stands in for llama-cpp-python's LlamaSampler (sample / accept / reset / close)."""

    def __init__(self, chain, vocab, grammar, n_vocab: int):
        self.chain = chain  # a LlamaSampler: penalties, top-k/p, temperature, dist or greedy
        self.grammar = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self.grammar:
            chain.close()
            raise ValueError("llama.cpp could not parse the grammar")
        self.n_vocab = n_vocab
        self.ids = np.arange(n_vocab, dtype=np.int32)
        self.candidates = np.zeros(n_vocab, TOKEN_DATA)
        self.single = np.zeros(1, TOKEN_DATA)
        self.refusals = 0  # picks the grammar refused (each cost one full pass)

    @staticmethod
    def _view(buffer: np.ndarray, size: int):
        return llama_cpp.llama_token_data_array(
            data=buffer.ctypes.data_as(llama_cpp.llama_token_data_p), size=size, selected=-1, sorted=False)

    def _all_tokens(self, ctx, idx: int):
        """Every token with its logit, fresh: the samplers sort and cut the array in place."""
        logits = llama_cpp.llama_get_logits_ith(ctx.ctx, idx)
        self.candidates["id"] = self.ids
        self.candidates["logit"] = np.ctypeslib.as_array(logits, shape=(self.n_vocab,))
        self.candidates["p"] = 0.0
        return self._view(self.candidates, self.n_vocab)

    def _pick(self, array) -> int:
        llama_cpp.llama_sampler_apply(self.chain.sampler, ctypes.byref(array))
        return int(self.candidates["id"][array.selected])

    def _allowed(self, token: int) -> bool:
        self.single[0] = (token, 0.0, 0.0)
        llama_cpp.llama_sampler_apply(self.grammar, ctypes.byref(self._view(self.single, 1)))
        return not math.isinf(float(self.single["logit"][0]))  # refused tokens get -inf

    def sample(self, ctx, idx: int = -1) -> int:
        token = self._pick(self._all_tokens(ctx, idx))
        if not self._allowed(token):
            self.refusals += 1
            array = self._all_tokens(ctx, idx)
            llama_cpp.llama_sampler_apply(self.grammar, ctypes.byref(array))
            token = self._pick(array)
        self.accept(token)  # llama_sampler_sample accepts its pick too
        return token

    def accept(self, token: int) -> None:
        llama_cpp.llama_sampler_accept(self.grammar, token)
        self.chain.accept(token)

    def reset(self) -> None:
        llama_cpp.llama_sampler_reset(self.grammar)
        self.chain.reset()

    def close(self) -> None:
        if self.grammar:
            llama_cpp.llama_sampler_free(self.grammar)
            self.grammar = None
        self.chain.close()

    def __del__(self):
        try:
            self.close()
        except Exception:  # at interpreter exit the library's functions may be gone already
            pass


_chain_sampler = Llama._init_sampler


def _init_sampler(self, *args, grammar=None, **kwargs):
    chain = _chain_sampler(self, *args, grammar=None, **kwargs)
    if grammar is None:
        return chain
    return LazyGrammarSampler(chain, self._model.vocab, grammar, self._n_vocab)


def install() -> None:
    """Make every Llama in this process sample with the lazy grammar check."""
    Llama._init_sampler = _init_sampler  # type: ignore[method-assign]  # the patch this module exists for


def main() -> None:
    install()
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
