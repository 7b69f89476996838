"""flask commands: seed-demo (idempotent) and grant-role (creates the user)."""
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from app.areas.models import Area
from app.extensions import db
from app.users.models import RoleGrant, User
from tests.conftest import DEMO_OPENIDS


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, in primary-key order."""
    with app.app_context():
        tables = {}
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            tables[table.name] = [tuple(row) for row in db.session.execute(sa.select(table).order_by(*order))]
        db.session.remove()
    return tables


def test_seed_demo_builds_the_demo_world(app, runner):
    """Does `flask seed-demo` create the areas, users, roles and teams of DESIGN §7?"""
    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    assert "demo world ready" in result.output
    with app.app_context():
        names = {(a.kind, a.name) for a in db.session.scalars(select(Area))}
        openids = set(db.session.scalars(select(User.openid)))
        grants = {(g.user.openid, g.role, g.area.name) for g in db.session.scalars(select(RoleGrant))}
    assert {("county", "示范县"), ("town", "城关镇"), ("community", "松阳社区"), ("community", "青山社区"),
            ("grid", "第一网格"), ("grid", "第二网格")} <= names and len(names) == 6
    assert set(DEMO_OPENIDS.values()) <= openids
    assert {("demo-admin", "admin", "示范县"), ("demo-staff-sy", "staff", "松阳社区"),
            ("demo-staff-qs", "staff", "青山社区"), ("demo-grid-sy", "grid_worker", "松阳社区")} == grants


def test_seed_demo_twice_changes_nothing(app, runner):
    """Does running `flask seed-demo` a second time leave every table's rows exactly as they were?"""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    first = snapshot(app)

    result = runner.invoke(args=["seed-demo"])

    assert result.exit_code == 0, result.output
    second = snapshot(app)
    assert {name: len(rows) for name, rows in second.items()} == {name: len(rows) for name, rows in first.items()}
    assert second == first
    assert all(first[name] for name in ("areas", "users", "role_grants", "teams", "team_members", "offerings",
                                        "categories"))


def test_seed_demo_keeps_changes_made_since(app, runner, client):
    """Does a second seed-demo keep what people changed (a nickname) and add only what is missing?"""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    token = client.post("/api/v1/auth/wechat-login", json={"code": "dev:demo-resident-sy-1"}).get_json()
    client.patch("/api/v1/me", json={"nickname": "张大爷"},
                 headers={"Authorization": f"Bearer {token['access_token']}"})
    with app.app_context():
        db.session.execute(sa.delete(RoleGrant).where(RoleGrant.role == "grid_worker"))
        db.session.commit()

    assert runner.invoke(args=["seed-demo"]).exit_code == 0

    with app.app_context():
        assert db.session.scalars(select(User.nickname).where(User.openid == "demo-resident-sy-1")).one() == "张大爷"
        assert db.session.scalar(select(sa.func.count()).select_from(RoleGrant)
                                 .where(RoleGrant.role == "grid_worker")) == 1


def area_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalars(select(Area.id).where(Area.name == name)).one()


def test_grant_role_creates_the_user(app, runner, client):
    """Does `flask grant-role` create an unknown openid's user with the role, usable at their first login?"""
    runner.invoke(args=["seed-demo"])
    county = area_id(app, "示范县")

    result = runner.invoke(args=["grant-role", "new-county-admin", "admin", "--area", str(county)])

    assert result.exit_code == 0, result.output
    assert "granted admin" in result.output
    login = client.post("/api/v1/auth/wechat-login", json={"code": "dev:new-county-admin"}).get_json()
    assert [(r["role"], r["area_id"]) for r in login["user"]["roles"]] == [("admin", county)]


def test_grant_role_on_an_empty_database(app, runner):
    """Does grant-role work before any seed, once an area exists (the first admin of a new deployment)?"""
    with app.app_context():
        from app.areas.service import add_area

        county = add_area("新县", "county", None).id
        db.session.commit()

    result = runner.invoke(args=["grant-role", "first-admin", "admin", "--area", str(county)])

    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.openid == "first-admin")).one()
        assert [(g.role, g.area_id) for g in user.grants] == [("admin", county)]


def test_grant_role_twice_keeps_one_grant(app, runner):
    """Is granting the same role twice one grant and one user?"""
    runner.invoke(args=["seed-demo"])
    sy = area_id(app, "松阳社区")

    for _ in range(2):
        assert runner.invoke(args=["grant-role", "twice", "staff", "--area", str(sy)]).exit_code == 0

    with app.app_context():
        user = db.session.scalars(select(User).where(User.openid == "twice")).one()
        assert len(user.grants) == 1


@pytest.mark.parametrize("args, message", [
    (["grant-role", "someone", "admin", "--area", "999999"], "999999"),
    (["grant-role", "someone", "king", "--area", "1"], "king"),
    (["grant-role", "someone", "admin"], "--area"),
])
def test_grant_role_refuses_bad_arguments(app, runner, args, message):
    """Does grant-role refuse an unknown area or role with a usage error, creating no user?"""
    result = runner.invoke(args=args)

    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    with app.app_context():
        assert db.session.scalars(select(User).where(User.openid == "someone")).first() is None


def test_gen_data_is_refused_in_production(app, runner):
    """Does `flask gen-data` refuse to fill a production database with made-up orders?"""
    app.config["APP_ENV"] = "production"
    try:
        result = runner.invoke(args=["gen-data", "--orders", "10"])
    finally:
        app.config["APP_ENV"] = "testing"
    assert result.exit_code == 2 and "APP_ENV=production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
