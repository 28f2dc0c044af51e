"""Alembic environment. The URL comes from the Config (set in code by optiagent.adapters.store.migrate)
or, from the alembic command line, from sqlalchemy.url in alembic.ini or OPTIAGENT_DATABASE_URL via Settings."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from optiagent.adapters.store.engine import create_store_engine
from optiagent.adapters.store.migrate import locked_transaction
from optiagent.adapters.store.models import Base

config = context.config
target_metadata = Base.metadata


def database_url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        from optiagent.settings import load_settings

        url = load_settings().database_url
    if not url:
        raise RuntimeError("no database URL: set sqlalchemy.url in alembic.ini or OPTIAGENT_DATABASE_URL")
    return url


def migrate(connection: Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(
        url=database_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # called from migrate.upgrade, which holds the lock and the transaction
        migrate(connection)
        return
    engine = create_store_engine(database_url())
    try:
        with locked_transaction(engine) as locked:
            migrate(locked)
    finally:
        engine.dispose()


if config.config_file_name is not None and config.attributes.get("connection") is None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

if context.is_offline_mode():
    run_offline()
else:
    run_online()
