"""The data home's clock and errors as the front ends name them: `Database` itself lives in
app/storage/database.py (the front ends reach storage only through the services)."""

from app.storage.database import Clock, LedgerDamaged, LedgerTampered, default_home, system_clock

__all__ = ["Clock", "LedgerDamaged", "LedgerTampered", "default_home", "system_clock"]
