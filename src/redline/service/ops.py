"""Operations endpoints: liveness, readiness, metrics, and the API documentation.

``/healthz`` and ``/readyz`` are open (load balancers probe them without a key and
they reveal nothing); the metrics and the OpenAPI documents need a key like
everything else.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from redline.service.access import Viewer
from redline.service.context import services_of

router = APIRouter(tags=["System"])


@router.get("/healthz", summary="Liveness (no key needed)")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="Readiness: 200 once the screening index is loaded, 503 before",
    responses={503: {"description": "The index is still being built"}},
)
def readyz(request: Request) -> JSONResponse:
    holder = services_of(request).holder
    if not holder.ready:
        body: dict[str, Any] = {"status": "loading"}
        if holder.last_error:
            body["error"] = "the last index build failed; see the service log"
        return JSONResponse(body, status_code=503, headers={"Retry-After": "10"})
    return JSONResponse({"status": "ok", "index_version": holder.current().token})


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(request: Request, _principal: Viewer) -> Response:
    services = services_of(request)
    return Response(services.metrics.render(services.holder), media_type=CONTENT_TYPE_LATEST)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Viewer) -> JSONResponse:
    return JSONResponse(request.app.openapi())


@router.get("/docs", include_in_schema=False)
def docs(_principal: Viewer) -> HTMLResponse:
    return get_swagger_ui_html(openapi_url="/openapi.json", title="redline API")
