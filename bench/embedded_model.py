"""The embedded model's runtime as the agent meets it: the OpenAI-compatible server on
127.0.0.1 (agent/local_model.py) with SmolLM2-135M, asked for JSON under a schema.

Prints the server's start time, and per answer the time to the first token (streamed),
tokens per second after it, and whether the answer parses and validates against the
schema; then the medians.

    .venv/bin/python bench/embedded_model.py [--answers 8]
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from agent.local_model import MODEL_ALIAS, LocalModelServer

SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "maxLength": 80},
        "selling_points": {"type": "array", "items": {"type": "string", "maxLength": 60}, "maxItems": 3},
        "description": {"type": "string", "maxLength": 300},
    },
    "required": ["title", "selling_points", "description"],
}
PRODUCTS = ["a stoneware coffee mug, 350 ml, glazed blue", "a bamboo cutting board, 30 x 20 cm",
            "a linen tea towel, natural colour", "a glass water bottle, 500 ml, with a cork lid",
            "a beeswax candle, 8 cm tall", "an oak serving tray with two handles",
            "a steel French press, 1 litre", "a terry cloth hand towel, sage green"]


def ask(url: str, product: str) -> tuple[float, int, float, bool]:
    """(seconds to the first token, tokens, seconds for the rest, valid JSON)."""
    body = {"model": MODEL_ALIAS, "stream": True, "temperature": 0.2, "max_tokens": 300,
            "response_format": {"type": "json_object", "schema": SCHEMA},
            "messages": [{"role": "system", "content": "You write short product listings as JSON."},
                         {"role": "user", "content": f"Write the listing for {product}."}]}
    start, first, pieces = time.perf_counter(), None, []
    with httpx.stream("POST", f"{url}/chat/completions", json=body, timeout=300) as response:
        for line in response.iter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            delta = json.loads(line[6:])["choices"][0]["delta"].get("content") or ""
            if delta:
                first = first or time.perf_counter()
                pieces.append(delta)
    end = time.perf_counter()
    text = "".join(pieces)
    try:
        value = json.loads(text)
        valid = isinstance(value, dict) and set(SCHEMA["required"]) <= set(value) and \
            isinstance(value["selling_points"], list)
    except ValueError:
        valid = False
    return (first or end) - start, len(pieces), end - (first or end), valid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        server = LocalModelServer(Path(folder) / "model.log").start()
        print(f"server start: {time.perf_counter() - started:.1f} s")
        try:
            rows = []
            for n in range(args.answers):
                first, tokens, rest, valid = ask(server.url, PRODUCTS[n % len(PRODUCTS)])
                rate = (tokens - 1) / rest if rest > 0 and tokens > 1 else 0.0
                rows.append((first, rate, valid))
                print(f"answer {n + 1}: first token {first * 1000:.0f} ms, {tokens} tokens, {rate:.0f} tokens/s, "
                      f"{'valid' if valid else 'INVALID'} JSON")
        finally:
            server.stop()
    print(f"median first token {statistics.median(r[0] for r in rows) * 1000:.0f} ms, "
          f"median {statistics.median(r[1] for r in rows):.0f} tokens/s, "
          f"{sum(r[2] for r in rows)} of {len(rows)} valid JSON")


if __name__ == "__main__":
    main()
