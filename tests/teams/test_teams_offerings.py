"""Volunteer teams (志愿服务队) and their offerings (亮单)."""
import pytest

from tests.conftest import login


def team_of(client, team_id, headers=None):
    response = client.get(f"/api/v1/teams/{team_id}", headers=headers or {})
    assert response.status_code == 200
    return response.get_json()


def me(client, headers):
    return client.get("/api/v1/me", headers=headers).get_json()


# --- teams ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("who", "area", "expected"), [
    ("staff_sy", "sy", 201), ("admin", "sy", 201), ("admin", "town", 201), ("staff_sy", "qs", 403),
    ("staff_sy", "town", 403), ("grid_sy", "sy", 403), ("leader_sy", "sy", 403), ("resident", "sy", 403),
    (None, "sy", 401),
])
def test_who_founds_a_team(demo, client, who, area, expected):
    """May only staff of an area (or an admin above it) found a team there?"""
    headers = demo.headers(who) if who else {}
    response = client.post("/api/v1/teams", json={"name": "助老服务小分队", "area_id": getattr(demo, area)},
                           headers=headers)
    assert response.status_code == expected, response.get_json()


def test_a_new_team_with_leader_and_categories(demo, client):
    """Does a new team get its leader, the categories it serves and an invite code shown to staff and leader?"""
    resident_id = demo.user_ids["resident2"]
    response = client.post("/api/v1/teams", json={
        "name": "  法律援助小组  ", "area_id": demo.sy, "description": "律师志愿者",
        "category_codes": ["legal", "counsel"], "leader_id": resident_id}, headers=demo.headers("staff_sy"))
    assert response.status_code == 201
    team = response.get_json()
    assert team["name"] == "法律援助小组" and team["is_active"] is True
    assert team["leader_id"] == resident_id
    assert [c["name"] for c in team["categories"]] == ["法律咨询", "心理疏导"]
    assert len(team["invite_code"]) == 8
    assert team["members"] == [{"user_id": resident_id, "nickname": "松阳居民二", "role": "leader",
                                "joined_at": team["members"][0]["joined_at"]}]
    assert {"team_id": team["id"], "role": "leader"} in me(client, demo.headers("resident2"))["teams"]


@pytest.mark.parametrize(("who", "sees_code", "sees_members"), [
    ("staff_sy", True, True), ("admin", True, True), ("leader_sy", True, True), ("vol1", False, True),
    ("staff_qs", False, False), ("resident", False, False), (None, False, False),
])
def test_who_sees_invite_code_and_members(demo, client, who, sees_code, sees_members):
    """Is the invite code shown only to staff of the area and the leader, and the members also to members?"""
    team = team_of(client, demo.team_sy, demo.headers(who) if who else {})
    assert ("invite_code" in team) == sees_code
    assert ("members" in team) == sees_members
    assert team["member_count"] == 3
    listed = client.get(f"/api/v1/teams?area_id={demo.sy}", headers=demo.headers(who) if who else {}).get_json()
    assert [t["id"] for t in listed["items"]] == [demo.team_sy]
    assert ("invite_code" in listed["items"][0]) == sees_code


def test_join_by_invite_code(demo, client):
    """Does a user join with the invite code (however typed), once, and then see the team's orders?"""
    code = team_of(client, demo.team_sy, demo.headers("leader_sy"))["invite_code"]
    order = demo.order_at("dispatched")
    newcomer = login(client, "newcomer-1")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=newcomer).status_code == 404

    joined = client.post("/api/v1/teams/join", json={"invite_code": f"  {code.lower()} "}, headers=newcomer)
    assert joined.status_code == 200 and joined.get_json()["my_role"] == "member"
    assert team_of(client, demo.team_sy)["member_count"] == 4
    assert client.get(f"/api/v1/orders/{order['id']}", headers=newcomer).status_code == 200
    assert client.post(f"/api/v1/orders/{order['id']}/accept", headers=newcomer).status_code == 200

    again = client.post("/api/v1/teams/join", json={"invite_code": code}, headers=newcomer)
    assert again.status_code == 409
    wrong = client.post("/api/v1/teams/join", json={"invite_code": "ZZZZZZ"}, headers=newcomer)
    assert wrong.status_code == 422 and "invite_code" in wrong.get_json()["errors"]
    assert client.post("/api/v1/teams/join", json={"invite_code": code}).status_code == 401


def test_invite_codes_have_8_characters(demo, client):
    """Is every invite code 8 characters of the unambiguous alphabet (no 0/O, 1/I)?"""
    from app.teams.service import INVITE_ALPHABET, new_invite_code

    code = team_of(client, demo.team_sy, demo.headers("staff_sy"))["invite_code"]
    assert len(code) == 8 and set(code) <= set(INVITE_ALPHABET)
    assert all(len(new_invite_code()) == 8 for _ in range(20))


