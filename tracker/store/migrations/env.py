"""Alembic environment: migrate the connection that :func:`tracker.store.engine.migrate` passes."""

from __future__ import annotations

from alembic import context

from tracker.store.tables import metadata


def run_migrations() -> None:
    """Run the pending migrations on the connection given in the Alembic config."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("fttrack migrations run only through tracker.store.engine.migrate()")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # imported by Alembic, not by a doc tool
    run_migrations()
