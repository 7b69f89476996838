"""/areas, /me, /me/phone, /users and /role-grants, and area scope: staff of 松阳 cannot act in 青山."""
import pytest
from sqlalchemy import select

from app.areas.models import Area
from app.extensions import db
from app.users.models import User


def get_json(client, path, headers=None, status=200):
    response = client.get(path, headers=headers or {})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def all_pages(client, path, headers=None, limit=2) -> list[dict]:
    """Every item of a keyset-paginated list, following next_cursor."""
    items, cursor = [], None
    while True:
        separator = "&" if "?" in path else "?"
        page = get_json(client, f"{path}{separator}limit={limit}" + (f"&cursor={cursor}" if cursor else ""), headers)
        items += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            return items


# --- /areas -------------------------------------------------------------------------------------


def test_areas_are_public_and_filterable(demo, client):
    """Does GET /areas list the tree to anyone, by kind and by parent, page by page?"""
    everything = all_pages(client, "/api/v1/areas")
    communities = get_json(client, "/api/v1/areas?kind=community")["items"]
    grids_of_sy = get_json(client, f"/api/v1/areas?parent_id={demo.sy}")["items"]

    assert len(everything) == 8 and len({area["id"] for area in everything}) == 8
    assert [(a["name"], a["parent_id"]) for a in communities] == [("松阳社区", demo.town), ("青山社区", demo.town)]
    assert [(a["kind"], a["name"]) for a in grids_of_sy] == [("grid", "第一网格"), ("grid", "第二网格")]
    assert set(communities[0]) == {"id", "parent_id", "kind", "name", "dispatch_limit_hours", "accept_limit_hours",
                                   "auto_dispatch"}


def test_areas_search_by_name_and_ids(demo, client):
    """Does GET /areas find communities by a part of the name (q) and fetch given ids, without paging?"""
    found = get_json(client, "/api/v1/areas?kind=community&q=青山")["items"]
    one_char = get_json(client, "/api/v1/areas?kind=community&q=社区")["items"]
    nothing = get_json(client, "/api/v1/areas?kind=community&q=%25")["items"]
    mine = get_json(client, f"/api/v1/areas?ids={demo.qs},{demo.sy}")["items"]

    assert [a["name"] for a in found] == ["青山社区"]
    assert [a["name"] for a in one_char] == ["松阳社区", "青山社区"]
    assert nothing == []  # % is a character to find, not a wildcard
    assert [a["id"] for a in mine] == sorted([demo.qs, demo.sy])
    assert client.get("/api/v1/areas?q=").status_code == 422
    assert client.get("/api/v1/areas?ids=abc").status_code == 422


def test_admin_creates_an_area(app, demo, client):
    """Does an admin add a grid under a community, with its path under the parent's?"""
    response = client.post("/api/v1/areas", headers=demo.headers("admin"),
                           json={"name": "  第三网格 ", "kind": "grid", "parent_id": demo.sy})

    assert response.status_code == 201
    area = response.get_json()
    assert (area["name"], area["kind"], area["parent_id"]) == ("第三网格", "grid", demo.sy)
    with app.app_context():
        assert db.session.get(Area, area["id"]).path == f"/{demo.county}/{demo.town}/{demo.sy}/{area['id']}/"
    assert len(get_json(client, f"/api/v1/areas?parent_id={demo.sy}")["items"]) == 3


@pytest.mark.parametrize("kind, parent, field", [
    ("community", "sy", "kind"), ("grid", "town", "kind"), ("town", "sy", "kind"), ("county", "town", "kind"),
    ("grid", "grid", "kind"), ("community", "county", "kind"), ("grid", 999999, "parent_id"),
])
def test_area_kind_must_fit_the_parent(demo, client, kind, parent, field):
    """Is an area whose kind is not the level below its parent's (or whose parent is unknown) a 422?"""
    parents = {"sy": demo.sy, "town": demo.town, "county": demo.county, "grid": None}
    if parent == "grid":
        parents["grid"] = get_json(client, f"/api/v1/areas?parent_id={demo.sy}")["items"][0]["id"]
    parent_id = parents.get(parent, parent)

    response = client.post("/api/v1/areas", headers=demo.headers("admin"),
                           json={"name": "新区域", "kind": kind, "parent_id": parent_id})

    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error" and field in response.get_json()["errors"]


