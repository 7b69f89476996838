"""积分超市: rewards a community offers for points, redemptions, 核销 and cancellations.

Redeeming debits the points at once (ledger reason `redeem`, negative) and takes one from the stock, in
one transaction, exactly under concurrency:
- the stock is taken by a conditional UPDATE (`stock > 0`), and the database refuses a negative stock;
- the volunteer's points: their user row is locked (SELECT … FOR UPDATE; on SQLite the write
  transaction, BEGIN IMMEDIATE, holds the database) before the balance is summed, so two redemptions by
  the same person are made one after the other and the second sees the first's debit.
Cancelling (the owner while pending, or staff) gives the points (`refund`) and the stock back; a
conditional UPDATE of the status makes it happen once however often it is raced. Operations flush; the
request commits at its end (app/database.py, `end_request_transaction`).
"""
import hmac
import secrets

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from app import clock
from app.areas.models import Area
from app.areas.service import require_area
from app.attachments.models import Attachment
from app.auth.viewer import STAFF_ROLES, Viewer, subtree_ids_select
from app.calls.service import related_area_ids
from app.database import changed_one
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from app.extensions import db
from app.points import service as points
from app.rewards.models import STATUS_LABELS, Redemption, Reward
from app.users.models import User

REWARD_AREA_KINDS = ("community",)
PHOTO_ERROR = "图片不存在或不属于您"


# --- rewards ------------------------------------------------------------------------------------

def _visible(viewer: Viewer):
    """Active rewards for every user; inactive ones only for staff of their area."""
    return or_(Reward.active.is_(True), Reward.area_id.in_(viewer.area_ids_select(STAFF_ROLES)))


def is_staff_of(viewer: Viewer, area: Area) -> bool:
    return viewer.covers(area.path, STAFF_ROLES)


def list_rewards(viewer: Viewer, args: dict, cursor_id: int | None) -> list[Reward]:
    """One page of rewards, newest first: of an area's subtree, or by default of the communities the viewer
    belongs to (home, teams) and the areas they are staff of."""
    query = (select(Reward).options(joinedload(Reward.area)).where(_visible(viewer))
             .order_by(Reward.id.desc()).limit(args["limit"] + 1))
    if args.get("area_id") is not None:
        area = require_area(args["area_id"])
        query = query.where(Reward.area_id.in_(subtree_ids_select([area.path])))
    else:
        query = query.where(or_(Reward.area_id.in_(related_area_ids(viewer)),
                                Reward.area_id.in_(viewer.area_ids_select(STAFF_ROLES))))
    if args.get("active") is not None:
        query = query.where(Reward.active.is_(args["active"]))
    if args.get("in_stock"):
        query = query.where(Reward.stock > 0)
    if cursor_id:
        query = query.where(Reward.id < cursor_id)
    return list(db.session.scalars(query))


def get_reward(viewer: Viewer, reward_id: int) -> Reward:
    reward = db.session.scalars(select(Reward).options(joinedload(Reward.area))
                                .where(Reward.id == reward_id, _visible(viewer))).first()
    if reward is None:
        raise NotFound("找不到该奖品")
    return reward


def _check_photo(viewer: Viewer, photo: str | None, current: str | None = None) -> None:
    """A reward's photo is one of the staff member's own uploads (or the one it has)."""
    if photo is None or photo == current:
        return
    if db.session.scalar(select(Attachment.id).where(Attachment.id == photo, Attachment.owner_id == viewer.id,
                                                     Attachment.order_id.is_(None))) is None:
        raise ValidationFailed({"photo": [PHOTO_ERROR]})


def create_reward(viewer: Viewer, data: dict) -> Reward:
    """Staff put a reward on their community's shelf."""
    area = require_area(data["area_id"])
    if area.kind not in REWARD_AREA_KINDS:
        raise ValidationFailed({"area_id": ["请选择社区（积分超市按社区设立）"]})
    if not is_staff_of(viewer, area):
        raise Forbidden("只能为自己负责的社区上架奖品")
    _check_photo(viewer, data.get("photo"))
    now = clock.now()
    reward = Reward(area_id=area.id, name=data["name"], description=data.get("description", ""),
                    photo=data.get("photo"), points=data["points"], stock=data["stock"],
                    active=data.get("active", True), created_by_id=viewer.id, created_at=now, updated_at=now)
    reward.area = area
    db.session.add(reward)
    db.session.flush()
    return reward


