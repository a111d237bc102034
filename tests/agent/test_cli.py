"""The CLI as users run it, one line per error. Two tests start the installed console script
itself (its help, and an error's exit status); the rest run through its entry point in this
process (the `shopagent` fixture), which is seconds faster per command."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SHOPAGENT = Path(sys.executable).parent / "shopagent"
HEADER = "sku,product,name,category,description,attributes,options,cost,stock,photos,language"


def installed(*args):
    """The `shopagent` console script, in a process of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHOPAGENT_")}
    return subprocess.run([str(SHOPAGENT), *args], capture_output=True, text=True, env=env, timeout=60)


def test_help_lists_the_commands():
    result = installed("--help")
    assert result.returncode == 0
    for command in ("init", "config", "catalog", "marketplace"):
        assert command in result.stdout


def test_init_then_config_show(shopagent, workdir):
    run = shopagent
    folder = workdir / "new"
    first = run("init", "--workdir", str(folder), "--currency", "cny")
    assert first.returncode == 0, first.stderr
    assert (folder / "shopagent.toml").is_file() and (folder / "shop.db").is_file()
    shown = json.loads(run("config", "show", "--workdir", str(folder), "--json").stdout)
    assert shown["currency"] == "CNY" and shown["workdir"] == str(folder)
    again = run("init", "--workdir", str(folder))
    assert again.returncode == 1
    assert again.stderr.strip().splitlines() == [f"Error: {folder / 'shopagent.toml'} already exists; edit it, or pass --force to start it afresh"]


def test_catalog_import_reports_bad_rows_and_lists_good_ones(shopagent, workdir, make_photo):
    run = shopagent
    make_photo(workdir / "in" / "a.jpg")
    catalog = workdir / "in" / "catalog.csv"
    catalog.write_text("\n".join([HEADER, "A-1,a,Lamp,Home,,,,9.00,3,a.jpg,en", "B-1,b,Vase,Home,,,,-2,3,a.jpg,en"]) + "\n")
    result = run("catalog", "import", str(catalog), "--workdir", str(workdir), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["created"] == ["A-1"]
    assert report["errors"] == [{"row": 3, "column": "cost", "reason": "negative cost (-2); it must be 0 or more", "sku": "B-1"}]
    listed = json.loads(run("catalog", "list", "--workdir", str(workdir), "--json").stdout)
    assert [(r["sku"], r["cost_cents"], r["photos"]) for r in listed] == [("A-1", 900, 1)]


@pytest.mark.parametrize(("args", "message"), [
    (["catalog", "import", "nowhere.csv"], "Error: catalog file not found: nowhere.csv"),
    (["catalog", "import", "x.xlsx"], "Error: catalog file not found: x.xlsx"),
])
def test_user_mistakes_give_one_line_and_no_traceback(shopagent, monkeypatch, workdir, args, message):
    monkeypatch.chdir(workdir)
    result = shopagent(*args, "--workdir", str(workdir))
    assert result.returncode == 1
    assert result.stderr.strip().startswith(message)
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_bad_settings_file_is_one_line(workdir):
    (workdir / "shopagent.toml").write_text('approval_mode = "sometimes"\n')
    result = installed("config", "show", "--workdir", str(workdir))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "approval_mode" in result.stderr and "shopagent.toml" in result.stderr