@pytest.mark.parametrize("who, status, code", [
    ("staff_sy", 403, "forbidden"), ("grid_sy", 403, "forbidden"), ("resident", 403, "forbidden"),
    ("leader_sy", 403, "forbidden"), (None, 401, "unauthorized"),
])
def test_only_admins_create_areas(demo, client, who, status, code):
    """Is POST /areas refused to everyone but admins?"""
    response = client.post("/api/v1/areas", headers=demo.headers(who) if who else {},
                           json={"name": "新网格", "kind": "grid", "parent_id": demo.sy})

    assert response.status_code == status and response.get_json()["code"] == code


def test_an_admin_of_one_community_creates_only_under_it(demo, client):
    """Can an admin of 松阳 add grids under 松阳 but not under 青山 (404: outside their scope)?"""
    grant = client.post("/api/v1/role-grants", headers=demo.headers("admin"),
                        json={"user_id": demo.user_ids["resident2"], "role": "admin", "area_id": demo.sy})
    assert grant.status_code == 201
    headers = demo.headers("resident2")

    inside = client.post("/api/v1/areas", headers=headers, json={"name": "新网格", "kind": "grid", "parent_id": demo.sy})
    outside = client.post("/api/v1/areas", headers=headers, json={"name": "新网格", "kind": "grid", "parent_id": demo.qs})

    assert inside.status_code == 201
    assert outside.status_code == 404 and outside.get_json()["code"] == "not_found"


# --- /me ----------------------------------------------------------------------------------------


def test_me_shows_roles_teams_and_points(demo, client):
    """Does GET /me show the contract's fields with the user's roles and team memberships?"""
    staff = get_json(client, "/api/v1/me", demo.headers("staff_sy"))
    volunteer = get_json(client, "/api/v1/me", demo.headers("vol1"))
    leader = get_json(client, "/api/v1/me", demo.headers("leader_sy"))

    assert set(staff) == {"id", "nickname", "avatar_url", "phone", "real_name", "home_area_id", "is_party_member",
                          "work_unit", "roles", "teams", "points"}
    assert [(r["role"], r["area_id"]) for r in staff["roles"]] == [("staff", demo.sy)]
    assert staff["teams"] == [] and staff["points"] == 0
    assert volunteer["roles"] == [] and volunteer["teams"] == [{"team_id": demo.team_sy, "role": "member"}]
    assert leader["teams"] == [{"team_id": demo.team_sy, "role": "leader"}]


def test_me_needs_a_login(client):
    """Is GET /me without a token a 401 unauthorized?"""
    response = client.get("/api/v1/me")

    assert response.status_code == 401 and response.get_json()["code"] == "unauthorized"


def test_patch_me_changes_the_profile(demo, client):
    """Does PATCH /me change the fields a user owns and show them (trimmed) in the answer and on GET?"""
    grid = get_json(client, f"/api/v1/areas?parent_id={demo.sy}")["items"][0]["id"]
    changes = {"nickname": " 老王 ", "avatar_url": "https://example.invalid/a.png", "real_name": "王建国",
               "home_area_id": grid, "is_party_member": True, "work_unit": "县人民医院"}

    response = client.patch("/api/v1/me", json=changes, headers=demo.headers("resident"))

    assert response.status_code == 200
    expected = {**changes, "nickname": "老王"}
    assert {key: response.get_json()[key] for key in changes} == expected
    me = get_json(client, "/api/v1/me", demo.headers("resident"))
    assert {key: me[key] for key in changes} == expected


def test_patch_me_with_nothing_changes_nothing(demo, client):
    """Is PATCH /me with {} a 200 that leaves the profile as it was?"""
    before = get_json(client, "/api/v1/me", demo.headers("resident"))

    response = client.patch("/api/v1/me", json={}, headers=demo.headers("resident"))

    assert response.status_code == 200 and response.get_json() == before


