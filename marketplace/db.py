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
    _add_missing_columns(engine)
    return engine


# Columns added after a table first shipped: a data folder made before them gets them here
# (create_all makes missing tables only). (table, column, SQL type and default)
ADDED_COLUMNS = [("variant", "picture", "INTEGER NOT NULL DEFAULT 0"), ("variant", "video", "INTEGER NOT NULL DEFAULT 0"),
                 ("orderitem", "returned_qty", "INTEGER NOT NULL DEFAULT 0"),
                 ("orderitem", "exchange_sku", "VARCHAR NOT NULL DEFAULT ''"),
                 ("order", "items_modified", "BOOLEAN NOT NULL DEFAULT 0"),
                 ("returnrequest", "items", "VARCHAR NOT NULL DEFAULT ''"),
                 ("returnrequest", "swaps", "VARCHAR NOT NULL DEFAULT ''"),
                 ("buyer", "address", "VARCHAR NOT NULL DEFAULT ''")]


def _add_missing_columns(engine: Engine) -> None:
    with engine.begin() as connection:
        for table, column, kind in ADDED_COLUMNS:
            present = {row[1] for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')}
            if column not in present:
                connection.exec_driver_sql(f'ALTER TABLE "{table}" ADD COLUMN {column} {kind}')


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
