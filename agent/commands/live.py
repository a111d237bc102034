"""`shopagent live build`: the 24-hour live room's looping video and on-air schedule."""

import typer
from rich.markup import escape

from agent.commands.common import JsonOption, WorkdirOption, console, print_json, table
from agent.errors import UserError
from agent.operator import operator
from agent.workspace import load_settings, open_workspace
from tools.clips import build_live_room
from tools.errors import ToolFailed, ToolRetry

app = typer.Typer(help="The live room: all promo clips on a loop, with what is on air when.", no_args_is_help=True)


@app.command("build")
def build(workdir: WorkdirOption = None, as_json: JsonOption = False) -> None:
    """Join every product's clip into assets/live/live-room.mp4 with schedule.json beside it
    (make the clips first: shopagent clips make --all)."""
    workspace = open_workspace(load_settings(workdir))
    with operator(workspace) as op:
        try:
            result = build_live_room(workspace.tool_deps(driver=op.driver))
        except (ToolRetry, ToolFailed) as exc:
            raise UserError(str(exc).replace("call make_promo_clip for the products", "make them with: shopagent clips make --all")) from None
    if as_json:
        print_json(result)
        return
    console.print(table(f"Live room loop {result['path']} ({result['status']}): {result['loop_s']:.1f} s, "
                        f"{result['loops_per_day']} loops a day",
                        ["on air from", "until", "sku", "product"],
                        [[f"{i['start_s']:.1f} s", f"{i['end_s']:.1f} s", i["sku"], i["title"]] for i in result["items"]]))
    console.print(f"Schedule: {result['schedule']}")
    if result["upload"]["status"] != "uploaded":
        console.print(escape(result["upload"].get("note", "the upload to the live room is pending")))