@pytest.mark.parametrize("field, value", [
    ("roles", [{"role": "admin", "area_id": 1}]), ("points", 1000), ("token_version", 99), ("phone", "13800001234"),
    ("id", 1), ("openid", "demo-admin"), ("teams", [{"team_id": 1, "role": "leader"}]), ("unionid", "u"),
])
def test_patch_me_refuses_fields_the_user_does_not_own(app, demo, client, field, value):
    """Is PATCH /me with roles, points, token_version or another field the user may not set a 422 on it?"""
    headers = demo.headers("resident")

    response = client.patch("/api/v1/me", json={"nickname": "改名", field: value}, headers=headers)

    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error" and field in response.get_json()["errors"]
    me = get_json(client, "/api/v1/me", headers)  # the old token still works: nothing was changed
    assert me["nickname"] == "松阳居民一" and me["roles"] == [] and me["points"] == 0
    with app.app_context():
        user = db.session.get(User, demo.user_ids["resident"])
        assert (user.token_version, user.openid, user.phone) == (1, "demo-resident-sy-1", None)


@pytest.mark.parametrize("changes, field", [
    ({"home_area_id": "county"}, "home_area_id"), ({"home_area_id": "town"}, "home_area_id"),
    ({"home_area_id": 999999}, "home_area_id"), ({"nickname": ""}, "nickname"), ({"nickname": "   "}, "nickname"),
    ({"nickname": "长" * 33}, "nickname"), ({"work_unit": "单" * 101}, "work_unit"),
    ({"is_party_member": "maybe"}, "is_party_member"), ({"nickname": None}, "nickname"),
])
def test_patch_me_validates_values(demo, client, changes, field):
    """Are bad profile values (home not a community or grid, empty or long names, wrong types) a 422?"""
    areas = {"county": demo.county, "town": demo.town}
    body = {key: areas.get(value, value) if isinstance(value, str) and key == "home_area_id" else value
            for key, value in changes.items()}

    response = client.patch("/api/v1/me", json=body, headers=demo.headers("resident"))

    assert response.status_code == 422 and field in response.get_json()["errors"]


def test_home_area_can_be_cleared(demo, client):
    """Can a user set their home community to null?"""
    response = client.patch("/api/v1/me", json={"home_area_id": None}, headers=demo.headers("resident"))

    assert response.status_code == 200 and response.get_json()["home_area_id"] is None


# --- /me/phone ----------------------------------------------------------------------------------


def wechat_login(client, fake_wechat, openid="phone-user") -> dict:
    fake_wechat.add_code(f"code-{openid}", openid)
    response = client.post("/api/v1/auth/wechat-login", json={"code": f"code-{openid}"})
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['access_token']}"}


def test_bind_phone_through_wechat(wechat_app, fake_wechat):
    """Does POST /me/phone bind the number behind WeChat's code, stored whole and shown masked?"""
    client = wechat_app.test_client()
    headers = wechat_login(client, fake_wechat)
    fake_wechat.add_phone_code("phone-code-1", "13912345678")

    response = client.post("/api/v1/me/phone", json={"code": "phone-code-1"}, headers=headers)

    assert response.status_code == 200
    assert response.get_json()["phone"] == "139****5678"
    assert get_json(client, "/api/v1/me", headers)["phone"] == "139****5678"
    assert "13912345678" not in response.get_data(as_text=True)
    with wechat_app.app_context():
        assert db.session.scalars(select(User.phone).where(User.openid == "phone-user")).one() == "13912345678"


@pytest.mark.parametrize("arrange, sent, status, code", [
    pytest.param(lambda fake: None, "unknown-code", 422, "validation_error", id="unknown-code-40029"),
    pytest.param(lambda fake: fake.fail_next("phone", 40163), "phone-code-1", 422, "validation_error",
                 id="used-40163"),
    pytest.param(lambda fake: fake.fail_next("phone", 45011), "phone-code-1", 429, "rate_limited",
                 id="rate-limit-45011"),
    pytest.param(lambda fake: fake.fail_next("phone", -1), "phone-code-1", 502, "wechat_error", id="busy--1"),
    pytest.param(lambda fake: fake.fail_always("token", 40125), "phone-code-1", 502, "wechat_error",
                 id="no-access-token"),
    pytest.param(lambda fake: fake.http_error_next("phone", 502), "phone-code-1", 502, "wechat_error",
                 id="http-502"),
])
def test_bind_phone_maps_wechat_errors(wechat_app, fake_wechat, arrange, sent, status, code):
    """Does each WeChat failure of getuserphonenumber become the contract's error, leaving the phone unbound?"""
    client = wechat_app.test_client()
    headers = wechat_login(client, fake_wechat)
    fake_wechat.add_phone_code("phone-code-1", "13912345678")
    arrange(fake_wechat)

    response = client.post("/api/v1/me/phone", json={"code": sent}, headers=headers)

    assert response.status_code == status, response.get_json()
    assert response.get_json()["code"] == code
    assert get_json(client, "/api/v1/me", headers)["phone"] is None


