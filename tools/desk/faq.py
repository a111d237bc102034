"""The owner's FAQ: `<workdir>/faq.toml`, answers the desk gives when a buyer's message
contains one of an entry's words.

    [[faq]]
    words = ["gift wrap", "礼品包装"]
    answer = "We can wrap any order as a gift at no extra charge: say so in your message."
    answer_zh = "所有订单都可以免费礼品包装，留言告诉我们即可。"

The answers are the owner's own words; they still pass the reply checks of any other reply
(a money or refund claim the buyer's order does not show waits for the owner).
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from tools.errors import ToolFailed

FAQ_FILE = "faq.toml"


@dataclass(frozen=True)
class FaqEntry:
    words: tuple[str, ...]
    answer: str
    answer_zh: str = ""


def load_faq(workdir: Path) -> list[FaqEntry]:
    """The entries of the work directory's FAQ file (none when there is no file)."""
    path = workdir / FAQ_FILE
    if not path.exists():
        return []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ToolFailed(f"cannot read the FAQ file {path}: {exc}; fix it (see README, 'The service desk') "
                         "or remove it") from None
    entries = []
    for number, item in enumerate(raw.get("faq", []), 1):
        words = item.get("words") if isinstance(item, dict) else None
        answer = item.get("answer") if isinstance(item, dict) else None
        if not (isinstance(words, list) and words and all(isinstance(w, str) and w.strip() for w in words)
                and isinstance(answer, str) and answer.strip()):
            raise ToolFailed(f"FAQ entry {number} in {path} needs `words` (a list of words or phrases) and "
                             "`answer` (text); fix or remove it")
        entries.append(FaqEntry(tuple(w.strip().lower() for w in words), answer.strip(),
                                str(item.get("answer_zh") or "").strip()))
    return entries


def faq_answer(entries: list[FaqEntry], text: str, language: str) -> str | None:
    """The answer of the first entry one of whose words the buyer's text contains."""
    lowered = (text or "").lower()
    for entry in entries:
        if any(word in lowered for word in entry.words):
            return entry.answer_zh if language == "zh-CN" and entry.answer_zh else entry.answer
    return None
