"""What a desk calls: enrol with a one-time code, then (with its token) state, batches, changes."""

from __future__ import annotations

from typing import Annotated

import anyio
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from sync import protocol as p
from sync.server import devices, rosters, staff_auth, uploads
from sync.server.core import ServerRefusal
from sync.server.db import once_more_if_disconnected, session
from sync.server.deps import DB, CurrentDevice, engine_of
from sync.server.routers.refusals import REFUSALS

router = APIRouter(tags=["device"], responses=REFUSALS)

# Uploads are checked one at a time in each server process. The check is Python (hashing,
# parsing, the chain rules): a second thread gains nothing under the GIL, and every database
# round trip of the other threads then waits for the GIL to come back (measured: 300 devices
# uploading at once took several times their single-thread sum). More processes, not threads.
UPLOADS = "uploads_limiter"


@router.post(p.ENROL, response_model=p.EnrolResponse)
def enrol(req: p.EnrolRequest, s: DB, request: Request) -> p.EnrolResponse:
    with request.app.state.guard.enrolment(staff_auth.client_address(request)):  # code guessing is rate-limited
        return devices.enrol(s, req)


@router.get(p.STATE, response_model=p.DeviceState)
def state(s: DB, device: CurrentDevice) -> p.DeviceState:
    return devices.state(s, device)


@router.post(p.BATCHES, response_model=p.BatchResult)
async def batches(batch: p.Batch, request: Request, device: CurrentDevice) -> JSONResponse:
    raw = (await request.body()).decode("utf-8", errors="replace")  # kept as sent when a conflict
    limiter: anyio.CapacityLimiter = getattr(request.app.state, UPLOADS)
    result = await anyio.to_thread.run_sync(
        lambda: once_more_if_disconnected(lambda: _accept(engine_of(request), device, batch, raw)), limiter=limiter)
    status = 409 if result.status is p.BatchStatus.CONFLICT else 200
    return JSONResponse(result.model_dump(mode="json"), status_code=status)


@router.get(p.CHANGES, response_model=p.Changes)
def changes(s: DB, device: CurrentDevice, roster_version: Annotated[int, Query(ge=0, le=p.MAX_ID)] = 0,
            payments_after: Annotated[int, Query(ge=0, le=p.MAX_ID)] = 0,
            confirmations_after: Annotated[int, Query(ge=0, le=p.MAX_ID)] = 0,
            config_sha256: Annotated[str | None, Query(max_length=64)] = None,
            debit_lists_after: Annotated[int, Query(ge=0, le=p.MAX_ID)] = 0) -> Response:
    found = rosters.changes(s, device, roster_version, payments_after, confirmations_after, config_sha256,
                            debit_lists_after)
    # Serialised once by pydantic's own encoder: a whole roster is 100,000 rows.
    return Response(found.model_dump_json(), media_type="application/json")


def _accept(engine: Engine, device: CurrentDevice, batch: p.Batch, raw: str) -> p.BatchResult:
    """One upload in one transaction. Two uploads of the same device at once: the second waits
    for the device row (PostgreSQL row lock, SQLite write lock) and then finds the first's entries
    held; a unique (device, seq) is the last guard, answered by trying once more."""
    for attempt in range(2):
        try:
            with session(engine) as s:
                return uploads.accept_batch(s, device, batch, raw=raw)
        except IntegrityError:
            if attempt:
                raise
        except ServerRefusal as exc:
            if exc.status == 422:  # a rule refused it: staff see why
                with session(engine) as s:
                    uploads.record_refusal(s, device, exc)
            raise
    raise AssertionError("unreachable")
