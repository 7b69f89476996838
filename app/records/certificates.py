"""志愿服务记录证明: issued for a period with its figures fixed at issue, verified publicly by an unguessable code.

The certificate row keeps the name, the figures, the services listed and the issuer as they were when it
was issued: a later change of the record (a reopened order) does not alter a certificate already handed
to a school. The PDF is rendered from that row (app/records/pdf.py); GET /verify/{code} shows the facts
with the name masked.
"""
import re
import secrets

from flask import current_app, request
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app import clock, ratelimits
from app.areas.models import Area
from app.auth.viewer import Viewer
from app.errors import NotFound, ValidationFailed
from app.extensions import db
from app.records import service
from app.records.models import ServiceCredit, ServiceCertificate
from app.stats.service import TZ, Period, local_midnight

# 16 characters of 32 (no 0/O, 1/I): 80 random bits, readable over the phone.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
CODE_PATTERN = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_LENGTH}}}$")
MAX_ITEMS = 500  # services listed on one certificate (the totals count them all)
PLATFORM = "社区五单志愿服务平台"
ERASED_NAME = "（已注销）"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str | None:
    """The code as stored (upper case, without the spaces or dashes people type), or None if it is no code."""
    cleaned = re.sub(r"[\s-]", "", code or "").upper()
    return cleaned if CODE_PATTERN.match(cleaned) else None


def mask_name(name: str) -> str:
    """张* / 张*明 / 欧**明: the first and (from three characters) the last character."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _enforce_limit(viewer: Viewer) -> None:
    ratelimits.enforce("RATELIMIT_CERTIFICATE", "certificate", str(viewer.id), "开具证明太频繁，请稍后再试")


def _issuer(user_id: int, lower, upper) -> str:
    """The community where the volunteer gave most of the period's minutes (a grid's community)."""
    parent = aliased(Area)
    minutes = func.sum(ServiceCredit.minutes)
    row = db.session.execute(
        select(Area.kind, Area.name, parent.name).select_from(ServiceCredit)
        .join(Area, Area.id == ServiceCredit.area_id)
        .outerjoin(parent, parent.id == Area.parent_id)
        .where(*service.user_period(user_id, lower, upper))
        .group_by(Area.id, Area.kind, Area.name, parent.name)
        .order_by(minutes.desc(), Area.id).limit(1)).first()
    if row is None:
        return PLATFORM
    kind, name, parent_name = row
    return (parent_name or name) if kind == "grid" else name


def issue(viewer: Viewer, start: str | None, end: str | None) -> ServiceCertificate:
    """Issue my certificate for a period (default: from my first service to now); flushed, not committed."""
    user = viewer.user
    if not user.real_name:
        raise ValidationFailed("开具证明需要真实姓名，请先在“我的资料”中填写真实姓名")
    lower, upper = service.parse_bounds(start, end)
    now = clock.now()
    upper = min(upper, now) if upper is not None else now
    if lower is not None and lower >= upper:
        raise ValidationFailed({"from": ["开始时间应早于当前时间"]})
    _enforce_limit(viewer)
    totals = service.record_totals(user.id, lower, upper)
    if not totals["total_minutes"]:
        raise ValidationFailed("该期间没有志愿服务记录，无法开具证明")
    if lower is None:
        lower = local_midnight(totals["first"].astimezone(TZ).date())
    items = service.record_items(user.id, lower, upper, MAX_ITEMS - 1)[:MAX_ITEMS]
    certificate = ServiceCertificate(
        code=new_code(), user_id=user.id, name=user.real_name, name_masked=mask_name(user.real_name),
        period_from=lower, period_to=upper, total_minutes=totals["total_minutes"], services=totals["services"],
        calls=totals["calls"], avg_stars=totals["avg_stars"],
        items=[{"kind": i["kind"], "id": i["id"], "title": i["title"], "date": i["date"], "minutes": i["minutes"],
                "stars": i["stars"]} for i in items],
        issuer=_issuer(user.id, lower, upper), issued_at=now)
    db.session.add(certificate)
    db.session.flush()
    return certificate


def by_code(code: str) -> ServiceCertificate:
    """The certificate with this code; 404 for anything else (malformed codes cost no query)."""
    normal = normalise_code(code)
    certificate = db.session.scalars(select(ServiceCertificate).where(ServiceCertificate.code == normal)).first() \
        if normal else None
    if certificate is None:
        raise NotFound("找不到该证明，请核对核验码")
    return certificate


def readable(viewer: Viewer, code: str) -> ServiceCertificate:
    """A certificate for its owner and the staff of the owner's areas; 404 for anyone else."""
    certificate = by_code(code)
    if certificate.user_id != viewer.id:
        try:
            service.record_subject(viewer, certificate.user_id, leaders=False)
        except NotFound:
            raise NotFound("找不到该证明，请核对核验码") from None
    return certificate


def mine(viewer: Viewer, limit: int, cursor_id: int | None) -> list[ServiceCertificate]:
    query = (select(ServiceCertificate).where(ServiceCertificate.user_id == viewer.id)
             .order_by(ServiceCertificate.id.desc()).limit(limit + 1))
    if cursor_id:
        query = query.where(ServiceCertificate.id < cursor_id)
    return list(db.session.scalars(query))


# --- presentation -------------------------------------------------------------------------------

def public_base() -> str:
    """Where people reach this service from outside: PUBLIC_BASE_URL, or the address this request came to."""
    return (current_app.config.get("PUBLIC_BASE_URL") or request.url_root).rstrip("/")


def pdf_path(code: str) -> str:
    return f"/api/v1/service-certificates/{code}.pdf"


def verify_url(code: str) -> str:
    return f"{public_base()}/api/v1/verify/{code}"


def present(certificate: ServiceCertificate) -> dict:
    return {"code": certificate.code, "pdf_url": pdf_path(certificate.code), "verify_url": verify_url(certificate.code),
            "from": certificate.period_from, "to": certificate.period_to, "total_minutes": certificate.total_minutes,
            "services": certificate.services, "calls": certificate.calls, "issued_at": certificate.issued_at}


def verification(certificate: ServiceCertificate) -> dict:
    """What anyone holding the code may see: the facts, and no more of the person than the masked name."""
    return {"code": certificate.code, "valid": True, "name_masked": certificate.name_masked,
            "total_minutes": certificate.total_minutes, "total_hours": service.hours(certificate.total_minutes),
            "services": certificate.services, "calls": certificate.calls, "from": certificate.period_from,
            "to": certificate.period_to, "issued_at": certificate.issued_at, "issuer": certificate.issuer}


def forget_names(user_id: int) -> int:
    """Blank the name kept on a user's certificates (注销, DELETE /me: engineer "pii" calls it); the figures stay
    verifiable. Flushed, not committed; returns how many certificates."""
    return db.session.execute(update(ServiceCertificate).where(ServiceCertificate.user_id == user_id)
                              .values(name="", name_masked=ERASED_NAME)
                              .execution_options(synchronize_session=False)).rowcount


def period_label(facts: dict) -> str:
    """2024年3月1日至5月31日 (the last day included)."""
    return Period(facts["from"], facts["to"]).label()
