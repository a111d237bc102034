"""Tables for what the operator did and what waits for the owner: runs, their settings, steps,
approvals."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String, Text
from sqlmodel import Field, SQLModel

from store_data.clock import utcnow
from store_data.status import ApprovalStatus, RunStatus, StepStatus, transition


class Run(SQLModel, table=True):
    """One execution of a workflow (open, daily, ask) — the unit `resume` continues."""

    id: str = Field(primary_key=True, max_length=40)
    workflow: str = Field(max_length=40)
    goal: str = ""
    status: str = Field(default=RunStatus.RUNNING, max_length=20)  # a RunStatus; moves by set_status()
    started_at: datetime = Field(default_factory=utcnow)
    ended_at: datetime | None = None
    summary: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    model_calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0  # an estimate for the owner, never used for money decisions

    def set_status(self, target: RunStatus | str) -> None:
        """Move along the run's state machine; raises IllegalTransition otherwise."""
        self.status = transition(self.status, target, RunStatus)


class RunSettings(SQLModel, table=True):
    """The settings a run started with (secrets left out), re-applied on every resume.

    A table of its own rather than a column of Run: opening an existing shop database
    creates missing tables but never adds columns to existing ones.
    """

    run_id: str = Field(primary_key=True, foreign_key="run.id", max_length=40)
    values: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Step(SQLModel, table=True):
    """One tool call of a run, with inputs, output, timing and error: the audit trail."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: str = Field(foreign_key="run.id", index=True, max_length=40)
    position: int
    tool: str = Field(max_length=80)
    arguments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    output: Any = Field(default=None, sa_column=Column(JSON, nullable=True))
    error: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    # Who can fix a failed step (an ErrorKind); empty unless it failed.
    error_kind: str = Field(default="", sa_column=Column(String(12), nullable=False, server_default=""))
    status: str = Field(default=StepStatus.PLANNED, max_length=20)  # a StepStatus; moves by set_status()
    made_by: str = ""  # model, repaired or fallback: who chose this call
    # The platform the call acted on, for a shop that sells on several ("": the main one).
    platform: str = Field(default="", sa_column=Column(String(40), nullable=False, server_default=""))
    idempotency_key: str | None = Field(default=None, max_length=200)
    started_at: datetime | None = None
    duration_ms: int | None = None

    def set_status(self, target: StepStatus | str) -> None:
        """Move along the step's state machine; raises IllegalTransition otherwise."""
        self.status = transition(self.status, target, StepStatus)


class Approval(SQLModel, table=True):
    """A gated action waiting for the owner, with everything needed to run it."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: str | None = Field(default=None, foreign_key="run.id", index=True, max_length=40)
    step_id: int | None = Field(default=None, foreign_key="step.id")
    tool: str = Field(max_length=80)
    arguments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    reason: str = ""  # why code decided it needs the owner
    preview: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=ApprovalStatus.PENDING, sa_column=Column(String(16), nullable=False, index=True))
    edited_arguments: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    decided_by: str = ""
    decided_at: datetime | None = None
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None

    def decide(self, target: ApprovalStatus | str, by: str, note: str = "") -> None:
        """Record the owner's decision; raises IllegalTransition if already decided."""
        self.status = transition(self.status, target, ApprovalStatus)
        self.decided_by = by
        self.decided_at = utcnow()
        self.note = note