def test_a_spent_phone_code_is_422_on_code_and_the_session_stays(wechat_app, fake_wechat):
    """Is a getPhoneNumber code WeChat has already used a 422 validation_error on `code` (not 401, which would
    make the mini-program log in again and resend it), with the session still good?"""
    client = wechat_app.test_client()
    headers = wechat_login(client, fake_wechat)
    fake_wechat.add_phone_code("phone-code-1", "13912345678")
    assert client.post("/api/v1/me/phone", json={"code": "phone-code-1"}, headers=headers).status_code == 200

    again = client.post("/api/v1/me/phone", json={"code": "phone-code-1"}, headers=headers)

    assert again.status_code == 422, again.get_json()
    body = again.get_json()
    assert body["code"] == "validation_error" and body["errors"]["code"] == ["手机号授权已失效，请重新点击授权"]
    assert client.get("/api/v1/me", headers=headers).status_code == 200


def test_bind_phone_in_dev_mode(demo, client):
    """In dev mode, does dev:<11-digit number> bind that number (masked in the answer)?"""
    response = client.post("/api/v1/me/phone", json={"code": "dev:13800005678"}, headers=demo.headers("resident"))
    refused = client.post("/api/v1/me/phone", json={"code": "13800005678"}, headers=demo.headers("resident"))

    assert response.status_code == 200 and response.get_json()["phone"] == "138****5678"
    assert refused.status_code == 422 and refused.get_json()["errors"]["code"]


# --- /role-grants -------------------------------------------------------------------------------


def grid_of(client, community_id: int) -> int:
    return get_json(client, f"/api/v1/areas?parent_id={community_id}")["items"][0]["id"]


@pytest.mark.parametrize("who, role, where, status", [
    ("admin", "admin", "town", 201), ("admin", "staff", "sy", 201), ("admin", "staff", "qs", 201),
    ("admin", "grid_worker", "qs-grid", 201), ("admin", "admin", "county", 201),
    ("staff_sy", "grid_worker", "sy", 201), ("staff_sy", "grid_worker", "sy-grid", 201),
    ("staff_sy", "staff", "sy", 403), ("staff_sy", "admin", "sy", 403), ("staff_sy", "grid_worker", "town", 403),
    ("staff_sy", "grid_worker", "qs", 403), ("staff_sy", "grid_worker", "qs-grid", 403),
    ("grid_sy", "grid_worker", "sy", 403), ("leader_sy", "grid_worker", "sy", 403),
    ("resident", "grid_worker", "sy", 403),
])
def test_who_may_grant_which_role_where(demo, client, who, role, where, status):
    """Do admins grant any role in their subtree while staff grant only grid_worker in their own area?"""
    areas = {"town": demo.town, "county": demo.county, "sy": demo.sy, "qs": demo.qs,
             "sy-grid": grid_of(client, demo.sy), "qs-grid": grid_of(client, demo.qs)}

    response = client.post("/api/v1/role-grants", headers=demo.headers(who),
                           json={"user_id": demo.user_ids["resident2"], "role": role, "area_id": areas[where]})

    assert response.status_code == status, response.get_json()
    if status == 201:
        grant = response.get_json()
        assert (grant["user_id"], grant["role"], grant["area_id"]) == (demo.user_ids["resident2"], role,
                                                                      areas[where])
        roles = get_json(client, "/api/v1/me", demo.headers("resident2"))["roles"]
        assert {"role": role, "area_id": areas[where]} in [{k: r[k] for k in ("role", "area_id")} for r in roles]
    else:
        assert response.get_json()["code"] == "forbidden"
        assert get_json(client, "/api/v1/me", demo.headers("resident2"))["roles"] == []


