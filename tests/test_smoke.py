def test_demo_flow(demo):
    """Does an order go through all five steps in the demo world?"""
    order = demo.order_at("rated")
    assert order["status"] == "rated"
    assert [e["action"] for e in order["events"]] == ["create", "dispatch", "accept", "start", "complete", "rate"]
