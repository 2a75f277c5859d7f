"""Durability under kill -9: clients load the server as fast as they can, the server is SIGKILLed mid-load, restarted
on the same folder (recovering its write-ahead log), loaded and killed again. Every messageId the server
acknowledged with 200 is stored exactly once; nothing is stored twice or invented; a batch is stored whole or not
at all; an acknowledged batch sent again after recovery is reported as duplicates."""
import threading
import time
from collections import Counter

import requests

from .live import ids_count

THREADS = 4
BATCH = 100
KILL_AFTER_BATCHES = 200  # acknowledged batches per round before the kill …
KILL_AFTER_S = 3.0  # … or this long, whichever comes first
# the memtable is written as a part every 3,000 events, outside the writer lock, while batches keep arriving:
# kills land before, during and after those writes too
FLUSH_OFTEN = {"TROPA_FLUSH_ROWS": "3000"}


def batch_of(round_no, thread, seq):
    """Batch `seq` of a client thread; its messageIds are r{round}-t{thread}-{seq}-{i}."""
    return [
        {
            "type": "track",
            "event": "Load Test",
            "messageId": f"r{round_no}-t{thread}-{seq}-{i}",
            "anonymousId": f"a{thread}-{(seq * BATCH + i) % 37}",
            "timestamp": "2026-11-01T12:00:00.000Z",
            "properties": {"round": round_no, "thread": thread, "seq": seq, "i": i, "pad": "x" * 64},
        }
        for i in range(BATCH)
    ]


def load_and_kill(server, project, round_no):
    """Runs the clients until the kill; returns (acked batch keys, sent batch keys, problems)."""
    acked, sent, problems = [], [], []
    lock = threading.Lock()
    stop = threading.Event()

    def client(thread):
        session = requests.Session()
        seq = 0
        while not stop.is_set():
            key = (round_no, thread, seq)
            with lock:
                sent.append(key)
            try:
                r = server.post("/v1/batch", {"batch": batch_of(*key)}, project.write_key, session=session)
            except requests.RequestException:
                return  # the server is gone (killed mid-request): this batch is unacknowledged
            if r.status_code == 200:
                body = r.json()
                with lock:
                    acked.append(key)
                    if body != {"success": True, "accepted": BATCH, "duplicates": 0}:
                        problems.append(f"batch {key}: {body}")
            elif r.status_code != 429:
                with lock:
                    problems.append(f"batch {key}: HTTP {r.status_code} {r.text[:300]}")
                return
            seq += 1

    threads = [threading.Thread(target=client, args=(t,), daemon=True) for t in range(THREADS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + KILL_AFTER_S
    while time.monotonic() < deadline:
        with lock:
            if len(acked) >= KILL_AFTER_BATCHES:
                break
        time.sleep(0.01)
    server.kill()  # SIGKILL while the clients are still sending
    stop.set()
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a client thread hung after the server was killed"
    print(f"round {round_no}: {len(acked)} acked, {len(sent)} sent")
    return acked, sent, problems


def check_store(rows, acked, sent, what):
    ids = Counter(m["messageId"] for m in rows)
    twice = {k: n for k, n in ids.items() if n > 1}
    assert twice == {}, f"{what}: {len(twice)} messageIds stored more than once, e.g. {list(twice.items())[:5]}"
    sent_ids = {f"r{r}-t{t}-{s}-{i}" for (r, t, s) in sent for i in range(BATCH)}
    invented = set(ids) - sent_ids
    assert not invented, f"{what}: {len(invented)} stored messageIds were never sent, e.g. {sorted(invented)[:5]}"
    assert len(ids) <= len(sent_ids)
    lost = [f"r{r}-t{t}-{s}-{i}" for (r, t, s) in acked for i in range(BATCH) if f"r{r}-t{t}-{s}-{i}" not in ids]
    assert not lost, f"{what}: {len(lost)} acknowledged events are lost after kill -9, e.g. {lost[:5]}"
    per_batch = Counter(mid.rsplit("-", 1)[0] for mid in ids)
    torn = {b: n for b, n in per_batch.items() if n != BATCH}
    assert not torn, f"{what}: batches stored in part (all or nothing expected): {dict(list(torn.items())[:5])}"
    return len(ids)


def test_acknowledged_events_survive_kill_9_twice(tmp_path, start_server, make_project):
    data = tmp_path / "data"
    project = make_project(data, "load")

    # round 1: a fresh folder
    s1 = start_server(data, env=FLUSH_OFTEN)
    acked1, sent1, problems1 = load_and_kill(s1, project, 1)
    assert problems1 == [], problems1
    assert len(acked1) >= 4, f"only {len(acked1)} batches were acknowledged before the kill: the load did not run\n{s1.output()[-2000:]}"

    # round 2: the recovered store takes more load, knows round 1's messageIds, and is killed again
    s2 = start_server(data, env=FLUSH_OFTEN)
    first = acked1[0]
    again = s2.post("/v1/batch", {"batch": batch_of(*first)}, project.write_key)
    assert again.status_code == 200, again.text
    assert again.json() == {"success": True, "accepted": 0, "duplicates": BATCH}, f"an acknowledged batch resent after recovery: {again.json()}"
    stats = s2.get("/api/v1/stats", project.read_key)
    assert stats.status_code == 200, stats.text
    recovered = stats.json()["events"]
    assert recovered >= len(acked1) * BATCH, f"after the restart the API counts {recovered} events, {len(acked1) * BATCH} were acknowledged"
    acked2, sent2, problems2 = load_and_kill(s2, project, 2)
    assert problems2 == [], problems2
    assert len(acked2) >= 4, f"only {len(acked2)} batches were acknowledged in round 2\n{s2.output()[-2000:]}"

    # the CLI opens (and recovers) the store after the second kill
    rows = project.export(tmp_path / "after-kill.ndjson")
    stored = check_store(rows, acked1 + acked2, sent1 + sent2, "after two kills")
    assert stored >= (len(acked1) + len(acked2)) * BATCH

    # and a third server start sees the same events through the API
    s3 = start_server(data, env=FLUSH_OFTEN)
    assert s3.get("/api/v1/stats", project.read_key).json()["events"] == stored
    sample = s3.customer(project.read_key, "a0-0")
    assert sample is not None and max(ids_count(sample["events"]).values()) == 1
