"""The county server's service, one module per concern; this module names them all in one
place for the command line (cli.py) and the tests:

- core: refusals, the clock, the server's signing key;
- devices: villages, enrolment, device tokens;
- uploads: a device's batch, checked and stored (rules: the county's own checks on it);
- rosters: what the county issues and desks pull (rosters, configuration, payments, 入库);
- audit: the public receipt check and `daishou-server check`;
- staff: accounts, sign-in, what each account may see (review.py: flags, samples, overview).
"""

from __future__ import annotations

from sync.server.audit import CheckResult, check_all, check_receipt
from sync.server.core import ServerRefusal, now, server_key, server_public_key, sha256_hex, sign_ack
from sync.server.devices import (
                                 CODE_ALPHABET,
                                 CODE_LENGTH,
                                 device_for_token,
                                 enrol,
                                 ensure_village,
                                 issue_enrolment_code,
                                 state,
)
from sync.server.rosters import (
                                 add_payment,
                                 changes,
                                 confirm,
                                 fold_payments,
                                 load_config,
                                 load_roster,
)
from sync.server.staff import (
                                 STAFF_SESSION,
                                 add_staff,
                                 conflicts_for,
                                 staff_for_token,
                                 visible_villages,
)
from sync.server.uploads import accept_batch, check_signature

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "STAFF_SESSION",
           "CheckResult", "ServerRefusal", "accept_batch", "add_payment", "add_staff", "changes", "check_all",
           "check_receipt", "check_signature", "confirm", "conflicts_for", "device_for_token", "enrol",
           "ensure_village", "fold_payments", "issue_enrolment_code", "load_config", "load_roster", "now",
           "server_key", "server_public_key", "sha256_hex", "sign_ack", "staff_for_token",
           "state", "visible_villages"]
