"""Chat, streaming, threads and their privacy."""

from __future__ import annotations

import json

from tests.api.conftest import Service


def sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_answers_with_figures_citations_charts_and_keeps_the_thread(service: Service) -> None:
    c = service.client
    r = c.post("/v1/chat", json={"message": "cash in 13 weeks?"}, headers=service.as_("ann"))
    assert r.status_code == 200, r.text
    answer = r.json()
    assert "1,234,567 USD" in answer["text"]
    assert answer["figures"][0]["value"] == 1234567.0
    assert answer["citations"][0]["section"] == "4.2 Minimum cash"
    chart = answer["charts"][0]
    svg = c.get(f"/v1/charts/{chart['chart_id']}.svg", headers=service.as_("ann"))
    assert svg.headers["content-type"] == "image/svg+xml" and "Chosen plan" in svg.text
    again = c.post(
        "/v1/chat",
        json={"message": "and in 4 weeks?", "thread_id": answer["thread_id"]},
        headers=service.as_("ann"),
    )
    assert again.json()["thread_id"] == answer["thread_id"]
    detail = c.get(f"/v1/threads/{answer['thread_id']}", headers=service.as_("ann")).json()
    assert [m["role"] for m in detail["messages"]] == ["user", "assistant"] * 2
    assert detail["messages"][1]["payload"]["figures"][0]["key"] == "closing"


def test_streamed_answer_arrives_in_pieces_and_is_stored(service: Service) -> None:
    r = service.client.post(
        "/v1/chat/stream", json={"message": "cash?"}, headers=service.as_("ann")
    )
    assert r.headers["content-type"].startswith("text/event-stream")
    events = sse(r.text)
    kinds = [e for e, _ in events]
    assert kinds[0] == "thread" and kinds[-1] == "done"
    assert kinds.count("delta") > 1  # the text comes in several pieces
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert text == "Expected cash in 13 weeks is 1,234,567 USD, above the 500,000 USD floor."
    thread_id = events[0][1]["thread_id"]
    stored = service.client.get(f"/v1/threads/{thread_id}", headers=service.as_("ann")).json()
    assert stored["messages"][-1]["text"] == text


def test_private_threads_stay_private_until_shared(service: Service) -> None:
    c = service.client
    tid = c.post("/v1/chat", json={"message": "hello"}, headers=service.as_("ann")).json()[
        "thread_id"
    ]
    for who in ("amy", "dan"):  # another analyst, even an admin
        r = c.get(f"/v1/threads/{tid}", headers=service.as_(who))
        assert r.status_code == 404 and r.json()["error"]["type"] == "not_found"
        cont = c.post(
            "/v1/chat", json={"message": "x", "thread_id": tid}, headers=service.as_("amy")
        )
        assert cont.status_code == 404  # nor can they write into it
        assert c.get("/v1/threads", headers=service.as_(who)).json()["count"] == 0
    assert (
        c.patch(
            f"/v1/threads/{tid}", json={"private": False}, headers=service.as_("amy")
        ).status_code
        == 404
    )
    shared = c.patch(
        f"/v1/threads/{tid}", json={"private": False, "title": "Cash"}, headers=service.as_("ann")
    )
    assert shared.json()["private"] is False and shared.json()["title"] == "Cash"
    assert c.get(f"/v1/threads/{tid}", headers=service.as_("vic")).status_code == 200
    assert c.get("/v1/threads/T-unknown", headers=service.as_("ann")).status_code == 404


def test_viewer_cannot_chat(service: Service) -> None:
    r = service.client.post("/v1/chat", json={"message": "hi"}, headers=service.as_("vic"))
    assert r.status_code == 403 and "analyst" in r.json()["error"]["message"]
