"""Persistence: SQLAlchemy models, engines, sessions and alembic migrations."""
