"""The planner: a goal and the shop's state in, a typed plan of tool calls out.

The model proposes; code checks every step against the tool registry (the tool exists, the
arguments match its schema) and sends the problems back once; a plan that still fails is
replaced by the workflow's deterministic fallback. The result says which path made it.
"""

import json
import re
from collections.abc import Callable, Iterable

from pydantic import BaseModel, Field

import prompts
from agent.executor import PlanStep
from tools.errors import ToolRetry
from tools.llm import LLM, Structured, ask_structured
from tools.registry import ToolSpec

MAX_PLAN_STEPS = 40


class Plan(BaseModel):
    answer: str = ""
    steps: list[PlanStep] = Field(default_factory=list, max_length=MAX_PLAN_STEPS)


def describe_tools(tools: Iterable[ToolSpec]) -> str:
    """One line per tool for the model: name, argument schema, first line of the docstring."""
    lines = []
    for spec in tools:
        properties = spec.json_schema().get("properties", {})
        arguments = json.dumps({k: v.get("type", "any") for k, v in properties.items()})
        lines.append(f"- {spec.name} {arguments}: {spec.description.splitlines()[0]}")
    return "\n".join(lines)


def _check_steps(steps: list[PlanStep], tools: dict[str, ToolSpec]) -> list[str]:
    problems = []
    for number, step in enumerate(steps, start=1):
        if step.tool not in tools:
            problems.append(f"step {number}: no tool named '{step.tool}'")
            continue
        try:
            tools[step.tool].validate(step.arguments)
        except ToolRetry as exc:
            problems.append(f"step {number}: {exc}")
    return problems


def _echoes(answer: str, instructions: str) -> bool:
    """Whether an answer mostly repeats the prompt's own instructions (small models do)."""
    said = set(re.findall(r"[a-z]{3,}", answer.lower()))
    return len(said) >= 4 and len(said & set(re.findall(r"[a-z]{3,}", instructions.lower()))) >= 0.6 * len(said)


def make_plan(llm: LLM | None, goal: str, shop_state: str, tools: dict[str, ToolSpec],
              fallback: Callable[[], Plan]) -> Structured[Plan]:
    """Ask the model for a plan; validate, repair once, else fall back."""
    text = prompts.render("planner", goal=goal, shop_state=shop_state, tools=describe_tools(tools.values()))
    instructions = prompts.render("planner", goal="", shop_state="", tools="")

    def check(plan: Plan) -> list[str]:
        problems = _check_steps(plan.steps, tools)
        if not plan.steps and _echoes(plan.answer, instructions):
            problems.append("the answer repeats these instructions; answer the owner's goal from the shop's "
                            "state, or plan tool calls")
        return problems

    return ask_structured(llm, "You plan tool calls and answer only with JSON.", text, Plan,
                          fallback=fallback, check=check)


def repair_step(llm: LLM | None, step: PlanStep, problem: str, tools: dict[str, ToolSpec]) -> PlanStep | None:
    """Give the model one chance to fix a call that failed validation; None if it cannot."""
    if llm is None:
        return None
    text = prompts.render("repair_step", step=step.model_dump_json(), problem=problem,
                          tools=describe_tools(tools.values()))
    result = ask_structured(llm, "You fix tool calls and answer only with JSON.", text, PlanStep,
                            fallback=lambda: step, check=lambda s: _check_steps([s], tools), retries=0)
    return result.value if result.made_by != "fallback" else None
