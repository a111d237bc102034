"""A run's progress: a live line on a terminal, one log line per stage elsewhere."""

from agent.commands.common import RunProgress, console


def test_progress_off_a_terminal_logs_each_stage_once(tmp_path):
    assert not console.is_terminal  # pytest captures the output
    steps = [{"tool": "create_brand"}] + [{"tool": "make_product_images"}] * 3 + [{"tool": "publish_listing"}] * 2
    with RunProgress("open", tmp_path / "runs") as progress:
        for position in range(len(steps)):
            progress(position, steps)
    lines = (tmp_path / "runs" / "activity.log").read_text(encoding="utf-8").splitlines()
    assert [line.split(" ", 3)[3] for line in lines[:3]] == [
        "create_brand (1 item) at step 1 of 6, 0 s in",
        "make_product_images (3 items) at step 2 of 6, 0 s in",
        "publish_listing (2 items) at step 5 of 6, 0 s in",
    ]
    assert lines[3].endswith("open: ended after 0 s") and len(lines) == 4


def test_progress_line_names_the_stage_and_the_item(tmp_path):
    steps = [{"tool": "create_brand"}] + [{"tool": "make_product_images"}] * 3
    with RunProgress("open", tmp_path / "runs") as progress:
        progress(2, steps)
        task = progress.bar.tasks[0]
        assert task.description == "open: make_product_images 2 of 3"
        assert (task.completed, task.total) == (2, 4)
