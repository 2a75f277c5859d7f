"""The official Python SDKs of Segment (segment-analytics-python) and RudderStack (rudder-sdk-python), unchanged,
pointed at a live `tropa serve`: every call arrives exactly once, alias/identify merge the anonymous visitor into
the user, and properties, revenue and currency round-trip. Plus raw /v1/batch requests sent twice (deduplication
by messageId) and a graceful stop after which the CLI reads the same events.

rudder-sdk-python sends batches of up to 4 MiB, beyond Segment's 500 KB that tropa accepts by default: the server
here runs with --max-batch-size 4MiB, the setting README.md gives for RudderStack clients. Error bodies carry `code`
and `message` at the top level too, because both SDKs read them there."""
import gzip
import json
import uuid
from datetime import datetime

import pytest
import requests

from .live import Project, Server, ids_count, tropa

SDKS = ["segment", "rudderstack"]
VIEWS = 50  # track calls of the anonymous visitor before it signs up
ORDER = {"revenue": 1990, "currency": "RUB", "order_id": "o-1", "coupon": "ЗИМА", "items": [{"sku": "sku-7", "qty": 2, "price": 995}], "gift": False}
LANDING = "https://shop.example/landing?utm_source=yandex&utm_medium=cpc&utm_campaign=sdk_test"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    """One data folder with a project per SDK, one for raw requests and one for the big RudderStack batches, made
    before the server starts (the server opens every project when it starts)."""
    root = tmp_path_factory.mktemp("sdks")
    data = root / "data"
    projects = {name: Project(data, name) for name in [*SDKS, "raw", "rudder-cart"]}
    server = Server(data, root, args=["--max-batch-size", "4MiB"])
    server.start()
    yield {"data": data, "root": root, "server": server, "projects": projects}
    try:
        server.stop()
    finally:
        server.kill()


def make_client(sdk, project, url, errors):
    def on_error(e, batch):
        errors.append(f"{type(e).__name__}: {e} (batch of {len(batch)})")

    if sdk == "segment":
        from segment.analytics import Client

        return Client(project.write_key, host=url, on_error=on_error, max_retries=2, upload_interval=0.05)
    from rudderstack.analytics import Client

    return Client(project.write_key, host=url, on_error=on_error, max_retries=2, upload_interval=0.05)


def sent_ms(msg):
    return int(datetime.fromisoformat(msg["timestamp"]).timestamp() * 1000)