def test_join_attempts_are_limited_per_user(demo, make_limited_app):
    """Is a user's 4th join attempt within the hour (3 here, 10 by default) a 429 rate_limited with Retry-After,
    even with the right code, while another user may still join?"""
    client = make_limited_app(RATELIMIT_TEAM_JOIN="3 per hour").test_client()
    code = team_of(client, demo.team_sy, demo.headers("staff_sy"))["invite_code"]
    guesser = login(client, "code-guesser")
    tries = [client.post("/api/v1/teams/join", json={"invite_code": f"ZZZZZZZ{n}"}, headers=guesser)
             for n in range(2, 5)]
    assert [r.status_code for r in tries] == [422, 422, 422]
    refused = client.post("/api/v1/teams/join", json={"invite_code": code}, headers=guesser)
    assert refused.status_code == 429 and refused.get_json()["code"] == "rate_limited"
    assert 1 <= int(refused.headers["Retry-After"]) <= 3600
    other = client.post("/api/v1/teams/join", json={"invite_code": code}, headers=login(client, "newcomer"))
    assert other.status_code == 200


@pytest.mark.parametrize(("who", "expected"), [
    ("staff_sy", 200), ("admin", 200), ("leader_sy", 200), ("vol1", 403), ("staff_qs", 403), ("resident", 403),
    (None, 401),
])
def test_who_rotates_an_invite_code(demo, client, who, expected):
    """May staff of the area and the leader replace the invite code (the old one then fails), and nobody else?"""
    old = team_of(client, demo.team_sy, demo.headers("staff_sy"))["invite_code"]
    response = client.post(f"/api/v1/teams/{demo.team_sy}/invite-code", json={},
                           headers=demo.headers(who) if who else {})
    assert response.status_code == expected, response.get_json()
    now = team_of(client, demo.team_sy, demo.headers("staff_sy"))["invite_code"]
    if expected != 200:
        assert now == old
        return
    assert response.get_json()["invite_code"] == now != old and len(now) == 8
    newcomer = login(client, "late-newcomer")
    stale = client.post("/api/v1/teams/join", json={"invite_code": old}, headers=newcomer)
    assert stale.status_code == 422
    assert client.post("/api/v1/teams/join", json={"invite_code": now}, headers=newcomer).status_code == 200


def test_rotating_the_code_of_a_team_that_does_not_exist_is_404(demo, client):
    response = client.post("/api/v1/teams/999999/invite-code", json={}, headers=demo.headers("admin"))
    assert response.status_code == 404


def test_members_added_and_removed(demo, client):
    """May staff and the leader add and remove members, a member leave, and nobody remove the leader?"""
    newcomer = login(client, "newcomer-2")
    new_id = me(client, newcomer)["id"]
    base = f"/api/v1/teams/{demo.team_sy}/members"
    assert client.post(base, json={"user_id": new_id}, headers=demo.headers("vol1")).status_code == 403
    assert client.post(base, json={"user_id": new_id}, headers=demo.headers("staff_qs")).status_code == 403
    assert client.post(base, json={"user_id": 999999}, headers=demo.headers("leader_sy")).status_code == 422
    added = client.post(base, json={"user_id": new_id}, headers=demo.headers("leader_sy"))
    assert added.status_code == 201 and added.get_json()["member_count"] == 4
    assert client.post(base, json={"user_id": new_id}, headers=demo.headers("staff_sy")).status_code == 409

    order = demo.order_at("dispatched")
    assert client.get(f"/api/v1/orders/{order['id']}", headers=newcomer).status_code == 200
    assert client.delete(f"{base}/{new_id}", headers=newcomer).status_code == 204  # leaving
    assert client.get(f"/api/v1/orders/{order['id']}", headers=newcomer).status_code == 404

    vol2 = demo.user_ids["vol2"]
    assert client.delete(f"{base}/{vol2}", headers=demo.headers("vol1")).status_code == 403
    assert client.delete(f"{base}/{vol2}", headers=demo.headers("staff_sy")).status_code == 204
    assert client.delete(f"{base}/{vol2}", headers=demo.headers("staff_sy")).status_code == 404
    leader = demo.user_ids["leader_sy"]
    assert client.delete(f"{base}/{leader}", headers=demo.headers("staff_sy")).status_code == 409
    assert team_of(client, demo.team_sy)["member_count"] == 2


