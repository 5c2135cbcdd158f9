"""Request and response shapes of the sweeps API (docs/sweeps.md, "Routes")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from ..core.ids import RunId
from ..core.text import MultilineText, SingleLineText
from ..runs.models import Tree

__all__ = [
    "AGENT_STATES",
    "SWEEP_STATES",
    "TRIAL_STATES",
    "Agent",
    "AgentBeat",
    "AgentCommand",
    "AgentCommands",
    "AgentCreate",
    "AgentList",
    "AgentState",
    "BestTrial",
    "RunReport",
    "Sweep",
    "SweepCreate",
    "SweepList",
    "SweepPatch",
    "SweepState",
    "Trial",
    "TrialList",
    "TrialState",
]

SweepState = Literal["running", "paused", "finished", "cancelled", "crashed"]
# A trial is `pending` from the hand-out until its process calls init(); then its run's state, except
# that a run the controller told to stop (early termination, a cancelled sweep) ends as `stopped`.
TrialState = Literal["pending", "running", "finished", "failed", "crashed", "stopped"]
AgentState = Literal["running", "finished", "dead"]
SWEEP_STATES: tuple[str, ...] = ("running", "paused", "finished", "cancelled", "crashed")
TRIAL_STATES: tuple[str, ...] = ("pending", "running", "finished", "failed", "crashed", "stopped")
AGENT_STATES: tuple[str, ...] = ("running", "finished", "dead")

# A sweep config is a page of YAML; past this it is not a config but a mistake.
MAX_CONFIG_CHARS = 64_000
Host = Annotated[str, StringConstraints(min_length=1, max_length=255), SingleLineText]
Label = Annotated[str, StringConstraints(max_length=128), SingleLineText]
Description = Annotated[str, StringConstraints(max_length=20_000), MultilineText]
AgentId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{8,32}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SweepCreate(_Strict):
    """Exactly one of `config` (the parsed YAML or JSON, as wandb.sweep takes it) and `config_yaml`
    (the file's text, kept as written for the dashboard)."""

    config: Tree | None = None
    config_yaml: Annotated[str, StringConstraints(max_length=MAX_CONFIG_CHARS)] | None = None
    prior_runs: Annotated[list[RunId], Field(max_length=1000)] = Field(
        default_factory=list,
        description="Runs of this project whose config and metric seed the search (wandb's prior_runs).",
    )

    @model_validator(mode="after")
    def _one_config(self) -> SweepCreate:
        if (self.config is None) == (self.config_yaml is None):
            raise ValueError("give exactly one of config (an object) and config_yaml (the YAML text)")
        return self


class SweepPatch(_Strict):
    """`state`: paused (pause), running (resume), finished (stop: running trials end on their own),
    cancelled (cancel: running trials are stopped). Name and description are the sweep's labels."""

    state: Literal["running", "paused", "finished", "cancelled"] | None = None
    name: Label | None = None
    description: Description | None = None


class BestTrial(BaseModel):
    run_id: str
    value: float
    params: dict[str, Any]


class Sweep(BaseModel):
    id: str
    project_id: str
    entity: str
    project: str
    name: str | None
    description: str | None
    method: str
    state: SweepState
    config: dict[str, Any] = Field(description="The config as the engine read it (defaults filled in).")
    config_yaml: str = Field(description="The config as it was given (YAML), for display and editing.")
    metric: dict[str, Any] | None = Field(description="`metric` of the config: name and goal, or null.")
    run_cap: int | None
    trial_count: int = Field(description="Trials handed out so far (prior runs not counted).")
    counts: dict[str, int] = Field(description="Trials by state.")
    best: BestTrial | None
    finished_reason: str | None = Field(
        description="Why no new trials are handed out: stopped, cancelled, exhausted, run_cap, target."
    )
    error: str | None = Field(description="What the controller could not do (a crashed sweep).")
    created_by: str | None
    created_at: str
    updated_at: str


class SweepList(BaseModel):
    items: list[Sweep]
    next_cursor: str | None


class Trial(BaseModel):
    run_id: str
    state: TrialState
    params: dict[str, Any]
    metric: float | None = Field(description="The run's value of the sweep metric, as the search sees it.")
    iterations: int = Field(description="Values of the metric logged so far (hyperband's iterations).")
    agent_id: str | None
    stop_requested: bool
    prior: bool = Field(description="A prior run the sweep was seeded with, not one it handed out.")
    created_at: str
    finished_at: str | None


class TrialList(BaseModel):
    items: list[Trial]


class AgentCreate(_Strict):
    host: Host
    pid: Annotated[int, Field(ge=0, le=2**31 - 1)] | None = None
    name: Label | None = None


class Agent(BaseModel):
    id: str
    sweep_id: str
    host: str
    pid: int | None
    name: str | None
    state: AgentState
    run_id: str | None = Field(description="The trial the agent works on now.")
    trials: int = Field(description="Trials handed to this agent.")
    created_at: str
    heartbeat_at: str


class AgentList(BaseModel):
    items: list[Agent]


class RunReport(_Strict):
    """What an agent knows of one of its trials: new metric values, and whether its process ended."""

    run_id: RunId
    metric_offset: Annotated[int, Field(ge=0)] = Field(
        default=0, description="How many values of the metric came before `metric` (a retry resends them)."
    )
    metric: Annotated[list[float | None], Field(max_length=10_000)] = Field(default_factory=list)
    exit_code: Annotated[int, Field(ge=-(2**31), le=2**31 - 1)] | None = Field(
        default=None, description="Set once the trial's process (or function) has ended."
    )


class AgentBeat(_Strict):
    runs: Annotated[list[RunReport], Field(max_length=16)] = Field(default_factory=list)
    want_work: bool = Field(default=False, description="The agent is idle and takes a new trial.")
    stopping: bool = Field(default=False, description="The agent is shutting down; it takes no new trial.")


class AgentCommand(BaseModel):
    type: Literal["run", "stop", "exit"]
    run_id: str | None = None
    params: dict[str, Any] | None = Field(default=None, description="`run`: the trial's parameters.")
    reason: str | None = Field(default=None, description="`exit`: why the agent should stop.")


class AgentCommands(BaseModel):
    sweep_state: SweepState
    commands: list[AgentCommand]
    heartbeat_s: float = Field(description="When to beat again.")