@pytest.mark.parametrize("sdk", SDKS)
def test_sdk_events_arrive_once_and_merge(env, sdk):
    server, project = env["server"], env["projects"][sdk]
    tag = uuid.uuid4().hex[:8]
    user, anon = f"user-{sdk}-{tag}", f"anon-{sdk}-{tag}"
    errors = []
    client = make_client(sdk, project, server.url, errors)

    sent = []  # (kind, message) in call order; the SDK returns (queued, message)

    def call(kind, result):
        queued, msg = result
        assert queued, f"{sdk} did not queue the {kind} call"
        sent.append((kind, msg))

    call("page", client.page(anonymous_id=anon, name="Landing", properties={"path": "/landing"}, context={"page": {"url": LANDING}}))
    for i in range(VIEWS):
        call("track", client.track(anonymous_id=anon, event="Product Viewed", properties={"sku": f"sku-{i}", "i": i, "price": 10.5 + i}))
    call("alias", client.alias(previous_id=anon, user_id=user))
    call("identify", client.identify(user, {"email": f"{tag}@example.com", "city": "Kazan", "plan": "pro"}))
    call("track", client.track(user, "Order Completed", ORDER))
    call("group", client.group(user, "acme-co", {"name": "Acme", "employees": 12}))
    client.flush()
    client.join()
    assert errors == [], f"{sdk} reported errors sending to tropa: {errors}\nserver log:\n{server.output()[-3000:]}"

    by_user = server.customer(project.read_key, user)
    assert by_user is not None, f"no customer {user} after the {sdk} SDK flushed"
    by_anon = server.customer(project.read_key, anon)
    assert by_anon is not None and by_anon["customer"] == by_user["customer"], "the anonymous id and the user id are two customers"
    assert set(by_user["actors"]) >= {user, anon}, by_user["actors"]
    assert any({m["a"], m["b"]} == {user, anon} for m in by_user["merges"]), by_user["merges"]

    # every message exactly once, nothing else
    counts = ids_count(by_user["events"])
    dup = {k: n for k, n in counts.items() if n > 1}
    assert dup == {}, f"events stored more than once: {dup}"
    want = {m["messageId"]: (kind, m) for kind, m in sent}
    assert len(want) == len(sent) == VIEWS + 5
    missing = sorted(set(want) - set(counts))
    extra = sorted(set(counts) - set(want))
    assert missing == [] and extra == [], f"missing {[want[m][0] for m in missing]} {missing[:5]}, unexpected {extra[:5]}"

    events = {e["message_id"]: e for e in by_user["events"]}
    for mid, (kind, msg) in want.items():
        e = events[mid]
        assert e["kind"] == kind, (kind, e)
        assert abs(e["timestamp"] - sent_ms(msg)) <= 1, f"{kind}: timestamp {e['timestamp']} vs sent {msg['timestamp']}"
        if kind == "track":
            assert e["name"] == msg["event"]
            assert e["properties"] == msg["properties"], f"properties changed: {e['properties']} vs {msg['properties']}"
            if msg["event"] == "Product Viewed":
                assert e["anonymous_id"] == anon and e["user_id"] == "", e
    order = next(e for e in by_user["events"] if e["name"] == "Order Completed")
    assert order["user_id"] == user
    assert order["revenue"] == 1990 and order["currency"] == "RUB", (order["revenue"], order["currency"])
    assert order["properties"] == ORDER

    page = next(e for e in by_user["events"] if e["kind"] == "page")
    assert page["name"] == "page_view" and page["anonymous_id"] == anon
    assert page["properties"] == {"path": "/landing", "name": "Landing"}
    ch = page["channel"]
    assert (ch["source"], ch["medium"], ch["campaign"], ch["group"]) == ("yandex", "cpc", "sdk_test", "paid_search"), ch

    ident = next(e for e in by_user["events"] if e["kind"] == "identify")
    assert ident["user_id"] == user
    assert ident["traits"] == {"email": f"{tag}@example.com", "city": "Kazan", "plan": "pro"}, ident["traits"]
    alias = next(e for e in by_user["events"] if e["kind"] == "alias")
    assert (alias["anonymous_id"], alias["user_id"]) == (anon, user)
    group = next(e for e in by_user["events"] if e["kind"] == "group")
    assert group["name"] == "group" and group["properties"] == {"group_id": "acme-co"}, group
    assert group["traits"] == {"name": "Acme", "employees": 12}, group["traits"]

    # the project of the other SDK sees none of it
    other = env["projects"][next(s for s in SDKS if s != sdk)]
    assert server.customer(other.read_key, user) is None


def test_rudderstack_default_batches_of_bigger_events_arrive(env):
    """rudder-sdk-python at its defaults sends up to 100 messages per request and allows 4 MiB per batch
    (consumer.BATCH_SIZE_LIMIT), as RudderStack's data plane accepts. Events of ~6 KB (a cart of 40 items) make a
    ~600 KB batch: with --max-batch-size 4MiB it is stored, not answered 413 and dropped whole by the SDK."""
    from rudderstack.analytics import Client

    server, project = env["server"], env["projects"]["rudder-cart"]
    errors = []
    client = Client(project.write_key, host=server.url, on_error=lambda e, batch: errors.append(f"{type(e).__name__}: {e!r} (batch of {len(batch)})"), max_retries=0, upload_interval=0.05)
    anon = f"cart-{uuid.uuid4().hex[:8]}"
    cart = [{"sku": f"sku-{j}", "name": f"Ботинки зимние, модель {j}", "price": 4990, "qty": 1, "category": "shoes/winter"} for j in range(40)]
    ids = [client.track(anonymous_id=anon, event="Cart Viewed", properties={"items": cart, "i": i})[1]["messageId"] for i in range(100)]
    client.flush()
    client.join()
    c = server.customer(project.read_key, anon)
    stored = {e["message_id"] for e in c["events"]} if c else set()
    assert errors == [] and stored == set(ids), f"{len(stored)} of {len(ids)} stored; the SDK reported {errors}"


def test_rudderstack_gets_a_rejection_it_can_read(env):
    """Both SDKs read a refused request's body as {"code": …, "message": …} (segment: request.post, rudderstack:
    request.post). rudder-sdk-python catches only ValueError around it: on tropa's {"error": {"code", …}} body the
    KeyError escapes, the consumer takes it for a network error and retries the permanent 4xx max_retries times
    (default 10) with exponential backoff, holding up every later event. It must see an APIError with the status."""
    from rudderstack.analytics import Client
    from rudderstack.analytics.request import APIError

    server = env["server"]
    errors = []
    client = Client("tw_no_such_key", host=server.url, on_error=lambda e, batch: errors.append(e), max_retries=0, upload_interval=0.05)
    client.track(anonymous_id="nobody", event="Refused")
    client.flush()
    client.join()
    assert len(errors) == 1, errors
    e = errors[0]
    assert isinstance(e, APIError) and e.status == 401, f"the SDK could not read tropa's 401 answer: {type(e).__name__}: {e!r}"


