"""The console's read-only pages: runs and their steps (the audit trail), the shop's
listings with pictures and clips, the latest sales report, and the settings with secrets
masked."""

import re
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from agent.console.app import console_of, owner
from agent.console.auth import OwnerSession
from agent.console.files import file_url, is_image, is_video
from agent.console.previews import product_view
from agent.runs import get_run, steps_of
from store_data.audit import Approval, Run, Step
from store_data.overview import platforms_overview
from store_data.shop import Product, Shop
from store_data.status import ApprovalStatus

router = APIRouter()
RUNS_SHOWN = 50
# A file path inside an error message or an output value, e.g. a screenshot the driver saved.
FILE_IN_TEXT = re.compile(r"([^\s'\"<>()]+\.(?:png|jpe?g|webp|gif|mp4|webm|html))", re.IGNORECASE)


@router.get("/runs")
def runs_page(request: Request, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    with Session(console.workspace.engine) as db:
        rows = list(db.exec(select(Run).order_by(col(Run.started_at).desc()).limit(RUNS_SHOWN)))
        waiting = dict(db.exec(select(Approval.run_id, func.count()).where(Approval.status == ApprovalStatus.PENDING)
                               .group_by(Approval.run_id)).all())
    return console.render(request, "runs.html", session, runs=rows, waiting=waiting)


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: str, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    workspace = console.workspace
    run = get_run(workspace.engine, run_id)
    if run is None:
        raise HTTPException(404, f"no run '{run_id}'")
    with Session(workspace.engine) as db:
        approvals = {a.step_id: a for a in db.exec(select(Approval).where(Approval.run_id == run_id))}
    steps = [{"step": s, "approval": approvals.get(s.id), "files": step_files(workspace.workdir, s, approvals.get(s.id))}
             for s in steps_of(workspace.engine, run_id)]
    resume = console.resumer.state(run_id)
    return console.render(request, "run.html", session, run=run, steps=steps, resume=resume,
                          refresh=bool(resume and resume.busy))


def step_files(workdir: Path, step: Step, approval: Approval | None) -> list[dict[str, str]]:
    """Pictures, clips and saved pages a step produced or left as evidence (screenshots)."""
    texts: list[str] = [step.error or ""]
    _strings(step.output, texts)
    if approval is not None:
        _strings((approval.preview or {}).get("facts"), texts)
    found: dict[str, dict[str, str]] = {}
    for text in texts:
        for candidate in FILE_IN_TEXT.findall(text):
            url = file_url(workdir, candidate)
            if url and url not in found:
                kind = "image" if is_image(candidate) else "video" if is_video(candidate) else "page"
                found[url] = {"url": url, "kind": kind, "name": Path(candidate).name}
    return list(found.values())


def _strings(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        if len(value) < 1000:
            into.append(value)
    elif isinstance(value, dict):
        for item in value.values():
            _strings(item, into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _strings(item, into)


@router.get("/shop")
def shop_page(request: Request, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    workspace = console.workspace
    with Session(workspace.engine) as db:
        shop = db.exec(select(Shop)).first()
        products = [product_view(db, workspace, p) for p in db.exec(select(Product).order_by(Product.name))]
        platforms = platforms_overview(db)
    return console.render(request, "shop.html", session, shop=shop, products=products, platforms=platforms,
                          currency=workspace.settings.currency)


@router.get("/reports")
def reports_page(request: Request, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    # Resolved: a work directory given as relative (`serve --workdir shop`) would make these
    # paths relative to the current folder, which file_url reads as relative to the workdir.
    folder = console.workspace.assets.resolve() / "reports"
    found = sorted(folder.glob("*.html"), key=lambda p: (p.stat().st_mtime, p.name), reverse=True) \
        if folder.is_dir() else []
    reports = [{"name": p.name, "url": file_url(console.workspace.workdir, p)} for p in found]
    reports = [r for r in reports if r["url"]]
    return console.render(request, "reports.html", session, reports=reports)


@router.get("/settings")
def settings_page(request: Request, session: OwnerSession = Depends(owner)) -> Response:
    console = console_of(request)
    return console.render(request, "settings.html", session, values=console.workspace.settings.masked())
