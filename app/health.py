"""/health: the service and its database."""
from flask_smorest import Blueprint
from sqlalchemy import literal_column, select

from app.errors import AppError
from app.extensions import db, limiter
from app.schema import Schema, fields

blp = Blueprint("health", __name__, description="健康检查")


class HealthSchema(Schema):
    status = fields.String()
    db = fields.String()


class DatabaseDown(AppError):
    status, code, message = 503, "unavailable", "数据库暂时不可用"


@blp.route("/health", methods=["GET"])
@limiter.exempt
@blp.response(200, HealthSchema)
@blp.doc(security=[])
def health():
    """Whether the service can reach its database."""
    try:
        db.session.execute(select(literal_column("1")))  # a SELECT: on PostgreSQL one round trip, no transaction
    except Exception as exc:  # any driver error means the database is unreachable
        db.session.rollback()
        raise DatabaseDown() from exc
    return {"status": "ok", "db": "ok"}