def raw_batch(prefix, n, anon, start=0):
    return [
        {"type": "track", "event": "Raw Event", "anonymousId": anon, "messageId": f"{prefix}-{i}", "timestamp": f"2026-11-20T10:{i // 60:02d}:{i % 60:02d}.123Z", "properties": {"i": i}}
        for i in range(start, start + n)
    ]


def test_the_same_batch_twice_is_stored_once(env):
    server, project = env["server"], env["projects"]["raw"]
    tag = uuid.uuid4().hex[:8]
    anon = f"raw-{tag}"
    body = {"batch": raw_batch(tag, 30, anon)}

    r1 = server.post("/v1/batch", body, project.write_key)
    assert r1.status_code == 200, r1.text
    assert r1.json() == {"success": True, "accepted": 30, "duplicates": 0}
    # the same batch again, this time gzipped, with the key in the body (how some SDKs send it)
    again = gzip.compress(json.dumps({**body, "writeKey": project.write_key}).encode())
    r2 = requests.post(server.url + "/v1/batch", data=again, headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}, timeout=30)
    assert r2.status_code == 200, r2.text
    assert r2.json() == {"success": True, "accepted": 0, "duplicates": 30}
    # half old, half new
    r3 = server.post("/v1/batch", {"batch": raw_batch(tag, 20, anon, start=20)}, project.write_key)
    assert r3.status_code == 200, r3.text
    assert r3.json() == {"success": True, "accepted": 10, "duplicates": 10}
    # one message on its own endpoint, sent twice
    single = raw_batch(tag, 1, anon, start=0)[0]
    r4 = server.post("/v1/track", single, project.write_key)
    assert r4.status_code == 200 and r4.json() == {"success": True, "accepted": 0, "duplicates": 1}, r4.text

    c = server.customer(project.read_key, anon)
    counts = ids_count(c["events"])
    assert len(c["events"]) == 40 and set(counts) == {f"{tag}-{i}" for i in range(40)}, sorted(counts)
    stats = server.get("/api/v1/stats", project.read_key)
    assert stats.status_code == 200, stats.text


def test_a_message_repeated_inside_one_batch_is_stored_once(env):
    server, project = env["server"], env["projects"]["raw"]
    tag = uuid.uuid4().hex[:8]
    anon = f"rep-{tag}"
    batch = raw_batch(tag, 5, anon)
    r = server.post("/v1/batch", {"batch": batch + batch[:2]}, project.write_key)
    assert r.status_code == 200, r.text
    assert r.json() == {"success": True, "accepted": 5, "duplicates": 2}
    c = server.customer(project.read_key, anon)
    assert sorted(e["message_id"] for e in c["events"]) == sorted(m["messageId"] for m in batch)


def test_keys_are_checked(env):
    server, project = env["server"], env["projects"]["raw"]
    body = {"batch": raw_batch(uuid.uuid4().hex[:8], 1, "k")}
    assert server.post("/v1/batch", body).status_code == 401
    assert server.post("/v1/batch", body, "tw_not_a_key").status_code == 401
    assert server.post("/v1/batch", body, project.read_key).status_code == 403
    assert server.get("/api/v1/stats", project.write_key).status_code == 403
    assert requests.get(server.url + "/api/v1/stats", timeout=10).status_code == 401


def test_graceful_stop_keeps_everything_for_the_cli(env):
    """Runs last in this module: SIGTERM, exit 0, and the CLI reads what the API showed."""
    server, project = env["server"], env["projects"]["raw"]
    tag = uuid.uuid4().hex[:8]
    anon = f"stop-{tag}"
    r = server.post("/v1/batch", {"batch": raw_batch(tag, 25, anon)}, project.write_key)
    assert r.status_code == 200 and r.json()["accepted"] == 25, r.text
    api = {name: server.get("/api/v1/stats", env["projects"][name].read_key).json()["events"] for name in env["projects"]}
    rc = server.stop()
    assert rc == 0, f"tropa serve exited with {rc} after SIGTERM:\n{server.output()}"
    assert "every acknowledged event is stored" in server.output()
    c = json.loads(tropa(env["data"], "--project", "raw", "customer", anon, "--format", "json"))
    assert sorted(e["message_id"] for e in c["events"]) == sorted(f"{tag}-{i}" for i in range(25))
    for name, p in env["projects"].items():
        rows = p.export(env["root"] / f"{name}.ndjson")
        assert len(rows) == api[name], f"{name}: the API counted {api[name]} events, the export has {len(rows)}"
        assert len({m["messageId"] for m in rows}) == len(rows), f"{name}: duplicate message ids in the export"
