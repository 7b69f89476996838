"""`flask gen-data`: a realistic data set, fast, for benchmarks and scale tests.

A year of a city's five-order work: counties › towns › communities › grids; residents, staff,
grid workers and volunteer teams with offerings, Party members with their work units (双报到);
orders in every status with their events, ratings and points, created evenly over the last year
(ids in creation order, like real ones); 吹哨 calls and activities with sign-ups and their points.
Each order is simulated along the five steps with realistic delays and cut at "now", so recent
orders are still open and some old ones are overdue.

Rows are written in bulk: COPY through psycopg on PostgreSQL, executemany on SQLite. Ids are
assigned here (after the current maximum), so a run adds to what is there, demo world included.
"""
import io
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache

from sqlalchemy import func, select, text

from app import clock
from app.categories.models import Category
from app.categories.service import ensure_default_categories
from app.extensions import db
from app.orders.models import OrderStatus
from app.orders.transitions import ASSIGNEE, REQUESTER, STAFF, SYSTEM, TEAM_MEMBER, check

DAY = 86400
HOUR = 3600
CHUNK = 20000  # orders generated and written per batch (bounded memory)

TOWN_NAMES = ["城关镇", "东城街道", "西城街道", "南湖镇", "北山镇", "河口镇", "新华街道", "和平街道", "建设街道",
              "长安镇", "青龙镇", "白石镇", "清水镇", "金桥街道", "文昌街道", "凤凰镇"]
COMMUNITY_NAMES = ["幸福", "和平", "光明", "建设", "文化", "团结", "新华", "向阳", "东风", "红旗", "阳光", "春晖",
                   "桂花", "梧桐", "翠竹", "康宁", "福寿", "锦绣", "滨江", "湖畔", "松阳", "青山", "育才", "永安"]
