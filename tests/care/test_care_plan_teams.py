"""The teams a care plan may name (DESIGN §8 `team_id`): `GET /teams?for_area_id=&category=`, the phone's picker.

Exactly the teams that may take an order of the area and category (app/orders/scope.py), so every team the
picker offers is one that `POST /care-plans` accepts.
"""
import pytest

from tests.dispatch.test_dispatch_help import _grid, _team


def _eligible(client, area_id, category, **more):
    return client.get("/api/v1/teams", query_string={"for_area_id": area_id, "category": category, **more})


def test_the_picker_lists_exactly_the_teams_that_may_take_the_plan(app, client, demo):
    """Are the teams of the area and above that serve the category listed (newest first), and no other — not a
    team of another grid or community, one of another category, or an inactive one?"""
    grid = _grid(app, demo.sy)
    town = _team(client, demo, "城关镇志愿服务总队", demo.town)
    grid_team = _team(client, demo, "第一网格服务小组", grid, ["escort"])
    _team(client, demo, "第二网格服务小组", _grid(app, demo.sy, "第二网格"), ["escort"])
    _team(client, demo, "法律服务小组", demo.sy, ["legal"])
    inactive = _team(client, demo, "已停用小组", demo.sy)
    client.patch(f"/api/v1/teams/{inactive}", json={"is_active": False}, headers=demo.headers("admin"))

    listed = _eligible(client, grid, "escort")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.get_json()["items"]] == [grid_team, town, demo.team_sy]
    assert [t["id"] for t in _eligible(client, demo.sy, "escort").get_json()["items"]] == [town, demo.team_sy]
    # Paged like any list.
    first = _eligible(client, grid, "escort", limit=2).get_json()
    second = _eligible(client, grid, "escort", limit=2, cursor=first["next_cursor"]).get_json()
    assert [t["id"] for t in first["items"] + second["items"]] == [grid_team, town, demo.team_sy]
    assert second["next_cursor"] is None

    # Each one listed is a team a care plan of that area and category may name.
    for team in listed.get_json()["items"]:
        plan = client.post("/api/v1/care-plans", headers=demo.headers("staff_sy"), json={
            "resident": {"name": "张大爷", "phone": "13800001234"}, "area_id": grid, "category": "escort",
            "description": "每周陪同散步", "address": "松阳小区3栋", "weekdays": [1], "time_slot": "上午",
            "starts_on": "2030-01-07", "team_id": team["id"]})
        assert plan.status_code == 201, plan.get_json()


@pytest.mark.parametrize("query, field", [({"for_area_id": 1}, "category"), ({"category": "escort"}, "for_area_id"),
                                          ({"for_area_id": 999999, "category": "escort"}, "for_area_id"),
                                          ({"for_area_id": "SY", "category": "nope"}, "category")])
def test_the_picker_needs_an_area_and_a_category(client, demo, query, field):
    """Is a half or unknown question a 422 naming its field, in the contract's shape?"""
    query = {k: (demo.sy if v == "SY" else v) for k, v in query.items()}
    response = client.get("/api/v1/teams", query_string=query)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == "validation_error" and field in str(body["errors"])
