"""Prompt templates as files, loaded by name.

A prompt file `prompts/<name>.md` starts with a header that declares its inputs:

    ---
    inputs: goal, shop_state, tools
    ---
    The text, with {{ goal }} placeholders (Jinja2).

`render()` refuses missing or undeclared inputs, so a template and its caller cannot drift.
"""

from functools import cache
from importlib import resources

from jinja2 import Environment, StrictUndefined

_ENV = Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)


class PromptError(Exception):
    """A prompt file is missing, malformed, or called with the wrong inputs."""


@cache
def load(name: str) -> tuple[frozenset[str], str]:
    """The declared inputs and the template text of prompt `name`."""
    try:
        text = resources.files(__package__).joinpath(f"{name}.md").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt named '{name}' (expected prompts/{name}.md)") from None
    if not text.startswith("---\n"):
        raise PromptError(f"prompts/{name}.md must start with a '---' header declaring its inputs")
    header, _, body = text[4:].partition("\n---\n")
    inputs: frozenset[str] = frozenset()
    for line in header.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "inputs":
            inputs = frozenset(v.strip() for v in value.split(",") if v.strip())
    return inputs, body


def render(name: str, **values) -> str:
    """Fill prompt `name` with `values`; every declared input must be given, and no other."""
    inputs, body = load(name)
    missing, extra = inputs - values.keys(), values.keys() - inputs
    if missing or extra:
        raise PromptError(f"prompt '{name}' takes {sorted(inputs)}; missing {sorted(missing)}, unexpected {sorted(extra)}")
    return _ENV.from_string(body).render(**values).strip() + "\n"


def fence(text: str, label: str = "data") -> str:
    """Wrap untrusted text (buyer, supplier, web) so the model reads it as data only."""
    cleaned = str(text).replace("<<<", "‹‹‹").replace(">>>", "›››")
    return f"<<<{label}\n{cleaned}\n>>>"