def test_leader_and_staff_change_a_team(demo, client):
    """May the leader change only description and categories, and staff anything, including the leader?"""
    url = f"/api/v1/teams/{demo.team_sy}"
    changed = client.patch(url, json={"description": "新的简介", "category_codes": ["escort", "repair"]},
                           headers=demo.headers("leader_sy"))
    assert changed.status_code == 200
    assert [c["code"] for c in changed.get_json()["categories"]] == ["escort", "repair"]
    assert client.patch(url, json={"is_active": False}, headers=demo.headers("leader_sy")).status_code == 403
    assert client.patch(url, json={"name": "改名"}, headers=demo.headers("vol1")).status_code == 403
    assert client.patch(url, json={"category_codes": ["nope"]}, headers=demo.headers("staff_sy")).status_code == 422
    new_leader = client.patch(url, json={"leader_id": demo.user_ids["vol1"]}, headers=demo.headers("staff_sy"))
    assert new_leader.status_code == 200 and new_leader.get_json()["leader_id"] == demo.user_ids["vol1"]
    roles = {m["user_id"]: m["role"] for m in new_leader.get_json()["members"]}
    assert roles[demo.user_ids["vol1"]] == "leader" and roles[demo.user_ids["leader_sy"]] == "member"


def test_inactive_team(demo, client):
    """Does a deactivated team leave the list, refuse new members, offerings and dispatches, and come back?"""
    url = f"/api/v1/teams/{demo.team_sy}"
    code = team_of(client, demo.team_sy, demo.headers("staff_sy"))["invite_code"]
    assert client.patch(url, json={"is_active": False}, headers=demo.headers("staff_sy")).status_code == 200
    assert demo.team_sy not in [t["id"] for t in client.get("/api/v1/teams").get_json()["items"]]
    assert demo.team_sy in [t["id"] for t in client.get("/api/v1/teams?include_inactive=true").get_json()["items"]]
    assert client.post("/api/v1/teams/join", json={"invite_code": code},
                       headers=login(client, "late-joiner")).status_code == 422
    offering = client.post("/api/v1/offerings", json={"team_id": demo.team_sy, "category": "escort",
                                                      "title": "周末陪诊"}, headers=demo.headers("leader_sy"))
    assert offering.status_code == 409
    order = demo.create_order()
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy}, status=422)
    assert client.patch(url, json={"is_active": True}, headers=demo.headers("staff_sy")).status_code == 200
    demo.act(order["id"], "dispatch", "staff_sy", {"team_id": demo.team_sy})


# --- offerings (亮单) -----------------------------------------------------------------------------

def publish(client, demo, **changes):
    body = {"team_id": demo.team_sy, "category": "repair", "title": "上门修理小家电", "description": "电饭煲、电风扇等",
            "service_times": "每周六上午"}
    body.update(changes)
    return client.post("/api/v1/offerings", json=body, headers=demo.headers("leader_sy"))


def listed(client, query="", headers=None):
    response = client.get(f"/api/v1/offerings{query}", headers=headers or {})
    assert response.status_code == 200, response.get_json()
    return [o["id"] for o in response.get_json()["items"]]


def test_offering_review_flow(demo, client):
    """Is a leader's offering pending until staff of the area approve it, and then listed for residents?"""
    response = publish(client, demo)
    assert response.status_code == 201
    offering = response.get_json()
    assert offering["status"] == "pending" and offering["category_name"] == "家电维修"
    assert offering["id"] not in listed(client)
    assert offering["id"] in listed(client, "?status=pending", demo.headers("staff_sy"))
    assert offering["id"] not in listed(client, "?status=pending", demo.headers("staff_qs"))
    assert client.get("/api/v1/offerings?status=pending", headers=demo.headers("resident")).status_code == 403
    assert client.get(f"/api/v1/offerings/{offering['id']}", headers=demo.headers("resident")).status_code == 404

    url = f"/api/v1/offerings/{offering['id']}"
    assert client.post(f"{url}/approve", headers=demo.headers("staff_qs")).status_code == 404
    assert client.post(f"{url}/approve", headers=demo.headers("leader_sy")).status_code == 403
    approved = client.post(f"{url}/approve", headers=demo.headers("staff_sy"))
    assert approved.status_code == 200 and approved.get_json()["status"] == "published"
    assert approved.get_json()["reviewed_at"] is not None
    assert client.post(f"{url}/approve", headers=demo.headers("staff_sy")).status_code == 409
    assert offering["id"] in listed(client, f"?area_id={demo.sy}&category=repair")
    assert client.get(url).status_code == 200

    # Residents order from it; the leader withdraws it; it can no longer be ordered.
    order = demo.create_order(category="repair", offering_id=offering["id"], description="电饭煲坏了")
    assert order["title"] == "上门修理小家电"
    assert client.post(f"{url}/withdraw", headers=demo.headers("vol1")).status_code == 403
    withdrawn = client.post(f"{url}/withdraw", headers=demo.headers("leader_sy"))
    assert withdrawn.status_code == 200 and withdrawn.get_json()["status"] == "withdrawn"
    assert client.post(f"{url}/withdraw", headers=demo.headers("leader_sy")).status_code == 409
    assert offering["id"] not in listed(client)
    late = client.post("/api/v1/orders", json=demo.order_body(category="repair", offering_id=offering["id"]),
                       headers=demo.headers("resident"))
    assert late.status_code == 422 and "offering_id" in late.get_json()["errors"]


