"""/categories: the kinds of service, with deadlines and points."""
from flask_smorest import Blueprint
from sqlalchemy import select

from app.categories.models import Category
from app.extensions import db
from app.schema import Schema, fields, page_schema

blp = Blueprint("categories", __name__, description="服务类别")


class CategorySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    sla_hours = fields.Integer(metadata={"description": "限期（小时）"})
    points = fields.Integer()


@blp.route("/categories", methods=["GET"])
@blp.response(200, page_schema(CategorySchema, "CategoryPage"))
@blp.doc(security=[])
def list_categories():
    """Every category, in display order (one short page)."""
    rows = db.session.scalars(select(Category).order_by(Category.sort_order, Category.id))
    return {"items": list(rows), "next_cursor": None}
