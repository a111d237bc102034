"""Engine and sessions for the marketplace's SQLite database in its data folder."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from marketplace.models import Table

DB_FILE = "marketplace.db"


def make_engine(data_dir: Path) -> Engine:
    """Create the engine for ``data_dir/marketplace.db`` and make sure the tables exist."""
    data_dir.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{data_dir / DB_FILE}",
        connect_args={"check_same_thread": False, "timeout": 30},
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    Table.metadata.create_all(engine)
    return engine


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets the simulator's writes and the back-office's reads overlap.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def session(engine: Engine) -> Session:
    """A new session; use as a context manager. Objects stay readable after commit."""
    return Session(engine, expire_on_commit=False)
