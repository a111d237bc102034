"""What workflows hand activities and get back: plain dataclasses, so Temporal's JSON
converter carries them and workflow code needs nothing else of the project."""

from dataclasses import dataclass, field


@dataclass
class PassJob:
    """One run of a shop (its daily pass, or its opening) as the fleet runs it."""

    shop: str
    workdir: str
    workflow: str = "daily"  # daily | open
    goal: str = "daily operations"
    run_id: str = ""  # chosen by the workflow, so a retried activity finds the run its first attempt began
    heartbeat_s: float = 5.0
    heartbeat_timeout_s: float = 60.0
    pass_timeout_s: float = 4 * 3600.0
    approval_wait_s: float = 73 * 3600.0  # after this a waiting run is resumed (its approvals have expired)


@dataclass
class PassResult:
    run_id: str
    status: str  # completed | paused | stopped | failed
    waiting: list[int] = field(default_factory=list)
    failed_steps: int = 0
    steps: dict[str, int] = field(default_factory=dict)
    worker: str = ""  # host:pid of the worker process that ended the attempt


@dataclass
class MediaJob:
    """One media tool call (pictures, a clip) of a shop's run, rendered on a media worker."""

    workdir: str
    tool: str
    arguments: dict = field(default_factory=dict)
    heartbeat_s: float = 5.0
    heartbeat_timeout_s: float = 60.0
    queue_wait_s: float = 600.0  # no media worker took it by then: the shop's worker renders it itself


@dataclass
class MediaResult:
    tool: str
    output: dict
    task_queue: str
    worker: str


@dataclass
class ShopFacts:
    """What a quick look at a shop's own records tells."""

    shop_name: str
    last_run: str
    last_status: str
    pending_approvals: int
