"""The test front (tests/fixtures/chfront.py) speaks ClickHouse's HTTP interface over chdb: checked from Python with
plain HTTP requests. (The Rust side checks it with the official `clickhouse` crate: crates/clickhouse/tests.)"""

import base64
import json
import os
import struct
import subprocess
import sys

import pytest

chdb = pytest.importorskip("chdb", reason="chdb is not installed: the ClickHouse test front is skipped")
lz4 = pytest.importorskip("lz4.frame")
requests = pytest.importorskip("requests")
import lz4.block  # noqa: E402

FRONT = os.path.join(os.path.dirname(__file__), "..", "fixtures", "chfront.py")
sys.path.insert(0, os.path.dirname(FRONT))
from chfront import checksum128  # noqa: E402


@pytest.fixture(scope="module")
def url(tmp_path_factory):
    path = tmp_path_factory.mktemp("chdb")
    proc = subprocess.Popen([sys.executable, FRONT, "--path", str(path), "--user", "u", "--password", "p",
                             "--exit-with-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line.startswith("port "), line
    yield f"http://127.0.0.1:{int(line.split()[1])}/"
    proc.stdin.close()  # the front removes its spool folder and stops
    proc.wait(timeout=30)


AUTH = {"X-ClickHouse-User": "u", "X-ClickHouse-Key": "p"}


def block(data, method=0x82):
    payload = lz4.block.compress(data, store_size=False) if method == 0x82 else data
    header = struct.pack("<BII", method, 9 + len(payload), len(data))
    return checksum128(header + payload) + header + payload


def test_query_in_url_and_body_with_json_and_database(url):
    r = requests.post(url, params={"query": "CREATE DATABASE IF NOT EXISTS fx"}, headers=AUTH)
    assert r.status_code == 200, r.text
    r = requests.post(url, params={"database": "fx"}, data="CREATE TABLE t (a UInt64, b String) ENGINE = MergeTree "
                      "ORDER BY a", headers=AUTH)
    assert r.status_code == 200, r.text
    r = requests.post(url, params={"database": "fx", "default_format": "JSON"},
                      data="SELECT currentDatabase() AS d, 1 + 1 AS two", headers=AUTH)
    assert r.status_code == 200
    assert r.json()["data"] == [{"d": "fx", "two": 2}]


def test_credentials_basic_auth_and_wrong_password(url):
    ok = requests.post(url, data="SELECT 1", auth=("u", "p"))
    assert ok.status_code == 200 and ok.content == b"1\n"
    bad = requests.post(url, data="SELECT 1", headers={"X-ClickHouse-User": "u", "X-ClickHouse-Key": "x"})
    assert bad.status_code == 403
    assert bad.headers["X-ClickHouse-Exception-Code"] == "516"


def test_errors_carry_the_exception_code(url):
    r = requests.post(url, data="SELECT * FROM nowhere.nothing", headers=AUTH)
    assert r.status_code != 200
    assert r.headers["X-ClickHouse-Exception-Code"] == "81"
    assert "nowhere" in r.text


def test_insert_compressed_rowbinary_and_lz4_response(url):
    rows = b"".join(struct.pack("<Q", i) + bytes([1]) + b"x" for i in range(3))
    body = block(rows[:10]) + block(rows[10:], method=0x02)
    r = requests.post(url, params={"database": "fx", "decompress": "1", "query": "INSERT INTO t(a, b) FORMAT RowBinary"},
                      data=body, headers=AUTH)
    assert r.status_code == 200, r.text
    r = requests.post(url, params={"database": "fx", "default_format": "JSONEachRow"},
                      data="SELECT a, b FROM t ORDER BY a", headers={**AUTH, "Accept-Encoding": "lz4"})
    assert r.headers["Content-Encoding"] == "lz4"
    text = lz4.frame.decompress(r.content).decode()
    assert [json.loads(x) for x in text.splitlines()] == [{"a": 0, "b": "x"}, {"a": 1, "b": "x"},
                                                           {"a": 2, "b": "x"}]


def test_a_damaged_block_is_refused(url):
    body = bytearray(block(struct.pack("<Q", 9) + b"\x01y"))
    body[-1] ^= 0xFF
    r = requests.post(url, params={"database": "fx", "decompress": "1", "query": "INSERT INTO t(a, b) FORMAT RowBinary"},
                      data=bytes(body), headers=AUTH)
    assert r.status_code == 400
    assert r.headers["X-ClickHouse-Exception-Code"] == "40"
