"""Where a run's graph state is checkpointed: LangGraph's SQLite checkpointer in runs/,
keeping only the latest checkpoint of each run.

LangGraph writes a checkpoint with the whole state after every step and, by default,
keeps them all, so a run of n steps would store n copies of a state that itself grows
with n. Resume (after a kill or an approval) reads only the latest checkpoint and its
pending writes (an interrupt is one of those), and the runs never replay or fork an
older one, so the older ones are dropped as each new one is saved.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from langgraph.checkpoint.sqlite import SqliteSaver


class LatestCheckpointSaver(SqliteSaver):
    """A SqliteSaver that keeps one checkpoint per thread: the one it saved last."""

    def put(self, config, checkpoint, metadata, new_versions):
        saved = super().put(config, checkpoint, metadata, new_versions)
        where = (str(saved["configurable"]["thread_id"]), saved["configurable"]["checkpoint_ns"], checkpoint["id"])
        # Checkpoint ids sort in the order they were made (LangGraph reads the latest by
        # them too). A kill between the save above and these deletes leaves the older
        # rows for the next save to remove; the latest is never at risk. The writes of
        # older checkpoints are already folded into the one just saved.
        with self.cursor() as cursor:
            cursor.execute("DELETE FROM checkpoints WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?", where)
            cursor.execute("DELETE FROM writes WHERE thread_id = ? AND checkpoint_ns = ? AND checkpoint_id < ?", where)
        return saved


@contextmanager
def checkpointer(path: Path) -> Iterator[SqliteSaver]:
    """The checkpointer of the work directory's runs/ folder (`path` is its file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path), check_same_thread=False)
    try:
        yield LatestCheckpointSaver(connection)
    finally:
        connection.close()
