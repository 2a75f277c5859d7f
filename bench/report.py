"""Tables of a benchmark result (bench/results/*.json) and the results section of bench/README.md."""

import json
import re
from pathlib import Path

START, END = "<!-- results:start -->", "<!-- results:end -->"
ENGINES = ("tropa", "chdb", "duckdb")


def secs(s):
    if s is None:
        return "—"
    if s < 0.01:
        return f"{s * 1000:.2f} ms"
    if s < 1:
        return f"{s * 1000:.0f} ms"
    return f"{s:.2f} s"


def mb(x):
    return "—" if x is None else f"{x:,.0f} MB" if x >= 10 else f"{x:.1f} MB"


def size(b):
    return f"{b / 1e9:.2f} GB" if b >= 1e9 else f"{b / 1e6:.0f} MB"


def rate(r):
    return f"{r / 1e6:.2f} M/s" if r >= 1e6 else f"{r / 1e3:.0f} k/s"


def others(t):
    share = t.get("other_cpu_share")
    return "—" if share is None else f"{share * 100:.0f} %"


def best_variant(variants):
    """(name, timing) of the variant with the lowest best time."""
    return min(variants.items(), key=lambda kv: kv[1]["best_s"]) if variants else (None, None)


def ratio(other, tropa):
    if not other or not tropa:
        return "—"
    r = other["best_s"] / tropa["best_s"]
    return f"{r:.1f}× faster" if r >= 1 else f"{1 / r:.1f}× slower"


def cell(name, t, show_variant):
    if t is None:
        return "—"
    text = f"{secs(t['best_s'])} (med {secs(t['median_s'])})"
    return f"{text}, {name}" if show_variant and name else text


def query_table(result):
    rows = [
        "| workload | tropa | DuckDB | ClickHouse | tropa vs DuckDB | tropa vs ClickHouse "
        "| query memory tropa / DuckDB / ClickHouse |",
        "|---|---|---|---|---|---|---|",
    ]
    for workload, engines in result["queries"].items():
        picked = {e: best_variant(engines.get(e, {})) for e in ENGINES}
        tropa = picked["tropa"][1]
        memory = " / ".join(mb(picked[e][1]["query_rss_mb"]) if picked[e][1] else "—" for e in ("tropa", "duckdb", "chdb"))
        rows.append(
            f"| {workload} | {cell(*picked['tropa'], False)} | {cell(*picked['duckdb'], True)} "
            f"| {cell(*picked['chdb'], True)} | {ratio(picked['duckdb'][1], tropa)} "
            f"| {ratio(picked['chdb'][1], tropa)} | {memory} |"
        )
    return "\n".join(rows)


def variant_table(result):
    rows = [
        "| workload | engine | variant | best | median | open | query memory (peak − idle) | process peak RSS "
        "| CPU used by others |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for workload, engines in result["queries"].items():
        for engine, variants in engines.items():
            for name, t in variants.items():
                rows.append(
                    f"| {workload} | {engine} | {name} | {secs(t['best_s'])} | {secs(t['median_s'])} "
                    f"| {secs(t['open_s'])} | {mb(t['query_rss_mb'])} | {mb(t['process_maxrss_mb'])} | {others(t)} |"
                )
    return "\n".join(rows)


def load_table(result):
    rows = ["| step | seconds | events/s | bytes on disk | peak RSS | CPU used by others |", "|---|---|---|---|---|---|"]
    gen = result["data"]
    if not gen.get("reused"):
        rows.append(
            f"| tropa-bench gen (Parquet) | {gen['seconds']:.1f} | {rate(gen['rows'] / gen['seconds'])} "
            f"| {size(gen['bytes'])} | {mb(gen.get('peak_rss_mb'))} | — |"
        )
    for name, r in result["load"].items():
        rows.append(
            f"| {name} | {r['seconds']:.1f} | {rate(r['events_per_s'])} | {size(r['bytes'])} | {mb(r['peak_rss_mb'])} | {others(r)} |"
        )
    return "\n".join(rows)


def heading(result):
    m = result["machine"]
    d = result["data"]
    return (
        f"{result['customers']:,} customers, {d['rows']:,} events ({result['date'][:10]}, tropa {m['tropa_commit']}; "
        f"{m['cpus']} CPUs {m['cpu']}, {m['mem_gib']} GiB; DuckDB {m['duckdb']}, ClickHouse {m['clickhouse']} "
        f"via chdb {m['chdb']}; {result['threads']} threads; best of {result['runs']} runs after a warm-up, "
        f"fresh process each)"
    )


def render(result):
    return "\n\n".join(
        [
            heading(result),
            query_table(result),
            "Load",
            load_table(result),
            "Every variant",
            variant_table(result),
        ]
    )


def update_readme(readme, results_dir):
    """Rewrites the section between the markers with the latest result for each data size."""
    latest = {}
    for path in sorted(Path(results_dir).glob("*.json")):
        r = json.loads(path.read_text())
        if "queries" in r:
            latest[r["customers"]] = (path, r)
    parts = []
    for customers in sorted(latest):
        path, r = latest[customers]
        parts.append(
            f"### {customers:,} customers\n\n{heading(r)} — `bench/results/{path.name}`\n\n{query_table(r)}\n\n"
            f"Load:\n\n{load_table(r)}\n\n<details><summary>every variant</summary>\n\n{variant_table(r)}\n\n</details>"
        )
    section = f"{START}\n" + "\n\n".join(parts) + f"\n{END}"
    text = Path(readme).read_text()
    if START in text and END in text:
        text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: section, text, flags=re.S)
    else:
        text += "\n" + section + "\n"
    Path(readme).write_text(text)


if __name__ == "__main__":
    # `python bench/report.py [RESULT.json]`: print a result's tables (the latest by default), refresh the README
    import sys

    bench = Path(__file__).resolve().parent
    files = sys.argv[1:] or sorted((bench / "results").glob("*.json"), key=lambda p: p.stat().st_mtime)[-1:]
    for f in files:
        print(render(json.loads(Path(f).read_text())))
    update_readme(bench / "README.md", bench / "results")
