"""Reading the shop for a sales report never costs a write: the reader shares the writer's
SQLite library, so the write-ahead log stays whole for every process, through a kill."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlmodel import select

from store_data.db import make_engine, session_scope, sqlite_url
from store_data.shop import Product

# The shop's process: writes, reads the sales frames in the middle, writes on, then waits
# (holding its connection open) to be killed.
WRITER = textwrap.dedent("""
    import sys, time
    from store_data.db import make_engine, session_scope
    from store_data.frames import sales_frames
    from store_data.shop import Product

    engine = make_engine(sys.argv[1])
    writes = int(sys.argv[2])
    for i in range(writes):
        with session_scope(engine) as session:
            session.add(Product(handle=f"p{i}", name=f"Product {i}"))
        if i == writes // 2:
            sales_frames(engine)  # the report's read, between two writes
        print(i + 1, flush=True)
    time.sleep(600)
""")


def _count(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM product").fetchone()[0]


def test_writes_after_a_sales_report_survive_a_kill(tmp_path):
    database = tmp_path / "shop.db"
    url = sqlite_url(database)
    make_engine(url).dispose()
    writes = 12
    root = Path(__file__).resolve().parents[2]
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(writes)], cwd=root,
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(root)})
    try:
        for line in writer.stdout:
            if int(line) == writes:
                break
        assert writer.poll() is None, "the writer ended before all its writes"
        # Another process sees every committed write while the writer still runs...
        assert _count(database) == writes
        # ...and after the writer is killed, and the log is still where SQLite expects it.
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=10)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert _count(database) == writes
    engine = make_engine(url)
    with session_scope(engine) as session:
        assert sorted(p.handle for p in session.exec(select(Product))) == sorted(f"p{i}" for i in range(writes))
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
