"""Rows without a message id: a Parquet file written by another tool (pyarrow) without an id column imports to
the events DuckDB counts in it, stores no synthetic ids, and importing it again adds nothing (the store's import
log recognises every chunk) — in customer order and in time order."""
import json

import duckdb
import pytest

from conftest import tropa, tropa_json

MAPPING = ["--column", "user_id=customer_id", "--column", "timestamp=ts", "--column", "event=event_name",
           "--column", "source=channel", "--column", "properties=properties"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    import pyarrow as pa
    import pyarrow.parquet as pq

    root = tmp_path_factory.mktemp("noid")
    n = 30_000
    customers = [f"c{i % 1733}" for i in range(n)]
    ts = [1_767_225_600_000 + (i * 7919) % (86_400_000 * 30) for i in range(n)]
    names = ["view_item", "add_to_cart", "begin_checkout", "purchase", "view_item"]
    table = pa.table({
        "customer_id": customers,
        "ts": pa.array(ts, type=pa.timestamp("ms", tz="UTC")),
        "event_name": [names[i % 5] for i in range(n)],
        "channel": [["google", "direct", "email"][i % 3] for i in range(n)],
        # identical rows exist (i // 2): two equal events on one day stay two events
        "properties": [json.dumps({"sku": i // 2 % 97}) for i in range(n)],
    })
    by_customer = root / "by_customer.parquet"
    by_time = root / "by_time.parquet"
    pq.write_table(table.sort_by([("customer_id", "ascending"), ("ts", "ascending")]), by_customer, compression="zstd", row_group_size=8192)
    pq.write_table(table.sort_by([("ts", "ascending")]), by_time, compression="snappy", row_group_size=5000)
    return {"n": n, "by_customer": by_customer, "by_time": by_time}


def import_json(data, path):
    return json.loads(tropa(data, "import", path, "--format", "parquet", "--output", "json", *MAPPING).splitlines()[-1])


@pytest.mark.parametrize("order", ["by_customer", "by_time"])
def test_reimport_adds_nothing_and_counts_match_duckdb(files, tmp_path, order):
    path, n = files[order], files["n"]
    data = tmp_path / order
    first = import_json(data, path)
    assert (first["accepted"], first["rejected"], first["recognised"]) == (n, 0, 0)
    stats = tropa_json(data, "stats")
    con = duckdb.connect()
    rows = con.execute(f"SELECT event_name, count(*), count(DISTINCT customer_id) FROM '{path}' GROUP BY 1").fetchall()
    assert {r["value"]: (r["events"], r["customers"]) for r in stats["events_by_name"]} == {r[0]: (r[1], r[2]) for r in rows}
    assert stats["customers"] == con.execute(f"SELECT count(DISTINCT customer_id) FROM '{path}'").fetchone()[0]

    again = import_json(data, path)
    assert (again["accepted"], again["duplicates"], again["recognised"]) == (0, 0, n)
    assert tropa_json(data, "stats") == stats

    export = tmp_path / f"{order}.ndjson"
    tropa(data, "export", export)
    lines = export.read_text().splitlines()
    assert len(lines) == n
    assert not any("messageId" in json.loads(line) for line in lines), "a synthetic message id was stored"


def test_both_orders_load_the_same_store(files, tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    import_json(a, files["by_customer"])
    import_json(b, files["by_time"])
    assert tropa_json(a, "stats") == tropa_json(b, "stats")
