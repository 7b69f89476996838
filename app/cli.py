"""flask commands: seed-demo, grant-role."""
import click
from flask import Flask

from app.extensions import db


@click.command("seed-demo")
def seed_demo_command():
    """Load the demo world (county, town, two communities, users, teams, offerings)."""
    from app.demo import seed_demo

    ids = seed_demo()
    click.echo(f"demo world ready: {ids}")


@click.command("grant-role")
@click.argument("openid")
@click.argument("role", type=click.Choice(["admin", "staff", "grid_worker"]))
@click.option("--area", "area_id", type=int, required=True, help="id of the area the role covers")
def grant_role_command(openid: str, role: str, area_id: int):
    """Grant ROLE on an area to the user with OPENID (created if needed)."""
    from app.categories.service import ensure_default_categories
    from app.users.service import grant_role, user_by_openid

    ensure_default_categories()
    user = user_by_openid(openid)
    db.session.flush()
    grant = grant_role(None, user.id, role, area_id)
    click.echo(f"granted {grant.role} on area {grant.area_id} to {openid} (user {user.id})")


def register(app: Flask) -> None:
    for command in (seed_demo_command, grant_role_command):
        app.cli.add_command(command)
