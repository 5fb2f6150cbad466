"""schemathesis against the server's own OpenAPI description: whatever a client sends that the
description allows (and much it does not), with an enrolled device's token or a county officer's
session as the route wants, the server answers without a server error."""

from __future__ import annotations

import anyio
import schemathesis
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, settings

from sync import protocol as p
from sync.server import service
from sync.server.db import session
from tests.server.conftest import county_at_import

app = county_at_import("daishou-openapi-")
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# a 疑点's attachment is a PDF (or an image, which schemathesis sends as bytes already): any bytes
schemathesis.serializer.alias("application/pdf", "application/octet-stream")


def _credentials() -> tuple[str, str]:
    """An enrolled device's token and a county officer's session: the routes behind each
    credential are searched too, not only their 401."""
    with session(app.state.engine) as s:
        code = service.issue_enrolment_code(s, "341824100201", 1)
        key = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
        device = service.enrol(s, p.EnrolRequest(code=code, public_key=p.b64(key))).token
        service.add_staff(s, "县社保", "county", "county-pass-1", None)
    staff, _ = anyio.run(app.state.guard.login, "127.0.0.1", "县社保", "county-pass-1")
    return device, staff


DEVICE_TOKEN, STAFF_TOKEN = _credentials()


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case: schemathesis.Case) -> None:
    token = STAFF_TOKEN if "/staff/" in case.path else DEVICE_TOKEN
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:  # every refusal names its reason
        body = response.json()
        assert body.get("code") and body.get("message"), body