def test_offering_rejected_with_a_reason(demo, client):
    """Does rejecting need a reason, which the leader then reads, and is a rejected offering final?"""
    offering = publish(client, demo).get_json()
    url = f"/api/v1/offerings/{offering['id']}"
    assert client.post(f"{url}/reject", json={}, headers=demo.headers("staff_sy")).status_code == 422
    assert client.post(f"{url}/reject", json={"reason": " "}, headers=demo.headers("staff_sy")).status_code == 422
    rejected = client.post(f"{url}/reject", json={"reason": "服务时间请写具体"}, headers=demo.headers("staff_sy"))
    assert rejected.status_code == 200 and rejected.get_json()["status"] == "rejected"
    mine = client.get(url, headers=demo.headers("leader_sy")).get_json()
    assert mine["reject_reason"] == "服务时间请写具体"
    assert client.post(f"{url}/approve", headers=demo.headers("staff_sy")).status_code == 409
    assert offering["id"] not in listed(client)


@pytest.mark.parametrize(("who", "changes", "expected"), [
    ("vol1", {}, 403),                       # a member, not the leader
    ("leader_qs", {}, 403),                  # another team's leader
    ("staff_sy", {}, 403),                   # staff review, they do not publish
    ("leader_sy", {"team_id": 999999}, 422),
    ("leader_sy", {"category": "nope"}, 422),
    ("leader_sy", {"title": "修"}, 422),
    (None, {}, 401),
])
def test_who_publishes_offerings(demo, client, who, changes, expected):
    """May only the team's leader publish an offering, with a real team and category?"""
    body = {"team_id": demo.team_sy, "category": "repair", "title": "上门修理小家电", **changes}
    response = client.post("/api/v1/offerings", json=body, headers=demo.headers(who) if who else {})
    assert response.status_code == expected, response.get_json()


def test_offering_must_fit_the_team(demo, client):
    """Is an offering outside the team's categories or areas refused with a field error?"""
    client.patch(f"/api/v1/teams/{demo.team_sy}", json={"category_codes": ["escort"]},
                 headers=demo.headers("staff_sy"))
    wrong_category = publish(client, demo, category="legal")
    assert wrong_category.status_code == 422 and "category" in wrong_category.get_json()["errors"]
    wrong_area = publish(client, demo, category="escort", served_area_ids=[demo.qs])
    assert wrong_area.status_code == 422 and "served_area_ids" in wrong_area.get_json()["errors"]
    grids = client.get(f"/api/v1/areas?parent_id={demo.sy}").get_json()["items"]
    ok = publish(client, demo, category="escort", served_area_ids=[g["id"] for g in grids])
    assert ok.status_code == 201 and ok.get_json()["served_area_ids"] == [g["id"] for g in grids]


def test_residents_browse_offerings_by_area_and_category(demo, client):
    """Do residents (even before logging in) find published offerings by community, grid and category?"""
    def titles(query):
        return sorted(o["title"] for o in client.get(f"/api/v1/offerings{query}").get_json()["items"])

    assert titles(f"?area_id={demo.sy}") == ["家电上门维修", "老人上门理发", "陪同就医"]
    assert titles(f"?area_id={demo.qs}") == ["助老送餐", "法律咨询"]
    assert titles(f"?area_id={demo.sy}&category=escort") == ["陪同就医"]
    assert titles(f"?area_id={demo.sy}&category=legal") == []
    grid = client.get(f"/api/v1/areas?parent_id={demo.qs}").get_json()["items"][0]["id"]
    assert titles(f"?area_id={grid}") == ["助老送餐", "法律咨询"]  # a grid sees its community's offerings
    assert len(titles("")) == 5 and len(titles(f"?area_id={demo.town}")) == 5
    assert titles(f"?team_id={demo.team_qs}") == ["助老送餐", "法律咨询"]
    item = client.get(f"/api/v1/offerings?area_id={demo.sy}&category=escort").get_json()["items"][0]
    assert item["team_name"] == "松阳社区党员志愿服务队" and item["category_name"] == "陪医"
    assert item["service_times"] == "周一至周五 8:00-17:00"
