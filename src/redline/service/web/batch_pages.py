"""Batch pages: upload a shipments file, follow its progress, open its outputs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.datastructures import UploadFile

from redline.service.context import services_of
from redline.service.principal import Role
from redline.service.web.batches import OUTPUTS, BatchError, BatchManager
from redline.service.web.core import (
    PREFIX,
    User,
    WebError,
    checked_form,
    finish,
    redirect,
    render,
    require_role,
    web_of,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

#: The batch report carries its own inline script and styles: it is served sandboxed
#: (an opaque origin: no access to the workspace's cookies or pages).
REPORT_CSP = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data:"
)


def manager_of(request: Request) -> BatchManager:
    manager = web_of(request).batches
    if manager is None:
        raise WebError(501, "Batches are not available in this deployment.")
    return manager


@router.get("/batches")
def batches_page(request: Request, user: User) -> Response:
    manager = manager_of(request)
    return render(request, "batches.html", {"batches": manager.all(), "error": None})


@router.post("/batches")
async def upload(request: Request, user: User) -> Response:
    form = await checked_form(request)
    require_role(user, Role.analyst, "Running a batch")
    manager = manager_of(request)
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return _upload_error(request, manager, "Choose a shipments file to upload.")
    limit = services_of(request).settings.service.max_upload_bytes
    data = await upload.read(limit + 1)
    if len(data) > limit:
        return _upload_error(request, manager, f"The file is larger than {limit} bytes.")
    try:
        state = manager.create(upload.filename, data, user)
        manager.start(state.id, user)
    except BatchError as exc:
        return _upload_error(request, manager, str(exc))
    return redirect(request, f"{PREFIX}/batches/{state.id}")


def _upload_error(request: Request, manager: BatchManager, message: str) -> Response:
    return render(request, "batches.html", {"batches": manager.all(), "error": message}, 400)


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: str, user: User) -> Response:
    state = manager_of(request).get(batch_id)
    if state is None:
        raise WebError(404, "No such batch.")
    manager = manager_of(request)
    files = [name for name in OUTPUTS if manager.output(batch_id, name) is not None]
    return render(
        request, "batch.html", {"batch": state, "files": files if state.status == "done" else []}
    )


@router.get("/batches/{batch_id}/progress")
def batch_progress(request: Request, batch_id: str, user: User) -> Response:
    """What the progress script polls: status and counts, as JSON."""
    state = manager_of(request).get(batch_id)
    if state is None:
        raise WebError(404, "No such batch.")
    body = {
        "status": state.status,
        "rows_done": state.rows_done,
        "rows_total": state.rows_total,
        "percent": round(state.percent, 1),
        "alerts": state.alerts_raised,
        "errors": state.errors,
    }
    return finish(request, JSONResponse(body))


@router.post("/batches/{batch_id}/run")
async def rerun(request: Request, batch_id: str, user: User) -> Response:
    await checked_form(request)
    require_role(user, Role.analyst, "Running a batch")
    manager = manager_of(request)
    try:
        manager.start(batch_id, user)
    except BatchError as exc:
        raise WebError(409, str(exc)) from None
    return redirect(request, f"{PREFIX}/batches/{batch_id}")


@router.get("/batches/{batch_id}/files/{name}")
def batch_file(request: Request, batch_id: str, name: str, user: User) -> Response:
    path = manager_of(request).output(batch_id, name)
    if path is None:
        raise WebError(404, "No such output.")
    response = FileResponse(path, media_type=OUTPUTS[name])
    if name == "report.html":
        response.headers["Content-Security-Policy"] = REPORT_CSP
    else:
        response.headers["Content-Disposition"] = f'attachment; filename="{batch_id}-{name}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