COUNTY_NAMES = ["清河县", "丰乐县", "安平县", "永宁县", "长乐县", "平山县", "泰和县", "宁远县"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = ["建国", "秀英", "桂英", "玉兰", "志强", "淑珍", "德明", "春梅", "国华", "丽华", "永福", "凤英", "明", "芳",
         "伟", "敏", "静", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛", "超", "霞", "平", "刚"]
NEEDS = {
    "escort": ["需要陪同去县医院复查，腿脚不便", "下周三要去医院做检查，子女在外地", "想请人陪同去医院取药"],
    "care": ["老伴住院，需要有人帮忙陪护半天", "术后在家休养，需要短期陪护"],
    "elderly": ["独居老人，需要帮忙买菜送餐", "家里灯泡坏了够不着，想请人帮忙", "需要帮忙打扫卫生"],
    "hardship": ["家庭困难，想咨询救助政策", "孩子上学有困难，希望得到帮助"],
    "repair": ["家里洗衣机不转了，请帮忙看看", "热水器打不着火", "水龙头漏水需要维修", "电视没有信号"],
    "haircut": ["老人行动不便，需要上门理发", "想请志愿者上门理发"],
    "legal": ["邻里纠纷想咨询法律问题", "养老金领取有疑问，想咨询", "租房合同纠纷想咨询"],
    "counsel": ["老人最近情绪低落，希望有人聊聊", "孩子学习压力大，想做心理疏导"],
    "culture": ["社区文艺活动需要志愿者帮忙", "想组织老年人合唱排练"],
    "other": ["楼道堆放杂物需要清理", "需要帮忙填写表格", "想学习用智能手机"],
}
RESULTS = ["已按约定完成服务，居民表示满意", "已上门处理完毕", "已陪同完成，居民安全到家", "问题已解决，已回访确认"]
COMMENTS = ["服务很好，非常感谢", "志愿者很耐心", "来得很及时", "", "", "还可以", "等的时间有点长"]
TAGS = ["态度好", "很及时", "专业", "耐心", "热情"]
WORK_UNITS = ["县人民医院", "县供电公司", "县第一中学", "县税务局", "县农商银行", "城关镇人民政府", "县人民法院",
              "县自来水公司", "县文化馆", "县妇幼保健院"]
CALL_TITLES = [("call", "暴雨后清理积水", "小区东门"), ("call", "防汛巡查", "河堤入口"), ("call", "疫苗接种现场引导", "社区卫生服务站"),
               ("activity", "重阳节敬老慰问", "社区养老服务中心"), ("activity", "垃圾分类宣传", "社区广场"),
               ("activity", "义务理发进社区", "党群服务中心")]
CATEGORY_WEIGHTS = {"escort": 16, "care": 6, "elderly": 22, "hardship": 5, "repair": 18, "haircut": 10, "legal": 6,
                    "counsel": 4, "culture": 5, "other": 8}


@dataclass
class Table:
    """Rows waiting to be written to one table, as tuples in `columns` order."""

    name: str
    columns: list[str]
    rows: list[tuple] = field(default_factory=list)


class Writer:
    """Writes batches of rows: COPY on PostgreSQL, executemany on SQLite; one transaction."""

    def __init__(self, connection):
        self.raw = connection
        self.dbapi = connection.driver_connection
        self.postgres = db.engine.dialect.name == "postgresql"
        self.extra = {}  # table -> (columns, values) for columns this module does not fill

    def _extras(self, table: Table) -> tuple[list[str], tuple]:
        if table.name not in self.extra:
            sa_table = db.metadata.tables[table.name]
            names, values = [], []
            for column in sa_table.columns:
                if column.name in table.columns:
                    continue
                default = column.default
                if default is not None and default.is_scalar:
                    value = default.arg
                elif default is not None and default.is_callable:
                    value = default.arg(None)  # SQLAlchemy wraps defaults to take a context
                elif column.nullable or column.server_default is not None:
                    continue
                else:
                    raise RuntimeError(f"gen-data cannot fill {table.name}.{column.name}")
                names.append(column.name)
                values.append(_plain(value, self.postgres))
            self.extra[table.name] = (names, tuple(values))
        return self.extra[table.name]

    def write(self, table: Table) -> None:
        if not table.rows:
            return
        extra_names, extra_values = self._extras(table)
        columns = table.columns + extra_names
        if self.postgres:
            buffer = io.StringIO()
            line = "\t".join
            for row in table.rows:
                buffer.write(line(_pg_text(v) for v in row + extra_values))
                buffer.write("\n")
            with self.dbapi.cursor() as cursor:
                with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
                    copy.write(buffer.getvalue())
        else:
            marks = ", ".join("?" * len(columns))
            rows = table.rows if not extra_values else [row + extra_values for row in table.rows]
            self.dbapi.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})", rows)
        table.rows.clear()


def _plain(value, postgres: bool):
    if isinstance(value, bool):
        return value if postgres else int(value)
    if isinstance(value, datetime):
        return _stamp(int(value.timestamp()), postgres)
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _pg_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    return str(value)


_DAYS: dict[int, str] = {}


def _stamp(ts: int, postgres: bool) -> str:
    """A UTC timestamp as the column stores it (SQLite: SQLAlchemy's naive text; PostgreSQL: with +00)."""
    day, secs = divmod(ts, DAY)
    date = _DAYS.get(day)
    if date is None:
        date = _DAYS[day] = datetime.fromtimestamp(day * DAY, timezone.utc).strftime("%Y-%m-%d")
    stamp = f"{date} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.000000"
    return stamp + "+00" if postgres else stamp


def _max_id(model_table: str) -> int:
    return db.session.execute(text(f"SELECT COALESCE(MAX(id), 0) FROM {model_table}")).scalar_one()


def _fix_sequences(tables: list[str]) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    for name in tables:
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), GREATEST((SELECT MAX(id) FROM {name}), 1))"))


BIG_TABLES = ("orders", "order_events", "ratings", "points_entries")
BULK_THRESHOLD = 100_000  # from here on, building indexes once beats maintaining them per row


