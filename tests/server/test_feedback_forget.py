"""`tropa forget` covers the voice of the customer: a customer's survey answers (score and "why?" text), reviews
and support tickets are events, so forgetting the customer removes them from the feedback list and the scores,
from exports and (after compaction) from the files on disk, while the other customers' feedback stays whole."""
import json
from pathlib import Path

from .live import tropa

SECRET = "Курьер Семёнов нагрубил мне у подъезда 42"  # personal data in a text


def messages():
    out = []
    for i, (user, score, text) in enumerate([
        ("alice", 2, SECRET),
        ("alice", 9, "Fast delivery, thank you Alice here"),
        ("bob", 10, "Отличный магазин"),
        ("bob", 3, "The parcel was late"),
    ]):
        out.append({"type": "track", "event": "survey_response", "userId": user, "messageId": f"s-{i}",
                    "timestamp": f"2026-05-0{i + 1}T10:00:00Z",
                    "properties": {"survey": "nps", "question": "nps", "kind": "nps", "score": score, "text": text}})
    out.append({"type": "track", "event": "review", "userId": "alice", "messageId": "r-1",
                "timestamp": "2026-05-06T10:00:00Z",
                "properties": {"rating": 1, "text": SECRET + " — отзыв", "channel": "marketplace"}})
    out.append({"type": "track", "event": "support_ticket", "userId": "alice", "messageId": "t-1",
                "timestamp": "2026-05-07T10:00:00Z", "properties": {"text": "Верните деньги, " + SECRET}})
    out.append({"type": "track", "event": "review", "userId": "bob", "messageId": "r-2",
                "timestamp": "2026-05-06T11:00:00Z", "properties": {"rating": 5, "text": "Всё пришло вовремя"}})
    return out


def feedback(data):
    return tropa(data, "feedback", "list", "--limit", "100", "--format", "json", parse=True)


def folder_bytes(data):
    return b"".join(p.read_bytes() for p in Path(data).rglob("*") if p.is_file())


def test_forget_removes_a_customers_answers_reviews_and_tickets(tmp_path):
    data = tmp_path / "data"
    src = tmp_path / "feedback.ndjson"
    src.write_text("\n".join(json.dumps(m, ensure_ascii=False) for m in messages()) + "\n", encoding="utf-8")
    tropa(data, "import", src)

    before = feedback(data)
    assert {r["customer"] for r in before} == {"alice", "bob"}
    assert sum(SECRET in r["text"] for r in before) == 3, before
    scores = tropa(data, "feedback", "scores", "--format", "json", parse=True)
    assert scores["overall"]["nps"]["n"] == 4

    gone = tropa(data, "forget", "alice", "--format", "json", parse=True)
    assert gone["forgotten_events"] == 4, gone

    # the feedback list and the scores no longer hold her answers, reviews or tickets
    after = feedback(data)
    assert {r["customer"] for r in after} == {"bob"}, after
    assert len(after) == 3 and not any(SECRET in r["text"] for r in after)
    scores = tropa(data, "feedback", "scores", "--format", "json", parse=True)
    assert scores["overall"]["nps"]["n"] == 2

    # nor does an export
    exported = tmp_path / "export.ndjson"
    tropa(data, "export", exported, "--format", "ndjson")
    text = exported.read_text(encoding="utf-8")
    assert SECRET not in text and "alice" not in text
    assert len([line for line in text.splitlines() if line.strip()]) == 3
    assert "Отличный магазин" in text

    # after compaction the text is gone from the files on disk too
    tropa(data, "compact")
    raw = folder_bytes(data)
    assert SECRET.encode() not in raw and "Семёнов".encode() not in raw
