"""How a browser driver presents itself to a platform: as an automated agent, named in its
User-Agent (and in a header, where the platform asks for one), pressing the platform no
harder than its rate limit, and stopping when the platform says automated access must stop.

Marketplaces ask this of sellers' agents (Amazon's agent policy, in force since March 2026):
an agent that identifies itself and stops when told keeps the seller's account safe, where
one that hides behind a person's browser puts it at risk.
"""

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

DEFAULT_USER_AGENT_SUFFIX = "shopagent/0.1 (automated seller agent)"
# A platform that wants automated access to stop may say so in this header, with any value.
STOP_HEADER = "x-automation-stop"
# Or in the page it answers with a refusal (403, 429, 451, 503).
REFUSALS = (403, 429, 451, 503)
STOP_WORDS = re.compile(r"automated (access|traffic|requests?|agents?|tools?)|\bbots?\b|robot|crawler|scraping",
                        re.I)
STOP_VERBS = re.compile(r"\b(stop|not (allowed|permitted)|prohibited|forbidden|blocked|disallowed|denied)\b", re.I)


@dataclass
class Automation:
    """The identity and manners of one browser driver on one platform."""

    user_agent_suffix: str = DEFAULT_USER_AGENT_SUFFIX
    headers: dict[str, str] = field(default_factory=dict)  # e.g. {"X-Automated-Agent": "shopagent"}
    requests_per_s: float | None = None  # None: as fast as the pages answer
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def user_agent(self, browser_user_agent: str) -> str:
        """The browser's own User-Agent with this agent's name after it."""
        suffix = self.user_agent_suffix.strip()
        return f"{browser_user_agent} {suffix}" if suffix else browser_user_agent

    def pace(self) -> None:
        """Wait until the next request keeps to the rate limit."""
        if self.requests_per_s:
            now = self.clock()
            if self._last is not None:
                wait = self._last + 1 / self.requests_per_s - now
                if wait > 0:
                    self.sleep(wait)
                    now += wait
            self._last = now


def stop_reason(status: int, headers: dict[str, str], text: Callable[[], str]) -> str:
    """What the platform said to stop automated access ('' when it did not): the stop header,
    or a refusal whose page speaks of automated access and of stopping or forbidding it.
    `text` is asked only for a refusal (reading a page costs a round trip)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    if STOP_HEADER in lowered:
        return f"the platform sent {STOP_HEADER}: {lowered[STOP_HEADER] or '(no reason)'}"
    if status in REFUSALS:
        words = " ".join(text().split())[:2000]
        if STOP_WORDS.search(words) and STOP_VERBS.search(words):
            return f"HTTP {status}: {words[:300]}"
    return ""