def _drop_secondary(tables: tuple[str, ...]) -> list[str]:
    """Drop the plain indexes and foreign keys of these tables; return the DDL that rebuilds them.

    A bulk load into PostgreSQL is several times faster without per-row index upkeep and foreign-key
    triggers; everything is rebuilt from the catalogue's own definitions in the same transaction.
    """
    names = list(tables)
    foreign_keys = db.session.execute(text(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid::regclass::text = ANY(:t)"), {"t": names}).all()
    indexes = db.session.execute(text(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
        "AND i.tablename = ANY(:t) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)"),
        {"t": names}).all()
    for table, name, _definition in foreign_keys:
        db.session.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"'))
    for name, _definition in indexes:
        db.session.execute(text(f'DROP INDEX "{name}"'))
    db.session.execute(text("SET LOCAL synchronous_commit = off"))
    db.session.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign_keys]


def _restore_secondary(statements: list[str]) -> None:
    for statement in statements:
        db.session.execute(text(statement))


@dataclass
class World:
    """The people and places orders are generated for."""

    communities: list[dict]  # {id, name, grids: [ids], staff, grid_workers, team, leader, volunteers}
    residents: list[tuple[int, int]]  # (user id, community index)
    categories: list[tuple[int, str, int, int]]  # (id, code, sla_hours, points)


def generate(orders: int, *, seed: int = 20260101, communities: int | None = None, days: int = 365,
             log=print) -> dict:
    """Add `orders` orders (and the world they happen in) to the database; returns counts and seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    ensure_default_categories()
    db.session.commit()
    postgres = db.engine.dialect.name == "postgresql"
    now = int(clock.now().timestamp())
    n_communities = communities or max(4, min(4000, orders // 2500))
    connection = db.session.connection()
    writer = Writer(connection.connection)
    world = _build_world(writer, rng, n_communities, orders, now - days * DAY, postgres)
    log(f"world: {len(world.communities)} communities, {len(world.residents)} residents "
        f"({time.perf_counter() - started:.1f}s)")
    deferred = _drop_secondary(BIG_TABLES) if postgres and orders >= BULK_THRESHOLD else []
    if deferred:  # the figures' rollups: rebuilt once at the end rather than by a trigger per row
        from app.stats import rollups

        rollups.pause_triggers(db.session.connection())
    counts = _build_orders(writer, rng, world, orders, now - days * DAY, now, postgres, log, started)
    counts.update(_build_calls(writer, rng, world, orders, now - days * DAY, now, postgres))
    if deferred:
        rollups.resume_triggers(db.session.connection())
        _restore_secondary(deferred)
        log(f"indexes and foreign keys rebuilt ({time.perf_counter() - started:.1f}s)")
    _fix_sequences(["areas", "users", "role_grants", "teams", "offerings", "orders", "order_events", "ratings",
                    "points_entries", "calls", "call_signups"])
    db.session.commit()
    if postgres:
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("ANALYZE"))
    else:
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    counts["communities"] = len(world.communities)
    counts["residents"] = len(world.residents)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _phone(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10 ** 9):09d}"


def _build_world(writer: Writer, rng: random.Random, n_communities: int, n_orders: int, since: int,
                 postgres: bool) -> World:
    stamp = lambda ts: _stamp(ts, postgres)  # noqa: E731
    boolean = (lambda v: v) if postgres else int
    area_id, user_id = _max_id("areas"), _max_id("users")
    grant_id, team_id, offering_id = _max_id("role_grants"), _max_id("teams"), _max_id("offerings")
    batch = f"g{area_id + 1}"  # openids of this run stay unique across runs
    created = stamp(since - 30 * DAY)
    areas = Table("areas", ["id", "parent_id", "kind", "name", "path", "created_at"])
    users = Table("users", ["id", "openid", "nickname", "avatar_url", "phone", "real_name", "home_area_id",
                            "is_party_member", "work_unit", "token_version", "created_at"])
    grants = Table("role_grants", ["id", "user_id", "role", "area_id", "created_at"])
    teams = Table("teams", ["id", "area_id", "name", "description", "invite_code", "is_active", "leader_id",
                            "created_at"])
    members = Table("team_members", ["team_id", "user_id", "role", "joined_at"])
    offerings = Table("offerings", ["id", "team_id", "category_id", "area_id", "title", "description",
                                    "service_times", "served_area_ids", "status", "created_by_id", "created_at"])
    categories = [(c.id, c.code, c.sla_hours, c.points) for c in db.session.scalars(select(Category))]

    def add_user(prefix: str, nickname: str, home: int | None, party: bool = False) -> int:
        nonlocal user_id
        user_id += 1
        unit = rng.choice(WORK_UNITS) if party and prefix in ("vol", "leader") else ""
        users.rows.append((user_id, f"{batch}-{prefix}-{user_id}", nickname, "", _phone(rng), nickname, home,
                           boolean(party), unit, 1, created))
        return user_id

    def add_grant(user: int, role: str, area: int) -> None:
        nonlocal grant_id
        grant_id += 1
        grants.rows.append((grant_id, user, role, area, created))

    world = World([], [], categories)
    towns_per_county, communities_per_town = 10, 10
    county_path = town_path = ""
    county = town = 0
    for c in range(n_communities):
        if c % (towns_per_county * communities_per_town) == 0:
            area_id += 1
            county, county_path = area_id, f"/{area_id}/"
            name = COUNTY_NAMES[(c // 100) % len(COUNTY_NAMES)] + (str(c // 100 // len(COUNTY_NAMES) + 1)
                                                                  if c >= 100 * len(COUNTY_NAMES) else "")
            areas.rows.append((county, None, "county", name, county_path, created))
            add_grant(add_user("admin", f"{name}管理员", None, True), "admin", county)
        if c % communities_per_town == 0:
            area_id += 1
            town, town_path = area_id, f"{county_path}{area_id}/"
            t = c // communities_per_town
            areas.rows.append((town, county, "town", TOWN_NAMES[t % len(TOWN_NAMES)], town_path, created))
        area_id += 1
        community, path = area_id, f"{town_path}{area_id}/"
        name = COMMUNITY_NAMES[c % len(COMMUNITY_NAMES)] + "社区" + (
            str(c // len(COMMUNITY_NAMES) + 1) if c >= len(COMMUNITY_NAMES) else "")
        areas.rows.append((community, town, "community", name, path, created))
        grids = []
        for g in range(4):
            area_id += 1
            grids.append(area_id)
            areas.rows.append((area_id, community, "grid", f"第{'一二三四'[g]}网格", f"{path}{area_id}/", created))
        staff = add_user("staff", f"{name}工作人员", community, True)
        add_grant(staff, "staff", community)
        grid_workers = []
        for grid in grids:
            worker = add_user("grid", f"{name}网格员", community, True)
            add_grant(worker, "grid_worker", grid)
            grid_workers.append(worker)
        team_id += 1
        leader = add_user("leader", _name(rng), community, True)
        volunteers = [add_user("vol", _name(rng), community, rng.random() < 0.7) for _ in range(9)]
        teams.rows.append((team_id, community, f"{name}党员志愿服务队", f"{name}以党员为主体的志愿服务队",
                           f"G{team_id:07d}", boolean(True), leader, created))
        members.rows.append((team_id, leader, "leader", created))
        members.rows.extend((team_id, v, "member", created) for v in volunteers)
        for cat_id, code, _sla, _points in rng.sample(categories, 3):
            offering_id += 1
            title = {"escort": "陪同就医", "repair": "家电上门维修", "haircut": "老人上门理发",
                     "elderly": "助老送餐", "legal": "法律咨询"}.get(code, f"{code}服务")
            offerings.rows.append((offering_id, team_id, cat_id, community, title, f"{name}志愿服务队提供{title}",
                                   "周一至周五 8:00-17:00", "[]", "published", leader, created))
        world.communities.append({"id": community, "name": name, "grids": grids, "staff": staff,
                                  "grid_workers": grid_workers, "team": team_id, "leader": leader,
                                  "volunteers": [leader, *volunteers]})
    n_residents = max(20 * n_communities, n_orders // 5)
    for _ in range(n_residents):
        index = rng.randrange(n_communities)
        world.residents.append((add_user("r", _name(rng), world.communities[index]["id"]), index))
    for table in (areas, users, grants, teams, members, offerings):
        writer.write(table)
    return world


# The planned outcome of an order before it is cut at "now" (weights).
OUTCOMES = [("rated", 60), ("closed", 22), ("cancel_early", 6), ("cancel_late", 2), ("stuck_ordered", 1),
            ("stuck_dispatched", 2), ("stuck_accepted", 2),
            ("stuck_in_service", 1), ("declined_then_rated", 3), ("reopened", 2)]


def _build_orders(writer: Writer, rng: random.Random, world: World, n_orders: int, since: int, now: int,
                  postgres: bool, log, started: float) -> dict:
    stamp = (lambda ts: None if ts is None else _stamp(ts, True)) if postgres else \
        (lambda ts: None if ts is None else _stamp(ts, False))
    boolean = (lambda v: v) if postgres else int
    order_id, event_id = _max_id("orders"), _max_id("order_events")
    rating_id, points_id = _max_id("ratings"), _max_id("points_entries")
    orders = Table("orders", [
        "id", "status", "category_id", "offering_id", "area_id", "title", "description", "address",
        "contact_name", "contact_phone", "preferred_time", "photos", "requester_id", "created_by_id",
        "on_behalf_name", "on_behalf_phone", "team_id", "assignee_id", "result", "result_photos",
        "cancel_reason", "needs_review", "due_at", "created_at", "dispatched_at", "accepted_at", "started_at",
        "completed_at", "rated_at", "closed_at", "cancelled_at", "version"])
    events = Table("order_events", ["id", "order_id", "actor_id", "action", "from_status", "to_status", "note",
                                    "data", "created_at"])
    ratings = Table("ratings", ["id", "order_id", "stars", "tags", "comment", "needs_review", "reviewed_by_id",
                                "review_note", "reviewed_at", "created_at"])
    points = Table("points_entries", ["id", "user_id", "area_id", "amount", "reason", "order_id", "note",
                                      "created_at"])
    outcome_names = [name for name, _ in OUTCOMES]
    outcome_weights = [weight for _, weight in OUTCOMES]
    cat_weights = [CATEGORY_WEIGHTS.get(code, 5) for _, code, _, _ in world.categories]
    span = max(1, now - HOUR - since)
    counts = {"orders": 0, "events": 0, "ratings": 0, "points": 0}
    rand, randrange, choice, uniform = rng.random, rng.randrange, rng.choice, rng.uniform
    by_status: dict[str, int] = {}
    for chunk_start in range(0, n_orders, CHUNK):
        size = min(CHUNK, n_orders - chunk_start)
        created_times = sorted(since + randrange(span) for _ in range(size))
        plans = rng.choices(outcome_names, outcome_weights, k=size)
        cats = rng.choices(world.categories, cat_weights, k=size)
        for created_ts, plan, (cat_id, code, sla_hours, cat_points) in zip(created_times, plans, cats):
            order_id += 1
            requester, c_index = world.residents[randrange(len(world.residents))]
            community = world.communities[c_index]
            area = community["id"] if rand() < 0.7 else choice(community["grids"])
            on_behalf = rand() < 0.12
            if on_behalf:  # filed by a grid worker for a resident without the mini-program: theirs to follow
                requester = creator = choice(community["grid_workers"])
            else:
                creator = requester
            contact = _name(rng)
            phone = _phone(rng)
            status, team, assignee = str(OrderStatus.ORDERED), None, None
            evts = [(creator, "create", None, status, f"代 {contact} 下单" if on_behalf else "", "{}", created_ts)]

            def step(actor, action: str, party: str, note: str = "", data: str = "{}", at: int = 0) -> str:
                """One event of the story, moved as RULES allow; returns the status it leaves the order in."""
                from_status, to_status = moved(action, party, evts[-1][3])
                evts.append((actor, action, from_status, to_status, note, data, at))
                return to_status
            t_dispatch = t_accept = t_start = t_complete = t_rate = t_close = t_cancel = None
            result, cancel_reason, stars = "", "", None
            staff = community["staff"]
            ts = created_ts
            # Simulate the planned path; stop at the first step that would lie in the future.
            while True:
                if plan == "cancel_early":
                    ts += int(uniform(0.1, 20) * HOUR)
                    if ts < now:
                        t_cancel, cancel_reason = ts, "已自行解决"
                        status = step(requester, "cancel", REQUESTER, cancel_reason, at=ts)
                    break
                if plan == "stuck_ordered":
                    break
                ts += int(uniform(0.2, 6) * HOUR)
                if ts >= now:
                    break
                if plan == "declined_then_rated":
                    status = step(staff, "dispatch", STAFF, data=f'{{"team_id": {community["team"]}}}', at=ts)
                    ts += int(uniform(0.2, 4) * HOUR)
                    if ts >= now:
                        team, t_dispatch = community["team"], ts
                        break
                    status = step(choice(community["volunteers"]), "decline", TEAM_MEMBER, "时间冲突，无法前往",
                                  f'{{"team_id": {community["team"]}}}', ts)
                    ts += int(uniform(0.2, 4) * HOUR)
                    if ts >= now:
                        break
                team, t_dispatch = community["team"], ts
                status = step(staff, "dispatch", STAFF, data=f'{{"team_id": {team}}}', at=ts)
                if plan == "stuck_dispatched":
                    break
                ts += int(uniform(0.1, 12) * HOUR)
                if ts >= now:
                    break
                if plan == "cancel_late":
                    t_cancel, cancel_reason = ts, "居民已住院，服务取消"
                    status = step(staff, "cancel", STAFF, cancel_reason, at=ts)
                    break
                assignee = choice(community["volunteers"])
                t_accept = ts
                status = step(assignee, "accept", TEAM_MEMBER, at=ts)
                if plan == "stuck_accepted":
                    break
                ts += int(uniform(1, 30) * HOUR)
                if ts >= now:
                    break
                t_start = ts
                status = step(assignee, "start", ASSIGNEE, at=ts)
                if plan == "stuck_in_service":
                    break
                ts += int(uniform(0.5, 4) * HOUR)
                if ts >= now:
                    break
                result = choice(RESULTS)
                t_complete = ts
                status = step(assignee, "complete", ASSIGNEE, result, at=ts)
                if plan == "closed":
                    ts += 7 * DAY
                    if ts < now:
                        t_close = ts
                        status = step(None, "close", SYSTEM, "7 天未评价，系统自动关闭", at=ts)
                    break
                ts += int(uniform(1, 96) * HOUR)
                if ts >= now:
                    break
                stars = rng.choices((5, 4, 3, 2, 1), (62, 24, 8, 3, 3))[0]
                t_rate = ts
                comment = choice(COMMENTS)
                status = step(requester, "rate", REQUESTER, comment, f'{{"stars": {stars}}}', ts)
                if plan == "reopened" and ts + DAY < now:
                    ts += DAY
                    status = step(staff, "reopen", STAFF, "回访发现问题未解决", at=ts)
                    team, assignee, stars = None, None, None
                    t_dispatch = t_accept = t_start = t_complete = t_rate = None
                    result = ""
                break
            due_ts = (evts[-1][6] if evts[-1][1] == "reopen" else created_ts) + sla_hours * HOUR
            by_status[status] = by_status.get(status, 0) + 1
            community_name = community["name"]
            orders.rows.append((
                order_id, status, cat_id, None, area, NEEDS_TITLE.get(code, "社区服务"), choice(NEEDS.get(code, ["需要帮助"])),
                f"{community_name}{randrange(1, 30)}栋{randrange(1, 6)}单元{randrange(101, 1801)}室", contact, phone,
                "", "[]", requester, creator, contact if on_behalf else None, phone if on_behalf else None,
                team, assignee, result, "[]", cancel_reason, boolean(False), stamp(due_ts), stamp(created_ts),
                stamp(t_dispatch), stamp(t_accept), stamp(t_start), stamp(t_complete), stamp(t_rate),
                stamp(t_close), stamp(t_cancel), len(evts)))
            for actor, action, from_status, to_status, note, data, when in evts:
                event_id += 1
                events.rows.append((event_id, order_id, actor, action, from_status, to_status, note, data,
                                    stamp(when)))
            if stars is not None:
                rating_id += 1
                reviewed = stars <= 2 and t_rate + 2 * DAY < now
                ratings.rows.append((
                    rating_id, order_id, stars, json.dumps(rng.sample(TAGS, 2 if stars >= 4 else 0),
                                                           ensure_ascii=False),
                    evts[-1][4], boolean(stars <= 2), staff if reviewed else None,
                    "已电话回访，问题已跟进" if reviewed else "", stamp(t_rate + 2 * DAY) if reviewed else None,
                    stamp(t_rate)))
                points_id += 1
                points.rows.append((points_id, assignee, area, cat_points, "order_rated", order_id,
                                    f"完成服务：{NEEDS_TITLE.get(code, '社区服务')}", stamp(t_rate)))
        counts["orders"] += len(orders.rows)
        counts["events"] += len(events.rows)
        counts["ratings"] += len(ratings.rows)
        counts["points"] += len(points.rows)
        for table in (orders, events, ratings, points):
            writer.write(table)
        if (chunk_start // CHUNK) % 10 == 9 or chunk_start + CHUNK >= n_orders:
            log(f"orders: {counts['orders']} ({time.perf_counter() - started:.1f}s)")
    counts["by_status"] = by_status
    return counts


def _build_calls(writer: Writer, rng: random.Random, world: World, n_orders: int, since: int, now: int,
                 postgres: bool) -> dict:
    """吹哨 calls and activities of each community over the period (a county of 100 communities has some
    200–600 a year), with the team's volunteers called, signed up, checked in and confirmed, and their points."""
    stamp = lambda ts: _stamp(ts, postgres)  # noqa: E731
    call_id, signup_id, points_id = _max_id("calls"), _max_id("call_signups"), _max_id("points_entries")
    calls = Table("calls", ["id", "kind", "area_id", "title", "description", "place", "starts_at", "quota",
                            "signup_count", "points", "target", "status", "created_by_id", "created_at",
                            "closed_at", "closed_by_id"])
    recipients = Table("call_recipients", ["call_id", "user_id"])
    signups = Table("call_signups", ["id", "call_id", "user_id", "status", "signed_up_at", "withdrawn_at",
                                     "checked_in_at", "confirmed_at", "confirmed_by_id"])
    points = Table("points_entries", ["id", "user_id", "area_id", "amount", "reason", "call_id", "note",
                                      "created_at"])
    per_community = 2 + n_orders // max(1, len(world.communities)) // 1000
    span = max(1, now - since - DAY)
    for community in world.communities:
        for _ in range(per_community):
            call_id += 1
            kind, title, place = rng.choice(CALL_TITLES)
            starts = since + DAY + rng.randrange(span)
            created = starts - rng.randrange(2 * HOUR, 3 * DAY)
            closed = starts + DAY < now
            quota, worth = rng.randrange(5, 16), rng.choice((5, 10))
            people = rng.sample(community["volunteers"], min(len(community["volunteers"]), rng.randrange(3, quota + 1)))
            if kind == "call":
                recipients.rows.extend((call_id, user) for user in community["volunteers"])
            for user in people:
                signup_id += 1
                signed = created + rng.randrange(HOUR, max(HOUR + 1, starts - created))
                came = closed and rng.random() < 0.85
                arrived = starts + rng.randrange(-HOUR, HOUR) if came else None
                signups.rows.append((signup_id, call_id, user, "confirmed" if came else "signed_up", stamp(signed),
                                     None, stamp(arrived) if came else None, stamp(arrived + HOUR) if came else None,
                                     community["staff"] if came else None))
                if came:
                    points_id += 1
                    points.rows.append((points_id, user, community["id"], worth, "call_checkin", call_id,
                                        f"{community['name']}{title}", stamp(arrived + HOUR)))
            calls.rows.append((call_id, kind, community["id"], f"{community['name']}{title}", f"{title}，请准时到场",
                               f"{community['name']}{place}", stamp(starts), quota, len(people), worth, None,
                               "closed" if closed else "open", community["staff"], stamp(created),
                               stamp(starts + DAY) if closed else None, community["staff"] if closed else None))
    counted = {"calls": len(calls.rows), "call_signups": len(signups.rows)}
    for table in (calls, recipients, signups, points):
        writer.write(table)
    return counted


def moved(action: str, party: str, status: str) -> tuple[str, str]:
    """(from, to) of an order event, from the transitions table: the story may only take moves RULES allow."""
    rule = _rule(action, party, status)
    return status, str(rule.target or status)


@lru_cache(maxsize=256)
def _rule(action: str, party: str, status: str):
    return check(action, {party}, status)  # 403 or 409 if the table does not allow it


NEEDS_TITLE = {"escort": "陪医", "care": "陪护", "elderly": "助老", "hardship": "助困", "repair": "家电维修",
               "haircut": "理发", "legal": "法律咨询", "counsel": "心理疏导", "culture": "文体活动", "other": "其他"}


def add_dispatched_orders(team_id: int, count: int, requester_id: int | None = None) -> list[int]:
    """`count` orders dispatched to one team (each with its create and dispatch events): for accept benchmarks."""
    from app.teams.models import Team

    team = db.session.get(Team, team_id)
    category = db.session.scalars(select(Category).order_by(Category.id)).first()
    requester = requester_id or team.leader_id
    postgres = db.engine.dialect.name == "postgresql"
    boolean = (lambda v: v) if postgres else int
    now = int(clock.now().timestamp())
    order_id, event_id = _max_id("orders"), _max_id("order_events")
    writer = Writer(db.session.connection().connection)
    orders = Table("orders", ["id", "status", "category_id", "area_id", "title", "description", "address",
                              "contact_name", "contact_phone", "preferred_time", "photos", "requester_id",
                              "created_by_id", "team_id", "result", "result_photos", "cancel_reason", "needs_review",
                              "due_at", "created_at", "dispatched_at", "version"])
    events = Table("order_events", ["id", "order_id", "actor_id", "action", "from_status", "to_status", "note",
                                    "data", "created_at"])
    first = order_id + 1
    created, dispatched = str(OrderStatus.ORDERED), moved("dispatch", STAFF, OrderStatus.ORDERED)
    for _ in range(count):
        order_id += 1
        orders.rows.append((order_id, dispatched[1], category.id, team.area_id, category.name, "压测用工单",
                            "压测小区1栋", "压测", "13800000000", "", "[]", requester, requester, team_id, "", "[]",
                            "", boolean(False), _stamp(now + category.sla_hours * HOUR, postgres),
                            _stamp(now, postgres), _stamp(now, postgres), 2))
        for action, from_status, to_status in (("create", None, created), ("dispatch", *dispatched)):
            event_id += 1
            events.rows.append((event_id, order_id, requester, action, from_status, to_status, "", "{}",
                                _stamp(now, postgres)))
    writer.write(orders)
    writer.write(events)
    _fix_sequences(["orders", "order_events"])
    db.session.commit()
    return list(range(first, order_id + 1))


def table_counts() -> dict:
    """Rows in the tables a backup must carry whole."""
    from app.orders.models import Order, OrderEvent, Rating

    return {name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("orders", Order), ("order_events", OrderEvent), ("ratings", Rating))}