def update_reward(viewer: Viewer, reward_id: int, changes: dict) -> Reward:
    """Staff of the reward's area change it (stock on the shelf, on or off sale, name, points, photo…)."""
    reward = get_reward(viewer, reward_id)
    if not is_staff_of(viewer, reward.area):
        raise Forbidden("只有该社区的工作人员可以修改奖品")
    if "photo" in changes:
        _check_photo(viewer, changes["photo"], reward.photo)
    for name, value in changes.items():
        setattr(reward, name, value)
    reward.updated_at = clock.now()
    db.session.flush()
    return reward


# --- redemptions --------------------------------------------------------------------------------

def new_code() -> str:
    """Eight digits for the volunteer's phone, typed or scanned at the community centre."""
    return f"{secrets.randbelow(10 ** 8):08d}"


def redeem(viewer: Viewer, reward_id: int) -> Redemption:
    """Exchange my points for one of the reward; 409 when it is out of stock or my points fall short."""
    reward = get_reward(viewer, reward_id)
    if not reward.active:
        raise Conflict("该奖品已下架")
    # One spender at a time per person: the lock is held until the request's transaction ends.
    db.session.execute(select(User.id).where(User.id == viewer.id).with_for_update())
    balance = points.balance(viewer.id)
    if balance < reward.points:
        raise Conflict(f"积分不足：兑换需要 {reward.points} 积分，您现有 {balance} 积分")
    changed_one(update(Reward).where(Reward.id == reward.id, Reward.active.is_(True), Reward.stock > 0)
                .values(stock=Reward.stock - 1), Conflict("该奖品已兑完"))
    now = clock.now()
    redemption = Redemption(reward_id=reward.id, user_id=viewer.id, area_id=reward.area_id, reward_name=reward.name,
                            points=reward.points, code=new_code(), status="pending", created_at=now)
    db.session.add(redemption)
    points.award(viewer.id, reward.area_id, -reward.points, "redeem", note=f"兑换：{reward.name}", at=now)
    db.session.flush()
    db.session.expire(reward, ["stock"])
    return redemption


def _visible_redemptions(viewer: Viewer):
    """My redemptions, and those of the areas I am staff of."""
    return or_(Redemption.user_id == viewer.id, Redemption.area_id.in_(viewer.area_ids_select(STAFF_ROLES)))


def get_redemption(viewer: Viewer, redemption_id: int) -> tuple[Redemption, Area]:
    """A redemption the viewer may see, with its area; any other is 404."""
    row = db.session.execute(select(Redemption, Area).join(Area, Area.id == Redemption.area_id)
                             .where(Redemption.id == redemption_id, _visible_redemptions(viewer))).first()
    if row is None:
        raise NotFound("找不到该兑换记录")
    return row[0], row[1]


def _refuse_unless_pending(redemption: Redemption) -> None:
    if redemption.status != "pending":
        raise Conflict(f"该兑换{STATUS_LABELS[redemption.status]}，不能再操作")


def _move(redemption: Redemption, values: dict) -> None:
    """pending → another status, once: the loser of a race gets 409."""
    changed_one(update(Redemption).where(Redemption.id == redemption.id, Redemption.status == "pending")
                .values(**values), Conflict("该兑换已被处理，请刷新后查看"))
    db.session.expire(redemption)


def fulfil(viewer: Viewer, redemption_id: int, code: str) -> Redemption:
    """核销: staff of the reward's area hand the reward over against the code on the volunteer's phone."""
    redemption, area = get_redemption(viewer, redemption_id)
    if not is_staff_of(viewer, area):
        raise Forbidden("只有该社区的工作人员可以核销")
    _refuse_unless_pending(redemption)
    if not hmac.compare_digest(code.encode(), redemption.code.encode()):
        raise ValidationFailed({"code": ["核销码不正确"]})
    _move(redemption, {"status": "fulfilled", "fulfilled_at": clock.now(), "fulfilled_by_id": viewer.id})
    return redemption


def cancel(viewer: Viewer, redemption_id: int) -> Redemption:
    """The owner (while pending) or staff cancel: points and stock are given back, exactly once."""
    redemption, _area = get_redemption(viewer, redemption_id)
    _refuse_unless_pending(redemption)
    now = clock.now()
    reward_id, user_id, area_id = redemption.reward_id, redemption.user_id, redemption.area_id
    refund, note = redemption.points, f"取消兑换：{redemption.reward_name}"
    _move(redemption, {"status": "cancelled", "cancelled_at": now, "cancelled_by_id": viewer.id})
    db.session.execute(update(Reward).where(Reward.id == reward_id).values(stock=Reward.stock + 1)
                       .execution_options(synchronize_session=False))
    points.award(user_id, area_id, refund, "refund", note=note, at=now)
    return redemption


