"""Shared fixtures: every test owns its work directory and database; nothing leaks."""

import os
import sys
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

from store_data.db import make_engine, sqlite_url

POSTGRES_URL = os.environ.get("SHOPAGENT_TEST_POSTGRES_URL", "")


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch, tmp_path):
    """No SHOPAGENT_* variable of the developer's shell reaches a test."""
    for name in list(os.environ):
        if name.startswith("SHOPAGENT_") and name != "SHOPAGENT_TEST_POSTGRES_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


class CliResult(NamedTuple):
    """What a `shopagent` command gave: its exit status and what it printed."""

    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def shopagent(monkeypatch, capsys):
    """Run `shopagent ARGS` in this process through the console script's own entry point
    (agent.cli.main: a user's mistake is one `Error:` line and status 1), seconds faster than
    a new interpreter. `env` sets variables for this one call. A few tests still start the
    installed script itself (tests/agent/test_cli.py, test_serve.py)."""
    from agent.cli import main

    def run(*args: object, env: dict[str, str] | None = None) -> CliResult:
        capsys.readouterr()  # what the test printed before is not the command's
        with monkeypatch.context() as patch:
            patch.setattr(sys, "argv", ["shopagent", *map(str, args)])
            for name, value in (env or {}).items():
                patch.setenv(name, value)
            with pytest.raises(SystemExit) as exit_:
                main()
        out, err = capsys.readouterr()
        code = exit_.value.code
        return CliResult(code if isinstance(code, int) else int(code is not None), out, err)
    return run


@pytest.fixture
def workdir(tmp_path) -> Path:
    folder = tmp_path / "shop"
    folder.mkdir()
    return folder


@pytest.fixture(scope="session")
def postgres_database():
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    if not POSTGRES_URL:
        pytest.skip("no PostgreSQL server: run the suite with `make test`, which starts one")
    name = f"shopagent_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request, tmp_path):
    """An empty shop database on each backend the suite runs against."""
    if request.param == "sqlite":
        eng = make_engine(sqlite_url(tmp_path / "shop.db"))
        yield eng
        eng.dispose()
        return
    url = request.getfixturevalue("postgres_database")
    eng = make_engine(url)
    yield eng
    SQLModel.metadata.drop_all(eng)
    eng.dispose()


@pytest.fixture
def make_photo():
    """Write a small real JPEG where a catalog under test expects a photo."""

    def make(path: Path, size=(64, 48), color=(200, 40, 40)) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", size, color).save(path, "JPEG")
        return path

    return make