def test_granting_twice_gives_the_same_grant(demo, client):
    """Is granting a role the user already has answered with the existing grant, not a second row?"""
    body = {"user_id": demo.user_ids["resident2"], "role": "grid_worker", "area_id": demo.sy}

    first = client.post("/api/v1/role-grants", headers=demo.headers("staff_sy"), json=body)
    second = client.post("/api/v1/role-grants", headers=demo.headers("admin"), json=body)

    assert first.status_code == 201 and second.status_code == 201
    assert first.get_json()["id"] == second.get_json()["id"]
    assert len(get_json(client, "/api/v1/me", demo.headers("resident2"))["roles"]) == 1


@pytest.mark.parametrize("changes, field", [
    ({"user_id": 999999}, "user_id"), ({"area_id": 999999}, "area_id"), ({"role": "superuser"}, "role"),
    ({"role": None}, "role"), ({"user_id": None}, "user_id"),
])
def test_grant_validates_its_body(demo, client, changes, field):
    """Is a grant for an unknown user or area, or of an unknown role, a 422 on that field?"""
    body = {"user_id": demo.user_ids["resident2"], "role": "staff", "area_id": demo.sy, **changes}

    response = client.post("/api/v1/role-grants", headers=demo.headers("admin"), json=body)

    assert response.status_code == 422 and field in response.get_json()["errors"]


def _grant(client, demo, role: str, area_id: int, user: str = "resident2") -> int:
    response = client.post("/api/v1/role-grants", headers=demo.headers("admin"),
                           json={"user_id": demo.user_ids[user], "role": role, "area_id": area_id})
    assert response.status_code == 201
    return response.get_json()["id"]


@pytest.mark.parametrize("who, role, where, status", [
    ("admin", "staff", "qs", 204), ("admin", "grid_worker", "sy", 204),
    ("staff_sy", "grid_worker", "sy", 204), ("staff_sy", "staff", "sy", 403),
    ("staff_sy", "grid_worker", "qs", 404), ("staff_qs", "grid_worker", "sy", 404),
    ("grid_sy", "grid_worker", "sy", 404), ("resident", "grid_worker", "sy", 404),
])
def test_who_may_revoke_a_grant(demo, client, who, role, where, status):
    """Do admins revoke any grant in their subtree and staff only grid_worker grants of their area (else 403/404)?"""
    grant_id = _grant(client, demo, role, {"sy": demo.sy, "qs": demo.qs}[where])

    response = client.delete(f"/api/v1/role-grants/{grant_id}", headers=demo.headers(who))

    assert response.status_code == status, response.get_json()
    roles = get_json(client, "/api/v1/me", demo.headers("resident2"))["roles"] if status == 204 else None
    if status == 204:
        assert roles == []
    else:
        assert response.get_json()["code"] == {403: "forbidden", 404: "not_found"}[status]


def test_revoking_an_unknown_grant_is_404(demo, client):
    """Is DELETE /role-grants of an unknown id a 404 not_found?"""
    response = client.delete("/api/v1/role-grants/999999", headers=demo.headers("admin"))

    assert response.status_code == 404 and response.get_json()["code"] == "not_found"


# --- /users -------------------------------------------------------------------------------------

SY_PEOPLE = {"staff_sy", "grid_sy", "leader_sy", "vol1", "vol2", "resident", "resident2"}
QS_PEOPLE = {"staff_qs", "leader_qs", "resident_qs"}


@pytest.mark.parametrize("who, sees", [
    ("staff_sy", SY_PEOPLE), ("staff_qs", QS_PEOPLE),
    ("admin", SY_PEOPLE | QS_PEOPLE | {"admin"}),
])
def test_users_lists_the_people_of_my_areas(demo, client, who, sees):
    """Does GET /users show staff the users of their own areas only (home, team or role there)?"""
    listed = {user["id"] for user in all_pages(client, "/api/v1/users", demo.headers(who))}

    assert listed == {demo.user_ids[name] for name in sees}


@pytest.mark.parametrize("who, status", [("resident", 403), ("vol1", 403), ("leader_sy", 403), ("grid_sy", 403),
                                         (None, 401)])
def test_users_is_for_staff(demo, client, who, status):
    """Is GET /users refused to residents, volunteers and grid workers (403) and to anonymous callers (401)?"""
    response = client.get("/api/v1/users", headers=demo.headers(who) if who else {})

    assert response.status_code == status


