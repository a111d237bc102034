"""The tools the planner may call, in one explicit list, with their risk flags beside them.

A tool is a typed function `fn(deps: ToolDeps, ...) -> result`. Its signature (without
`deps`) is the argument schema; its docstring is what the model reads. Risk flags are facts
about the tool; whether a call needs the owner is decided by the agent's approval policy
from these flags and the call's arguments, never by the model.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from tools import catalog
from tools.errors import ToolRetry


@dataclass(frozen=True)
class Risk:
    """What a tool does to the world outside the shop's own records."""

    writes: bool = False  # changes anything on the marketplace or for buyers
    publishes: bool = False  # makes something visible to buyers
    moves_money: bool = False  # refunds, cancellations with refund
    contacts_buyer: bool = False  # sends text a buyer reads
    changes_price: bool = False


@dataclass(frozen=True)
class ToolSpec:
    func: Callable[..., Any]
    risk: Risk = Risk()

    @property
    def name(self) -> str:
        return self.func.__name__

    @property
    def description(self) -> str:
        return inspect.cleandoc(self.func.__doc__ or self.name)

    @cached_property
    def args_model(self) -> type[BaseModel]:
        """A pydantic model of the arguments, built from the signature."""
        fields: dict[str, Any] = {}
        for parameter in list(inspect.signature(self.func).parameters.values())[1:]:
            default = ... if parameter.default is inspect.Parameter.empty else parameter.default
            fields[parameter.name] = (parameter.annotation, default)
        return create_model(f"{self.name}_args", __config__=ConfigDict(extra="forbid"), **fields)

    def json_schema(self) -> dict[str, Any]:
        return self.args_model.model_json_schema()

    def validate(self, arguments: dict[str, Any]) -> dict[str, Any]:
        """Check arguments against the schema; a mismatch is a ToolRetry the model can fix."""
        try:
            return self.args_model.model_validate(arguments).model_dump()
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors())
            raise ToolRetry(f"bad arguments for {self.name}: {problems}") from None

    def call(self, deps, arguments: dict[str, Any]) -> Any:
        return self.func(deps, **self.validate(arguments))


TOOLS: list[ToolSpec] = [
    ToolSpec(catalog.list_products),
    ToolSpec(catalog.get_product),
]

BY_NAME: dict[str, ToolSpec] = {spec.name: spec for spec in TOOLS}


def get_tool(name: str) -> ToolSpec:
    """The registered tool called `name`; an unknown name is something the model can fix."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ToolRetry(f"no tool named '{name}'; available: {', '.join(sorted(BY_NAME))}") from None
