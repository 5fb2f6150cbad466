"""schemathesis against the server's own OpenAPI description: whatever a client sends that the
description allows (and much it does not), the server answers without a server error."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings

from sync.server.app import create_app
from sync.server.db import migrate

_folder = Path(tempfile.mkdtemp(prefix="daishou-openapi-"))
atexit.register(shutil.rmtree, _folder, True)
_db = str(_folder / "county.sqlite3")
migrate(_db)
app = create_app(_db)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:  # every refusal names its reason
        body = response.json()
        assert body.get("code") and body.get("message"), body
