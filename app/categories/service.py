"""Category look-ups."""
from sqlalchemy import select

from app.categories.models import DEFAULT_CATEGORIES, Category
from app.errors import ValidationFailed
from app.extensions import db


def category_by_code(code: str, field: str = "category") -> Category:
    category = db.session.scalars(select(Category).where(Category.code == code)).first()
    if category is None:
        raise ValidationFailed({field: ["服务类别不存在"]})
    return category


def categories_by_codes(codes: list[str], field: str = "category_codes") -> list[Category]:
    found = list(db.session.scalars(select(Category).where(Category.code.in_(codes))))
    missing = sorted(set(codes) - {c.code for c in found})
    if missing:
        raise ValidationFailed({field: [f"服务类别不存在：{'、'.join(missing)}"]})
    return found


def ensure_default_categories() -> None:
    """Add the default categories that are missing; leaves edited ones alone."""
    existing = set(db.session.scalars(select(Category.code)))
    for order, (code, name, sla_hours, points) in enumerate(DEFAULT_CATEGORIES):
        if code not in existing:
            db.session.add(Category(code=code, name=name, sla_hours=sla_hours, points=points, sort_order=order))
    db.session.flush()
