"""Migrations build the whole schema on an empty database (SQLite, and PostgreSQL when the suite runs on it)
and agree with the models."""
import logging
import os

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate.cli import db as db_command

from app import create_app
from app.extensions import db
from tests.conftest import is_postgres


@pytest.fixture(autouse=True)
def keep_logging():
    """Alembic's env.py configures logging from alembic.ini; put the suite's logging back afterwards."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    disabled = {name: logger.disabled for name, logger in logging.root.manager.loggerDict.items()
                if isinstance(logger, logging.Logger)}
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    for name, was_disabled in disabled.items():
        logging.getLogger(name).disabled = was_disabled


def _fresh_postgres(url: str) -> str:
    """A new, empty PostgreSQL database next to the suite's (one per xdist worker)."""
    base = sa.engine.make_url(url)
    name = f"test_migrations_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _drop_postgres(url: str) -> None:
    base = sa.engine.make_url(url)
    admin = sa.create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{base.database}" WITH (FORCE)'))
    admin.dispose()


def _backends():
    backends = ["sqlite"]
    if is_postgres(os.environ.get("TEST_DATABASE_URL", "")):
        backends.append("postgresql")
    return backends


@pytest.fixture(params=_backends())
def empty_database(request, tmp_path):
    """The URL of an empty database: a new SQLite file, or a newly created PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    url = _fresh_postgres(os.environ["TEST_DATABASE_URL"])
    yield url
    _drop_postgres(url)


@pytest.fixture
def migrated_app(empty_database):
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=empty_database)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def flask_db(app, *args: str):
    """Run `flask db ...` through the app's CLI runner."""
    result = app.test_cli_runner().invoke(db_command, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def table_names(app) -> set[str]:
    with app.app_context():
        return set(sa.inspect(db.engine).get_table_names())


def test_upgrade_builds_the_schema_the_models_describe(migrated_app):
    """Does `flask db upgrade` on an empty database build every table, with no difference from the models?"""
    assert table_names(migrated_app) == set()

    flask_db(migrated_app, "upgrade")

    assert table_names(migrated_app) == set(db.metadata.tables) | {"alembic_version"}
    with migrated_app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        differences = compare_metadata(context, db.metadata)
        heads = ScriptDirectory.from_config(migrated_app.extensions["migrate"].migrate.get_config()).get_heads()
        current = context.get_current_heads()
    assert differences == []
    assert len(heads) == 1, f"the migrations branch: {heads}"
    assert current == tuple(heads)


def test_downgrade_to_base_and_upgrade_again(migrated_app):
    """Can every migration be undone down to an empty schema and applied again?"""
    flask_db(migrated_app, "upgrade")

    flask_db(migrated_app, "downgrade", "base")
    assert table_names(migrated_app) <= {"alembic_version"}

    flask_db(migrated_app, "upgrade")
    assert table_names(migrated_app) == set(db.metadata.tables) | {"alembic_version"}


def test_the_migrated_schema_serves_the_demo(migrated_app):
    """Does the migrated schema (not create_all) take the demo world and a login?"""
    flask_db(migrated_app, "upgrade")

    result = migrated_app.test_cli_runner().invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    login = migrated_app.test_client().post("/api/v1/auth/wechat-login", json={"code": "dev:demo-staff-sy"})
    assert login.status_code == 200 and login.get_json()["user"]["roles"][0]["role"] == "staff"
