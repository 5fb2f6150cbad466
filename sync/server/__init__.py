"""The county server: receives signed settled ledgers, sends rosters, configuration, payments
and 入库 confirmations down. FastAPI over SQLModel; SQLite by default, PostgreSQL by URL."""
