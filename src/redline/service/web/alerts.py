"""The alerts queue: filters, one alert with its history, and the four-eyes forms.

Errors of the workflow are shown on the alert's page with their HTTP status: 403 for
a role that may not act or for approving one's own decision, 409 when someone else
acted first (the form carries the version the user saw), 422 without a reason.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from redline.service.alerts import (
    STATUSES,
    AlertConflict,
    AlertError,
    AlertNotFound,
    InvalidDecision,
    PermissionDenied,
    ReasonRequired,
    SelfApprovalError,
)
from redline.service.principal import Role
from redline.service.web.core import (
    PREFIX,
    User,
    WebError,
    checked_form,
    field,
    queue_of,
    redirect,
    render,
    require_role,
)

router = APIRouter(prefix=PREFIX, include_in_schema=False)

ORIGINS = ("workspace", "batch", "api")
#: Messages after a successful action (chosen by key: nothing from the URL is echoed).
DONE = {
    "decided": "Your decision is recorded.",
    "approved": "The decision is approved; the alert is closed.",
    "rejected": "The decision is sent back; the alert is open again.",
}
PAGE = 100


@router.get("/alerts")
def alerts_queue(
    request: Request,
    user: User,
    status: str = "",
    origin: str = "",
    source: str = "",
    page: int = 0,
) -> Response:
    queue = queue_of(request)
    filters = {"status": status, "origin": origin, "source": source}
    status_filter = status if status in STATUSES else None
    items = queue.list_alerts(
        status=status_filter,
        origin=origin or None,
        source=source or None,
        limit=PAGE,
        offset=max(page, 0) * PAGE,
    )
    return render(
        request,
        "alerts.html",
        {
            "alerts": items,
            "filters": filters,
            "statuses": STATUSES,
            "origins": ORIGINS,
            "counts": queue.count_by_status(),
            "page": max(page, 0),
            "more": len(items) == PAGE,
        },
    )


@router.get("/alerts/{alert_id}")
def alert_page(request: Request, alert_id: int, user: User, done: str = "") -> Response:
    return _alert_page(request, alert_id, message=DONE.get(done))


def _alert_page(
    request: Request,
    alert_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    status: int = 200,
    form: dict[str, str] | None = None,
) -> Response:
    queue = queue_of(request)
    try:
        alert = queue.get(alert_id)
    except AlertNotFound:
        raise WebError(404, "No alert with this id.") from None
    context: dict[str, Any] = {
        "alert": alert,
        "history": queue.history(alert_id),
        "message": message,
        "error": error,
        "form": form or {},
    }
    return render(request, "alert.html", context, status)


@router.post("/alerts/{alert_id}/{action}")
async def alert_action(request: Request, alert_id: int, action: str, user: User) -> Response:
    form = await checked_form(request)
    if action not in ("decide", "approve", "reject"):
        raise WebError(404, "Unknown action.")
    queue = queue_of(request)
    reason = field(form, "reason")
    decision = field(form, "decision")
    try:
        seen = int(field(form, "version"))
    except ValueError:
        seen = None
    values = {"reason": reason, "decision": decision}
    try:
        if action == "decide":
            require_role(user, Role.analyst, "Deciding an alert")
            queue.decide(alert_id, decision, reason, user, expected_version=seen)
            done = "decided"
        elif action == "approve":
            require_role(user, Role.approver, "Approving a decision")
            queue.approve(alert_id, user, comment=reason or None, expected_version=seen)
            done = "approved"
        else:
            require_role(user, Role.approver, "Rejecting a decision")
            queue.reject(alert_id, user, reason, expected_version=seen)
            done = "rejected"
    except WebError as exc:
        return _alert_page(request, alert_id, error=exc.message, status=exc.status, form=values)
    except AlertNotFound:
        raise WebError(404, "No alert with this id.") from None
    except AlertError as exc:
        status, text = _explain(exc)
        return _alert_page(request, alert_id, error=text, status=status, form=values)
    return redirect(request, f"{PREFIX}/alerts/{alert_id}?done={done}")


def _explain(exc: AlertError) -> tuple[int, str]:
    """The status and a plain message for each workflow error."""
    if isinstance(exc, SelfApprovalError):
        return 403, f"Refused: you made this decision, so someone else must review it. ({exc})"
    if isinstance(exc, PermissionDenied):
        return 403, f"Refused: {exc}"
    if isinstance(exc, AlertConflict):
        return 409, f"Someone decided first: the alert changed since you opened it. ({exc})"
    if isinstance(exc, ReasonRequired):
        return 422, f"A reason is required: {exc}"
    if isinstance(exc, InvalidDecision):
        return 422, "Choose false positive or true match."
    return 400, str(exc)
