"""One transaction per request (issue 16, item 2), without HTTP: an operation flushes and leaves the commit to
the request's end (app/database.py, `end_request_transaction`); a lost race raises its 409 through the one
helper (`changed_one`) or a savepoint, and the rest of the request's work stays as it was."""
import pytest
import sqlalchemy as sa

from app.auth.viewer import load_viewer
from app.database import WROTE
from app.errors import Conflict
from app.extensions import db
from app.offerings.models import Offering
from app.users.models import User


def _viewer(demo, who: str):
    user = db.session.get(User, demo.user_ids[who])
    return load_viewer(user.id, user.token_version)


def _committed(app, statement):
    """What was committed, read on an engine of its own (plain: no write lock taken to read on SQLite)."""
    engine = sa.create_engine(db.engine.url)
    try:
        with engine.connect() as connection:
            return connection.execute(statement).scalar()
    finally:
        engine.dispose()


def _offering(demo, app) -> int:
    from app.offerings import service as offerings

    with app.test_request_context("/api/v1/offerings", method="POST"):
        offering = offerings.create_offering(_viewer(demo, "leader_sy"), {
            "team_id": demo.team_sy, "category": "escort", "title": "陪同就医"})
        offering_id = offering.id
        db.session.commit()  # what the request's end would do
    return offering_id


def _team_ops(demo):
    from app.teams import service as teams

    return lambda: teams.create_team(_viewer(demo, "staff_sy"), {"area_id": demo.sy, "name": "未提交的队"}), \
        sa.select(sa.func.count()).select_from(sa.table("teams")).where(sa.column("name") == "未提交的队")


def _profile_ops(demo):
    from app.users import service as users

    return lambda: users.update_profile(_viewer(demo, "resident"), {"nickname": "未提交"}), \
        sa.select(sa.func.count()).select_from(sa.table("users")).where(sa.column("nickname") == "未提交")


def _ticket_ops(demo):
    from app.auth import service as auth

    return lambda: auth.create_ticket("127.0.0.1", "pytest"), \
        sa.select(sa.func.count()).select_from(sa.table("console_tickets"))


def _reward_ops(demo):
    from app.rewards import service as rewards

    return lambda: rewards.create_reward(_viewer(demo, "staff_sy"), {
        "area_id": demo.sy, "name": "未提交的奖品", "points": 10, "stock": 1}), \
        sa.select(sa.func.count()).select_from(sa.table("rewards")).where(sa.column("name") == "未提交的奖品")


@pytest.mark.parametrize("operation", [_team_ops, _profile_ops, _ticket_ops, _reward_ops],
                         ids=["teams.create_team", "users.update_profile", "auth.create_ticket",
                              "rewards.create_reward"])
def test_an_operation_flushes_and_leaves_the_commit_to_the_request(demo, app, operation):
    """Called inside a request's context, does the operation write (flushed: its own session sees it) yet
    commit nothing, so that the request's end decides (and a refusal there undoes it)?"""
    run, counted = operation(demo)
    with app.test_request_context("/api/v1/x", method="POST"):
        before = _committed(app, counted)
        run()
        assert db.session().in_transaction() and db.session.info[WROTE] is True
        assert _committed(app, counted) == before  # nothing committed by the operation
        db.session.rollback()  # the request's end, for a refusal
    with app.app_context():
        assert db.session.execute(counted).scalar() == before


def test_a_lost_race_raises_conflict_and_keeps_the_rest_of_the_request(demo, app):
    """When the offering moved after it was read (the conditional UPDATE matches no row), does the review
    raise 409 through changed_one without rolling back what the request had already written?"""
    from app.offerings import service as offerings

    offering_id = _offering(demo, app)
    with app.test_request_context(f"/api/v1/offerings/{offering_id}/review", method="POST"):
        staff = _viewer(demo, "staff_sy")
        assert offerings.get_offering(staff, offering_id).status == "pending"
        staff.user.nickname = "同一请求的修改"
        db.session.flush()
        # Another request withdrew it meanwhile (the ORM object still says pending).
        db.session.execute(sa.update(Offering).where(Offering.id == offering_id).values(status="withdrawn")
                           .execution_options(synchronize_session=False))
        with pytest.raises(Conflict, match="刷新后查看"):
            offerings.review_offering(staff, offering_id, "approve")
        assert db.session.is_active and db.session().in_transaction()  # no hand rollback
        assert db.session.scalar(sa.select(User.nickname).where(User.id == staff.id)) == "同一请求的修改"
        db.session.rollback()