def _page(query, args: dict, cursor_id: int | None):
    if args.get("status"):
        query = query.where(Redemption.status.in_(args["status"]))
    if args.get("reward_id") is not None:
        query = query.where(Redemption.reward_id == args["reward_id"])
    if cursor_id:
        query = query.where(Redemption.id < cursor_id)
    return query.order_by(Redemption.id.desc()).limit(args["limit"] + 1)


def _rows():
    """A redemption with its reward's photo, its area's name and its volunteer's name; one statement a page."""
    return (select(Redemption, Reward.photo, Area.name, Area.path, User.real_name, User.nickname)
            .join(Reward, Reward.id == Redemption.reward_id).join(Area, Area.id == Redemption.area_id)
            .join(User, User.id == Redemption.user_id))


def my_redemptions(viewer: Viewer, args: dict, cursor_id: int | None) -> list:
    return db.session.execute(_page(_rows().where(Redemption.user_id == viewer.id), args, cursor_id)).all()


def area_redemptions(viewer: Viewer, args: dict, cursor_id: int | None) -> list:
    """Redemptions of the areas I am staff of (核销台, console), newest first; `code` finds one typed in."""
    viewer.require_role(STAFF_ROLES)
    query = _rows().where(Redemption.area_id.in_(viewer.area_ids_select(STAFF_ROLES)))
    if args.get("area_id") is not None:
        query = query.where(Redemption.area_id.in_(subtree_ids_select([require_area(args["area_id"]).path])))
    if args.get("code"):
        query = query.where(Redemption.code == args["code"])
    return db.session.execute(_page(query, args, cursor_id)).all()


def redemption_row(viewer: Viewer, redemption_id: int):
    """One redemption as the lists present it (after an action: the viewer may see it)."""
    row = db.session.execute(_rows().where(Redemption.id == redemption_id, _visible_redemptions(viewer))).first()
    if row is None:
        raise NotFound("找不到该兑换记录")
    return row


# --- presentation -------------------------------------------------------------------------------

def photo_url(photo: str | None) -> str | None:
    return f"/api/v1/attachments/{photo}" if photo else None


def present_reward(reward: Reward) -> dict:
    return {"id": reward.id, "area_id": reward.area_id, "area_name": reward.area.name, "name": reward.name,
            "description": reward.description, "photo": reward.photo, "photo_url": photo_url(reward.photo),
            "points": reward.points, "stock": reward.stock, "active": reward.active,
            "created_at": reward.created_at, "updated_at": reward.updated_at}


def present_redemption(viewer: Viewer, row) -> dict:
    """A redemption with its reward's name and photo; the code only for its owner; what the viewer may do."""
    redemption, photo, area_name, area_path, real_name, nickname = row
    own = redemption.user_id == viewer.id
    staff = viewer.covers(area_path, STAFF_ROLES)
    actions = []
    if redemption.status == "pending":
        if staff:
            actions.append("fulfil")
        if staff or own:
            actions.append("cancel")
    return {"id": redemption.id, "reward_id": redemption.reward_id, "reward_name": redemption.reward_name,
            "photo": photo, "photo_url": photo_url(photo), "area_id": redemption.area_id, "area_name": area_name,
            "user_id": redemption.user_id, "user_name": real_name or nickname or f"用户{redemption.user_id}",
            "points": redemption.points, "code": redemption.code if own else None, "status": redemption.status,
            "status_label": STATUS_LABELS[redemption.status], "created_at": redemption.created_at,
            "fulfilled_at": redemption.fulfilled_at, "cancelled_at": redemption.cancelled_at,
            "allowed_actions": actions}


def redemptions_of(user_id: int) -> list[dict]:
    """Every redemption of a user, oldest first (GET /me/export)."""
    rows = db.session.scalars(select(Redemption).where(Redemption.user_id == user_id).order_by(Redemption.id))
    return [{"id": r.id, "reward_id": r.reward_id, "reward_name": r.reward_name, "points": r.points,
             "status": r.status, "created_at": r.created_at, "fulfilled_at": r.fulfilled_at,
             "cancelled_at": r.cancelled_at} for r in rows]


def attachment_references():
    """SELECT of the attachment ids rewards show (uploads referred to, for the uploads' clean-up)."""
    return select(Reward.photo).where(Reward.photo.is_not(None))


def reward_photo_is_public(attachment_id: str) -> bool:
    """A reward's photo is for every logged-in user to see."""
    return db.session.scalar(select(Reward.id).where(Reward.photo == attachment_id).limit(1)) is not None
