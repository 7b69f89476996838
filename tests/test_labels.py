"""The clients' label files: generated from the server's enums (app/labels.py), current, and the only copy."""
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import labels
from app.cli import labels_group
from app.orders import models as orders

ROOT = labels.ROOT
# The maps whose words a client must take from the generated file rather than write itself (an area's level
# is left out: 社区 and 网格 are everyday nouns in headings and hints).
GUARDED = ("ORDER_STATUS", "ORDER_ACTION", "ORDER_EVENT", "OFFERING_STATUS", "OFFERING_ACTION", "CALL_KIND",
           "CALL_STATUS", "CALL_ACTION", "SIGNUP_STATUS", "ROLE", "TEAM_ROLE", "ORDER_ACTION_IN_STATUS",
           "ORDER_EVENT_IN_STATUS")
# Nouns that happen to be an action's word: a column of sign-up counts (报名) and of ratings (评价).
HEADINGS = {("app/console/static/views/calls.js", "报名"), ("app/console/static/views/ratings.js", "评价")}


def test_label_files_are_what_the_server_generates():
    """Is each committed label file exactly what the server's enums generate now?"""
    for path, kind in labels.TARGETS.items():
        assert (ROOT / path).read_text(encoding="utf-8") == labels.render(kind), f"{path} is stale: run `make labels`"
    assert labels.stale() == []


def test_a_label_changed_without_regenerating_is_caught(monkeypatch, tmp_path):
    """Does changing a label on the server make both files stale until `flask labels write` runs?"""
    monkeypatch.setitem(orders.STATUS_LABELS, orders.OrderStatus.ORDERED, "等待派单")

    assert labels.stale() == list(labels.TARGETS)
    check = CliRunner().invoke(labels_group, ["check"])
    assert check.exit_code == 1 and "make labels" in check.output

    written = CliRunner().invoke(labels_group, ["write", "--root", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert labels.stale(tmp_path) == []
    assert "ordered: '等待派单'," in (tmp_path / "miniprogram/utils/labels.js").read_text(encoding="utf-8")
    assert "ordered: '等待派单'," in (tmp_path / "app/console/static/labels.js").read_text(encoding="utf-8")


def test_make_labels_writes_the_committed_files_again(tmp_path):
    """Does `flask labels write` (what `make labels` runs) regenerate byte-identical files?"""
    result = CliRunner().invoke(labels_group, ["write", "--root", str(tmp_path)])

    assert result.exit_code == 0, result.output
    for path in labels.TARGETS:
        assert (tmp_path / path).read_bytes() == (ROOT / path).read_bytes(), path
    assert CliRunner().invoke(labels_group, ["check"]).exit_code == 0


def test_every_enum_value_has_exactly_one_label(monkeypatch):
    """Does every client-facing enum's map label each of its values and nothing else?"""
    assert labels.problems() == []

    monkeypatch.delitem(orders.ACTION_LABELS, "decline")
    monkeypatch.setitem(orders.ACTION_LABELS, "launch", "发射")
    found = labels.problems()
    assert len(found) == 1 and "ORDER_ACTION" in found[0] and "app/orders/models.py" in found[0]
    with pytest.raises(ValueError, match="ORDER_ACTION"):
        labels.render("module")


def test_an_action_worded_by_status_names_a_move_of_the_table(monkeypatch):
    """Is an action worded otherwise in a status (改派: dispatching a dispatched order) only for a move the
    transitions table allows, in one place?"""
    assert orders.ACTION_LABELS_IN_STATUS == {"dispatch:dispatched": "改派"}
    assert set(orders.EVENT_LABELS_IN_STATUS) == set(orders.ACTION_LABELS_IN_STATUS)
    monkeypatch.setitem(orders.ACTION_LABELS_IN_STATUS, "accept:ordered", "抢单")
    found = labels.problems()
    assert len(found) == 1 and "ORDER_ACTION_IN_STATUS" in found[0]


def test_the_files_are_valid_modules_of_their_kind():
    """Does the mini-program's file end in module.exports and the console's export every map?"""
    names = [entry.name for entry in labels.catalogue()]
    commonjs = labels.render("commonjs")
    module = labels.render("module")
    assert "export " not in commonjs and commonjs.rstrip().endswith("}")
    assert re.findall(r"^  (\w+),$", commonjs.split("module.exports = {")[1], re.M) == names
    assert re.findall(r"^export const (\w+) = ", module, re.M) == names
    assert "module.exports" not in module


def _client_sources() -> list[Path]:
    """The console's modules and the mini-program's shared label users, except the generated files."""
    generated = {ROOT / path for path in labels.TARGETS}
    console = sorted((ROOT / "app/console/static").rglob("*.js"))
    miniprogram = [ROOT / "miniprogram/utils/constants.js", ROOT / "miniprogram/behaviors/order-actions.js",
                   ROOT / "miniprogram/utils/format.js"]
    return [path for path in console + miniprogram if path not in generated]


def _copies(source: str, where: str) -> list[str]:
    """The guarded labels written as string literals in a source file."""
    return [f"{where}: '{entry_text}' ({name})" for entry_text, name in
            ((text, entry.name) for entry in labels.catalogue() if entry.name in GUARDED for text in entry.labels.values())
            if (where, entry_text) not in HEADINGS and re.search(rf"""(['"`]){re.escape(entry_text)}\1""", source)]


def test_clients_write_no_label_of_their_own():
    """Do the console and the mini-program's constants take every status and action word from the generated file?"""
    assert _copies("decline: { label: '退回' }, toast(`待派单`)", "x.js") == ["x.js: '待派单' (ORDER_STATUS)",
                                                                            "x.js: '退回' (ORDER_ACTION)"]
    sources = _client_sources()
    copies = [copy for path in sources
              for copy in _copies(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))]
    assert copies == [], "use the generated labels.js instead"
    assert len(sources) > 10


def test_one_word_for_declining_an_order():
    """Is a team's decline called 退回 everywhere, and no client left with the old 婉拒?"""
    assert orders.ACTION_LABELS["decline"] == "退回" and "退回" in orders.EVENT_LABELS["decline"]
    for folder in ("miniprogram", "app/console"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".js", ".wxml", ".html"):
                assert "婉拒" not in path.read_text(encoding="utf-8"), path