def test_a_duplicate_join_is_refused_in_a_savepoint(demo, app):
    """A concurrent join of the same person (the unique key refuses the second row): 409, and only that INSERT
    is undone — what the request wrote before it stands."""
    from app.teams import service as teams
    from app.teams.models import Team, TeamMember

    with app.test_request_context("/api/v1/teams/join", method="POST"):
        code = db.session.get(Team, demo.team_sy).invite_code
        viewer = _viewer(demo, "resident")
        viewer.user.nickname = "加入前的修改"
        db.session.flush()
        # The other request's row, not seen by this viewer's memberships (loaded before).
        db.session.execute(sa.insert(TeamMember).values(team_id=demo.team_sy, user_id=viewer.id, role="member"))
        with pytest.raises(Conflict):
            teams.join_by_code(viewer, code)
        assert db.session.scalar(sa.select(User.nickname).where(User.id == viewer.id)) == "加入前的修改"
        db.session.rollback()


def test_the_redemption_race_is_one_409(demo, app):
    """Fulfilling a redemption another request cancelled meanwhile: 409 through changed_one, the session usable."""
    from app.points.service import award
    from app.rewards import service as rewards
    from app.rewards.models import Redemption

    with app.test_request_context("/api/v1/rewards", method="POST"):
        staff, volunteer = _viewer(demo, "staff_sy"), _viewer(demo, "vol1")
        award(volunteer.id, demo.sy, 50, "call_checkin", note="测试")
        reward = rewards.create_reward(staff, {"area_id": demo.sy, "name": "毛巾", "points": 10, "stock": 2})
        redemption = rewards.redeem(volunteer, reward.id)
        code, redemption_id = redemption.code, redemption.id
        db.session.execute(sa.update(Redemption).where(Redemption.id == redemption_id).values(status="cancelled")
                           .execution_options(synchronize_session=False))
        with pytest.raises(Conflict, match="已被处理"):
            rewards.fulfil(staff, redemption_id, code)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Redemption)) == 1
        db.session.rollback()


@pytest.mark.parametrize("meanwhile, message", [({"signup_count": 1}, "名额已满"), ({"status": "closed"}, "报名已结束")],
                         ids=["full", "closed"])
def test_a_sign_up_that_loses_the_race_gets_the_calls_409(demo, app, meanwhile, message):
    """When another request took the last place or closed the call after this one read it, does the sign-up
    raise the 409 of the call as it is now, through changed_one, leaving the rest of the request as it was?"""
    from datetime import timedelta

    from app import clock
    from app.calls import service as calls
    from app.calls.models import Call, CallSignup

    with app.test_request_context("/api/v1/calls/1/signup", method="POST"):
        call, _called = calls.create_call(_viewer(demo, "staff_sy"), {
            "kind": "activity", "area_id": demo.sy, "title": "社区义诊", "place": "松阳社区活动室", "quota": 1,
            "starts_at": clock.now() + timedelta(hours=3)})
        volunteer = _viewer(demo, "vol1")
        volunteer.user.nickname = "报名前的修改"
        db.session.flush()
        # Another request meanwhile (the ORM object still says open, no one signed up).
        db.session.execute(sa.update(Call).where(Call.id == call.id).values(**meanwhile)
                           .execution_options(synchronize_session=False))
        with pytest.raises(Conflict) as refused:
            calls.sign_up(volunteer, call)
        assert refused.value.message == message
        assert db.session.is_active and db.session().in_transaction()  # no hand rollback
        assert db.session.scalar(sa.select(User.nickname).where(User.id == volunteer.id)) == "报名前的修改"
        assert db.session.scalar(sa.select(sa.func.count()).select_from(CallSignup)) == 0
        assert db.session.scalar(sa.select(Call.signup_count).where(Call.id == call.id)) == \
            meanwhile.get("signup_count", 0)
        db.session.rollback()
