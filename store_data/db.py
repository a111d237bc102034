"""Engine and sessions for the shop's database: SQLite by default, any SQLAlchemy URL."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event, inspect, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine

# Importing the table modules registers their tables on SQLModel.metadata.
from store_data import audit, listing_stats, orders, shop  # noqa: F401
from store_data.errors import StoreDataError


def sqlite_url(path: Path) -> str:
    """The SQLAlchemy URL of a SQLite file."""
    return f"sqlite:///{Path(path).resolve()}"


def make_engine(url: str, echo: bool = False) -> Engine:
    """Create an engine for `url` and make sure every table exists.

    SQLite gets foreign keys on and write-ahead logging, so the web console can read
    while a run writes.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True)
    try:
        SQLModel.metadata.create_all(engine)
        add_missing_columns(engine)
    except Exception as exc:  # the driver's own message names host, file or credentials
        raise StoreDataError(
            f"cannot open the database at {engine.url.render_as_string(hide_password=True)}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}. "
            "Check database_url in shopagent.toml or SHOPAGENT_DATABASE_URL."
        ) from exc
    return engine


def add_missing_columns(engine: Engine) -> list[str]:
    """Add the columns a table gained since a shop's database was made (create_all makes
    missing tables, never missing columns). A column added this way must be nullable or carry
    a server default, so the rows already there get a value. Returns "table.column" added."""
    inspector = inspect(engine)
    added = []
    quote = engine.dialect.identifier_preparer.quote
    for table in SQLModel.metadata.sorted_tables:
        if not inspector.has_table(table.name):
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            if not column.nullable and column.server_default is None:
                raise StoreDataError(f"column {table.name}.{column.name} is new and has no server default; "
                                     "give it one so existing shops can be upgraded")
            ddl = f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} " \
                  f"{column.type.compile(dialect=engine.dialect)}"
            if column.server_default is not None:
                default = getattr(column.server_default, "arg", "")
                ddl += f" DEFAULT {default.text}" if hasattr(default, "text") else \
                    " DEFAULT '" + str(default).replace("'", "''") + "'"
            if not column.nullable:
                ddl += " NOT NULL"
            with engine.begin() as connection:
                connection.execute(text(ddl))
            added.append(f"{table.name}.{column.name}")
    return added


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
