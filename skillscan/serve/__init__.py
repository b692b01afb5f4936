"""`skillscan serve`: the gate as a service (issue 21) — an HTTP API (FastAPI on uvicorn), a persistent
queue and verdict store (SQLAlchemy Core over SQLite or PostgreSQL, Alembic migrations) and workers
that claim queued scans in batches and run the gate once per batch. Optional: `pip install '.[serve]'`.
See docs/service.md."""
