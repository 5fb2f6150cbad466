from __future__ import annotations

import os

# python-escpos makes a new temporary folder on every import unless this is set.
os.environ.setdefault("ESCPOS_CAPABILITIES_PICKLE_DIR", "/tmp/escpos-cache")
os.makedirs(os.environ["ESCPOS_CAPABILITIES_PICKLE_DIR"], exist_ok=True)
