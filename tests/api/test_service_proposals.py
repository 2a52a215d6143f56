"""The approval queue over HTTP: roles, own proposals, two approvers, exactly one run."""

from __future__ import annotations

from tests.api.conftest import Service


def propose(service: Service, amount: int, user: str = "ann") -> str:
    r = service.client.post(
        "/v1/chat", json={"message": f"pay {amount}"}, headers=service.as_(user)
    )
    return str(r.json()["proposals"][0]["proposal_id"])


def test_list_filter_and_detail(service: Service) -> None:
    c = service.client
    small, big = propose(service, 5_000), propose(service, 250_000, user="amy")
    listed = c.get("/v1/proposals", headers=service.as_("vic")).json()
    assert listed["count"] == 2 and {p["proposal_id"] for p in listed["data"]} == {small, big}
    mine = c.get("/v1/proposals", params={"requester": "amy"}, headers=service.as_("vic")).json()
    assert [p["proposal_id"] for p in mine["data"]] == [big]
    assert (
        c.get("/v1/proposals", params={"status": "executed"}, headers=service.as_("vic")).json()[
            "count"
        ]
        == 0
    )
    detail = c.get(f"/v1/proposals/{big}", headers=service.as_("bob")).json()
    assert detail["proposal"]["required_approvers"] == 2  # over 100,000: two approvers
    assert detail["can_approve"] is True and detail["audit"][0]["event"] == "propose"
    assert c.get(f"/v1/proposals/{big}", headers=service.as_("amy")).json()["can_approve"] is False
    awaiting = c.get(
        "/v1/proposals", params={"awaiting_me": True}, headers=service.as_("ann")
    ).json()
    assert awaiting["count"] == 0  # an analyst approves nothing


def test_who_may_decide(service: Service) -> None:
    c = service.client
    pid = propose(service, 5_000)
    viewer = c.post(f"/v1/proposals/{pid}/approve", headers=service.as_("vic"))
    assert viewer.status_code == 403 and viewer.json()["error"]["type"] == "forbidden"
    own = c.post(f"/v1/proposals/{pid}/approve", headers=service.as_("ann"))
    assert own.status_code == 403 and "cannot approve" in own.json()["error"]["message"]
    other_analyst = c.post(f"/v1/proposals/{pid}/reject", headers=service.as_("amy"))
    assert other_analyst.status_code == 403
    assert c.post("/v1/proposals/P-nope/approve", headers=service.as_("bob")).status_code == 404
    done = c.post(f"/v1/proposals/{pid}/approve", json={"reason": "ok"}, headers=service.as_("bob"))
    assert done.status_code == 200, done.text
    assert done.json()["proposal"]["status"] == "executed"
    assert done.json()["execution"]["status"] == "done"
    again = c.post(f"/v1/proposals/{pid}/approve", headers=service.as_("cat"))
    assert again.status_code == 409 and again.json()["error"]["type"] == "approval_refused"
    assert service.assistant.executions == [pid]


def test_two_approvers_then_one_execution_and_a_clean_audit_chain(service: Service) -> None:
    c = service.client
    pid = propose(service, 250_000)
    first = c.post(f"/v1/proposals/{pid}/approve", headers=service.as_("bob")).json()
    assert first["proposal"]["status"] == "pending" and first["execution"] is None
    second = c.post(f"/v1/proposals/{pid}/approve", headers=service.as_("dan")).json()
    assert second["proposal"]["status"] == "executed"
    assert service.assistant.executions == [pid]
    events = [
        e["event"]
        for e in c.get("/v1/audit", params={"proposal_id": pid}, headers=service.as_("vic")).json()[
            "data"
        ]
    ]
    assert events == ["execute", "execute_claim", "approve", "approve", "propose"]
    verified = c.get("/v1/audit/verify", headers=service.as_("vic")).json()
    assert verified["ok"] is True and verified["records"] == 5


def test_requester_may_withdraw_their_own(service: Service) -> None:
    pid = propose(service, 5_000)
    r = service.client.post(
        f"/v1/proposals/{pid}/reject",
        json={"reason": "changed my mind"},
        headers=service.as_("ann"),
    )
    assert r.status_code == 200 and r.json()["proposal"]["status"] == "rejected"
    assert service.assistant.executions == []
