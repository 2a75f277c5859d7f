"""The store checked by independent engines: DuckDB and ClickHouse (chdb) read tropa's exports and recount
events, customers and revenue; DuckDB recounts a real public event log straight from its CSV."""
import json

import chdb
import duckdb
import pytest

from conftest import SHARED, tropa, tropa_json


def by_name(stats):
    return {r["value"]: (r["events"], r["customers"]) for r in stats["events_by_name"]}


def test_duckdb_reads_the_parquet_export_with_the_same_counts(demo):
    con = duckdb.connect()
    p = str(demo["parquet"])
    events, customers, revenue = con.execute(f"SELECT count(*), count(DISTINCT customer_id), sum(revenue) FROM '{p}'").fetchone()
    stats = demo["stats"]
    assert events == stats["events"]
    assert customers == stats["customers"]
    rows = con.execute(f"SELECT event, count(*), count(DISTINCT customer_id) FROM '{p}' GROUP BY event").fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == by_name(stats)
    # timestamps are real UTC timestamps, customers' events are time-ordered within the file
    first = con.execute(f"SELECT strftime(min(timestamp), '%Y-%m-%dT%H:%M:%S') FROM '{p}'").fetchone()[0]
    assert stats["first_event"].startswith(first)
    assert revenue > 0


def test_revenue_and_buyers_match_duckdb(demo):
    """The overview's revenue, revenue per day and buyers (customers with an event of positive revenue)."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    p = str(demo["parquet"])
    stats = demo["stats"]
    total, buyers = con.execute(
        f"SELECT sum(revenue), count(DISTINCT customer_id) FILTER (WHERE revenue > 0) FROM '{p}'"
    ).fetchone()
    assert stats["revenue"] == pytest.approx(total, rel=1e-9)
    assert stats["buyers"] == buyers > 0
    days = con.execute(
        f"SELECT strftime(timestamp, '%Y-%m-%d') d, sum(revenue) FROM '{p}' "
        "WHERE revenue IS NOT NULL GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [d for d, _ in days] == [r["value"] for r in stats["revenue_by_day"]]
    for (d, r), row in zip(days, stats["revenue_by_day"]):
        assert row["revenue"] == pytest.approx(r, rel=1e-9, abs=1e-6), d


def test_chdb_reads_the_parquet_export_with_the_same_counts(demo):
    p = str(demo["parquet"])
    out = chdb.query(
        f"SELECT event, count(), uniqExact(customer_id) FROM file('{p}', Parquet) GROUP BY event FORMAT JSONCompact"
    )
    rows = json.loads(out.bytes())["data"]
    assert {r[0]: (int(r[1]), int(r[2])) for r in rows} == by_name(demo["stats"])
    total = json.loads(chdb.query(f"SELECT count(), round(sum(revenue), 2) FROM file('{p}', Parquet) FORMAT JSONCompact").bytes())["data"][0]
    duck = duckdb.connect().execute(f"SELECT count(*), round(sum(revenue), 2) FROM '{p}'").fetchone()
    assert int(total[0]) == duck[0] == demo["stats"]["events"]
    assert float(total[1]) == pytest.approx(duck[1], rel=1e-12)


def test_ndjson_export_is_segment_messages_that_reimport_identically(demo, tmp_path):
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_json_auto('{demo['ndjson']}', format='newline_delimited')").fetchone()[0]
    assert n == demo["stats"]["events"]
    data = tmp_path / "again"
    summary = json.loads(tropa(data, "import", demo["ndjson"], "--output", "json").splitlines()[-1])
    assert summary["accepted"] == n and summary["rejected"] == 0
    again = tropa_json(data, "stats")
    for key in ["events", "customers", "first_event", "last_event", "events_by_name", "events_by_channel", "events_by_day"]:
        assert again[key] == demo["stats"][key], key


def test_parquet_export_reimports_identically(demo, tmp_path):
    data = tmp_path / "again"
    summary = json.loads(tropa(data, "import", demo["parquet"], "--output", "json").splitlines()[-1])
    assert summary["accepted"] == demo["stats"]["events"]
    again = tropa_json(data, "stats")
    for key in ["events", "customers", "events_by_name", "events_by_touchpoint", "events_by_day"]:
        assert again[key] == demo["stats"][key], key


@pytest.mark.parametrize("codec", ["zstd", "lz4", "gzip", "brotli", "snappy", "none"])
def test_parquet_of_every_codec_imports_to_the_same_events(demo, tmp_path, codec):
    """Parquet files written by other tools (pyarrow here; Polars, Spark and ClickHouse exports alike) use any of
    the format's codecs: each imports to the same events as tropa's own export."""
    import pyarrow.parquet as pq

    table = pq.read_table(demo["parquet"])
    path = tmp_path / f"events.{codec}.parquet"
    pq.write_table(table, path, compression=codec, row_group_size=4096)
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).compression.lower() == ("uncompressed" if codec == "none" else codec)
    data = tmp_path / codec
    summary = json.loads(tropa(data, "import", path, "--output", "json").splitlines()[-1])
    assert summary["accepted"] == demo["stats"]["events"] and summary["rejected"] == 0
    again = tropa_json(data, "stats")
    for key in ["events", "customers", "revenue", "events_by_name", "events_by_touchpoint", "events_by_day"]:
        assert again[key] == demo["stats"][key], key


@pytest.mark.skipif(not (SHARED / "taobao_userbehavior_head").exists(), reason="shared data not present")
def test_taobao_counts_match_duckdb_on_the_raw_csv(tmp_path):
    csv = SHARED / "taobao_userbehavior_head" / "UserBehavior_head.csv"
    data = tmp_path / "taobao"
    tropa(data, "import", "--format", "csv", csv, "--column", "user_id=user_id", "--column", "event=behavior_type",
          "--column", "timestamp=timestamp", "--time-format", "unix")
    stats = tropa_json(data, "stats")
    con = duckdb.connect()
    rows = con.execute(f"SELECT behavior_type, count(*), count(DISTINCT user_id) FROM read_csv_auto('{csv}') GROUP BY 1").fetchall()
    assert {r[0]: (r[1], r[2]) for r in rows} == by_name(stats)
    days = con.execute(
        f"SELECT strftime(to_timestamp(timestamp) AT TIME ZONE 'UTC', '%Y-%m-%d') d, count(*) FROM read_csv_auto('{csv}') GROUP BY 1 ORDER BY 1"
    ).fetchall()
    assert [(d, n) for d, n in days] == [(r["value"], r["events"]) for r in stats["events_by_day"]]