def test_users_search_and_phone_masking(demo, client):
    """Does ?q= find by the beginning of a name or a whole phone number within scope, with phones masked?"""
    client.post("/api/v1/me/phone", json={"code": "dev:13912345678"}, headers=demo.headers("resident"))
    client.post("/api/v1/me/phone", json={"code": "dev:13912349999"}, headers=demo.headers("resident_qs"))

    by_name = get_json(client, "/api/v1/users?q=松阳居民", demo.headers("staff_sy"))["items"]
    by_phone = get_json(client, "/api/v1/users?q=13912345678", demo.headers("staff_sy"))["items"]

    assert {u["id"] for u in by_name} == {demo.user_ids["resident"], demo.user_ids["resident2"]}
    assert [(u["id"], u["phone"]) for u in by_phone] == [(demo.user_ids["resident"], "139****5678")]


# --- scope: 松阳 staff in 青山 ------------------------------------------------------------------


def _qs_order(demo) -> dict:
    return demo.create_order("resident_qs", area_id=demo.qs, address="青山小区1栋")


SCOPE_ACTIONS = {
    "grant grid_worker in 青山": lambda demo, c, h: c.post(
        "/api/v1/role-grants", headers=h, json={"user_id": demo.user_ids["resident_qs"], "role": "grid_worker",
                                                 "area_id": demo.qs}),
    "grant grid_worker in a 青山 grid": lambda demo, c, h: c.post(
        "/api/v1/role-grants", headers=h, json={"user_id": demo.user_ids["resident_qs"], "role": "grid_worker",
                                                 "area_id": grid_of(c, demo.qs)}),
    "create a team in 青山": lambda demo, c, h: c.post(
        "/api/v1/teams", headers=h, json={"name": "青山新队", "area_id": demo.qs}),
    "see a 青山 order": lambda demo, c, h: c.get(f"/api/v1/orders/{_qs_order(demo)['id']}", headers=h),
    "dispatch a 青山 order": lambda demo, c, h: c.post(f"/api/v1/orders/{_qs_order(demo)['id']}/dispatch",
                                                    headers=h, json={"team_id": demo.team_qs}),
    "revoke a 青山 grant": lambda demo, c, h: c.delete(
        f"/api/v1/role-grants/{_grant(c, demo, 'grid_worker', demo.qs, 'resident_qs')}", headers=h),
}
# (staff of 松阳, admin of the county)
SCOPE_EXPECTED = {
    "grant grid_worker in 青山": (403, 201),
    "grant grid_worker in a 青山 grid": (403, 201),
    "create a team in 青山": (403, 201),
    "see a 青山 order": (404, 200),
    "dispatch a 青山 order": (404, 200),
    "revoke a 青山 grant": (404, 204),
}


@pytest.mark.parametrize("who", ["staff_sy", "admin"])
@pytest.mark.parametrize("action", SCOPE_ACTIONS)
def test_staff_of_one_community_cannot_act_in_another(demo, client, action, who):
    """Is staff of 松阳 refused in 青山 (403 for acts naming the area, 404 for its objects) while the county admin may?"""
    expected = SCOPE_EXPECTED[action][0 if who == "staff_sy" else 1]

    response = SCOPE_ACTIONS[action](demo, client, demo.headers(who))

    assert response.status_code == expected, response.get_json()
    if expected >= 400:
        assert response.get_json()["code"] == {403: "forbidden", 404: "not_found"}[expected]


@pytest.mark.parametrize("who, sees_qs", [("staff_sy", False), ("grid_sy", False), ("staff_qs", True),
                                          ("admin", True)])
def test_order_lists_are_scoped(demo, client, who, sees_qs):
    """Do lists of orders (also filtered to 青山) leave 青山's orders out for 松阳 staff?"""
    order = _qs_order(demo)

    everything = {o["id"] for o in all_pages(client, "/api/v1/orders", demo.headers(who), limit=50)}
    filtered = {o["id"] for o in get_json(client, f"/api/v1/orders?area_id={demo.qs}", demo.headers(who))["items"]}

    assert (order["id"] in everything, order["id"] in filtered) == (sees_qs, sees_qs)
