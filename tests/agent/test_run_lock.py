"""One run at a time in a work directory: a second run waits or is refused with who holds
it; a killed holder frees the directory at once."""

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from agent.run_lock import RunBusy, run_lock
from agent.runner import start_run
from agent.workspace import load_settings, open_workspace
from store_data.audit import Run
from tools.llm import LLM
from tools.registry import Risk, ToolSpec
from tools.scripted_model import ScriptedChatModel

REPO = Path(__file__).resolve().parents[2]


def test_a_second_holder_is_refused_with_the_first_ones_name(tmp_path):
    with run_lock(tmp_path, "daily-1", "resume it"):
        with pytest.raises(RunBusy, match=r"run daily-1 \(pid \d+, since .+\) is working .*; when it has finished or paused, start it again"):
            with run_lock(tmp_path, "open-2", "start it again"):
                pass
    with run_lock(tmp_path, "open-2", "start it again"):  # released: free again
        pass


def test_a_waiting_run_goes_on_when_the_holder_finishes(tmp_path):
    held, order = threading.Event(), []

    def first():
        with run_lock(tmp_path, "first", "-"):
            held.set()
            time.sleep(1.0)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    with run_lock(tmp_path, "second", "-", wait_s=10):
        order.append("second runs")
    thread.join()
    assert order == ["first done", "second runs"]


def test_a_killed_holder_frees_the_directory(tmp_path):
    code = (f"import sys, time; sys.path.insert(0, {str(REPO)!r}); from pathlib import Path; "
            f"from agent.run_lock import run_lock\n"
            f"with run_lock(Path({str(tmp_path)!r}), 'killed', '-'):\n    print('held', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "held"
        with pytest.raises(RunBusy, match="run killed"):
            with run_lock(tmp_path, "next", "-"):
                pass
        child.kill()
        child.wait(10)
        with run_lock(tmp_path, "next", "-"):  # the kernel dropped the dead process's lock
            pass
    finally:
        child.kill()


def test_a_refused_run_is_not_started(workdir):
    workspace = open_workspace(load_settings(workdir))
    tools = {"note": ToolSpec(lambda deps, key: {"key": key}, Risk(writes=False))}
    model = LLM(chat=ScriptedChatModel([]))  # no plan is asked for: a call would raise
    with run_lock(workspace.runs, "open-1", "-"):
        with pytest.raises(RunBusy, match="run open-1"):
            start_run(workspace, "ask", "anything", llm=model, tools=tools)
    with Session(workspace.engine) as session:
        assert session.exec(select(Run)).all() == []
