"""Helpers the order tests share, on the sandbox and on Oscar alike."""

from sqlmodel import Session, select

from agent.runner import start_run
from agent.workflows.orders import goal_for
from store_data.orders import Order


def run(workspace, driver, *calls):
    """An `orders` run of the given (tool, arguments) calls."""
    return start_run(workspace, "orders", goal_for([{"tool": t, "arguments": a, "why": "test"} for t, a in calls]),
                     driver=driver)


def order(workspace, number) -> Order:
    """The shop's record of the marketplace order `number`."""
    with Session(workspace.engine) as session:
        return session.exec(select(Order).where(Order.remote_id == number)).one()
