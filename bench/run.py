"""The macro benchmark of tropa against DuckDB and ClickHouse (chdb): `bash bench/run.sh --customers 1000000`.

Steps (BENCH.md): generate the data set once (Parquet), load it into each engine's own storage, check that the
answers agree, then time each query in fresh processes (one warm-up, `--runs` timed runs), and write
bench/results/<date>-<N>.json, a table on stdout and the results section of bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import queries as Q
import report

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
TROPA = REPO / "target" / "release" / "tropa"
TROPA_BENCH = REPO / "target" / "release" / "tropa-bench"
PY = sys.executable

IMPORT_MAPPING = [
    "--column", "user_id=customer_id",
    "--column", "timestamp=ts",
    "--column", "event=event_name",
    "--column", "source=channel",
    "--column", "properties=properties",
]  # fmt: skip


class Failed(Exception):
    pass


def log(msg):
    print(f"[{datetime.datetime.now():%H:%M:%S}] {msg}", file=sys.stderr, flush=True)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def busy_cpu_s():
    """CPU seconds the whole machine has been busy since boot (/proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    # user nice system idle iowait irq softirq steal
    return (sum(fields[:8]) - fields[3] - fields[4]) / CLK_TCK


def wait_for_quiet(max_wait_s, threshold=0.25):
    """Waits (at most `max_wait_s`) until other processes use less than `threshold` of a core; returns their share."""
    deadline = time.monotonic() + max_wait_s
    while True:
        b, t = busy_cpu_s(), time.monotonic()
        time.sleep(0.5)
        share = (busy_cpu_s() - b) / (time.monotonic() - t)
        if share < threshold or time.monotonic() > deadline:
            return share


LAST = {}


def noise():
    """Share of the last measured command's wall time that other processes kept a CPU busy."""
    return LAST["other_cpu_s"] / max(LAST["wall_s"], 1e-9)


def measured(cmd, env=None):
    """Runs `cmd`; returns (stdout, wall seconds, peak RSS MiB of the child) or raises Failed with its stderr.
    LAST["other_cpu_s"] is the CPU time the rest of the machine used meanwhile (a noise indicator)."""
    with tempfile.TemporaryFile() as err:
        busy0 = busy_cpu_s()
        t = time.perf_counter()
        p = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=err, env=env)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        LAST["other_cpu_s"] = max(0.0, busy_cpu_s() - busy0 - usage.ru_utime - usage.ru_stime)
        LAST["wall_s"] = wall
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise Failed(f"{' '.join(str(c) for c in cmd)} exited with {p.returncode}:\n{tail}")
    return out.decode(), wall, usage.ru_maxrss / 1024


def last_json(out):
    """The last JSON line of `out`, or `out` itself when it is one (pretty-printed) JSON document."""
    try:
        return json.loads(out)
    except json.JSONDecodeError:
        pass
    lines = [line for line in out.splitlines() if line.strip().startswith("{")]
    if not lines:
        raise Failed(f"no JSON in the output:\n{out[-2000:]}")
    return json.loads(lines[-1])


def disk_bytes(path):
    """Bytes allocated on disk under `path` (like du)."""
    path = Path(path)
    if path.is_file():
        return path.stat().st_blocks * 512
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def fresh(path):
    path = Path(path)
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    for suffix in (".wal", ".tmp"):
        extra = Path(str(path) + suffix)
        if extra.exists():
            extra.unlink()
    return path


# ---------------------------------------------------------------------------------------------------- runs

class Runner:
    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads), NO_COLOR="1")
        self.targets = {"tropa": work / "tropa", Q.DUCK: work / "duckdb.db", Q.CH: work / "chdb"}

    def once(self, engine, how):
        """One fresh process, one run: returns its JSON (times, memory, answer)."""
        if engine == "tropa":
            cmd = [TROPA_BENCH, *how, "--data", self.targets["tropa"], "--runs", "1", "--threads", self.args.threads]
        else:
            cmd = [PY, BENCH / "probe.py", engine, self.targets[engine], how, 1, self.args.threads]
        out, wall, maxrss = measured(cmd, self.env)
        r = last_json(out)
        r["process_wall_s"] = wall
        r["process_maxrss_mb"] = maxrss
        r["other_cpu_share"] = LAST["other_cpu_s"] / wall
        return r

    def timed(self, engine, how):
        self.once(engine, how)  # warm-up
        runs = []
        for _ in range(self.args.runs):
            wait_for_quiet(self.args.quiet_wait)
            runs.append(self.once(engine, how))
        times = sorted(r["best_s"] for r in runs)
        return {
            "best_s": times[0],
            "median_s": statistics.median(times),
            "times_s": [r["best_s"] for r in runs],
            "open_s": statistics.median(r["open_s"] for r in runs),
            "query_rss_mb": max((r["query_rss_mb"] or 0) for r in runs),
            "idle_rss_mb": statistics.median(r["idle_rss_mb"] for r in runs),
            "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
            "process_maxrss_mb": max(r["process_maxrss_mb"] for r in runs),
            "other_cpu_share": max(r["other_cpu_share"] for r in runs),
        }


# ---------------------------------------------------------------------------------------------------- answers


def check_answers(runner, plan, gen):
    """Runs every variant once and compares the answers; raises Failed on any difference.

    Within a workload every variant of every engine must give the first variant's answer; besides, S must match
    the generator's counts, Q0's events per name the generator's, Q1's step-1 customers Q0's view_item customers,
    each breakdown of Q1 must add up to Q1, and Q3's cohorts must hold every customer."""
    answers, checked = {}, {}
    for workload, engines in plan.items():
        for engine, vs in engines.items():
            for name, how in vs:
                got = Q.answer(workload, engine, runner.once(engine, how))
                label = f"{workload} {engine} [{name}]"
                same_as = Q.SAME_ANSWER.get(workload, workload)
                if same_as not in answers:
                    answers[same_as] = got
                    check_first(workload, label, got, gen, answers)
                elif got != answers[same_as]:
                    raise Failed(f"answer mismatch: {label} differs from the first {same_as} answer "
                                 f"(first, this): {Q.diff(answers[same_as], got)}")  # fmt: skip
                checked[label] = "ok"
                log(f"answer ok: {label}")
    return {w: Q.as_json(a) for w, a in answers.items()} | {"checked": checked}


def check_first(workload, label, got, gen, answers):
    """Checks the first answer of a workload against the data and the other workloads."""
    if workload == "S" and got != (gen["rows"], gen["customers"]):
        raise Failed(f"answer mismatch: {label} gives (events, customers) = {got}, the data has "
                     f"{(gen['rows'], gen['customers'])}")  # fmt: skip
    if workload == "Q0":
        by_name = {k: v for k, v in gen["rows_by_name"].items() if v}
        if {k: v[0] for k, v in got.items()} != by_name:
            raise Failed(f"answer mismatch: {label} events per name {got} differ from the data {by_name}")
    if workload == "Q1" and "Q0" in answers and got[0] != answers["Q0"].get(Q.STEPS[0], (0, 0))[1]:
        raise Failed(f"answer mismatch: {label} has {got[0]} customers at step 1, Q0 counts "
                     f"{answers['Q0'].get(Q.STEPS[0])} (events, customers) of {Q.STEPS[0]}")  # fmt: skip
    if workload.startswith("Q1 breakdown") and "Q1" in answers and Q.totals(got) != answers["Q1"]:
        raise Failed(f"answer mismatch: {label} adds up to {Q.totals(got)} customers per step, Q1 has {answers['Q1']}")
    if workload == "Q3" and sum(n for (_, k), n in got.items() if k == 0) != gen["customers"]:
        raise Failed(f"answer mismatch: {label}: the cohorts do not hold the data's {gen['customers']} customers")


# ---------------------------------------------------------------------------------------------------- steps


def generate(args, data):
    parquet = data / f"events-{args.customers}.parquet"
    meta = data / f"events-{args.customers}.json"
    if parquet.exists() and meta.exists():
        gen = json.loads(meta.read_text())
        if gen.get("seed") == args.seed:
            log(f"reusing {parquet}")
            gen["reused"] = True
            return parquet, gen
    log(f"generating {args.customers} customers into {parquet}")
    out, wall, rss = measured(
        [TROPA_BENCH, "gen", "--customers", args.customers, "--seed", args.seed, "--out", parquet,
         "--threads", args.threads]  # fmt: skip
    )
    gen = last_json(out) | {"seed": args.seed, "wall_s": wall, "peak_rss_mb": rss}
    meta.write_text(json.dumps(gen, indent=1))
    return parquet, gen


def tropa_import(runner, loads, rows, name, folder, source, fmt):
    wait_for_quiet(runner.args.quiet_wait)
    log(f"{name}: tropa import {source.name}")
    cmd = [TROPA, "--data", fresh(folder), "import", source, "--format", fmt, "--output", "json"]
    out, wall, rss = measured(cmd + (IMPORT_MAPPING if fmt == "parquet" else []), runner.env)
    summary = last_json(out)
    if summary["accepted"] != rows or summary["rejected"] or summary["duplicates"]:
        raise Failed(f"{name}: tropa import accepted {summary} of {rows} rows")
    loads[name] = {"seconds": wall, "events_per_s": rows / wall, "bytes": disk_bytes(folder),
                   "peak_rss_mb": rss, "other_cpu_share": noise(), "import_summary": summary}  # fmt: skip


def ndjson_round_trip(runner, loads, gen):
    """`tropa export` of the loaded store to NDJSON, `tropa import` of that into a fresh folder, counts checked."""
    rows, env = gen["rows"], runner.env
    ndjson = fresh(runner.work / "events.ndjson")
    wait_for_quiet(runner.args.quiet_wait)
    log("tropa export NDJSON")
    _, wall, rss = measured([TROPA, "--data", runner.targets["tropa"], "export", ndjson], env)
    loads["tropa export NDJSON"] = {"seconds": wall, "events_per_s": rows / wall, "bytes": disk_bytes(ndjson),
                                    "peak_rss_mb": rss, "other_cpu_share": noise()}  # fmt: skip
    store = runner.work / "tropa-ndjson"
    tropa_import(runner, loads, rows, "tropa import NDJSON", store, ndjson, "ndjson")
    ndjson.unlink()
    scan = last_json(measured([TROPA_BENCH, "scan", "--data", store, "--runs", "1"], env)[0])
    if (scan["events"], scan["customers"]) != (gen["rows"], gen["customers"]):
        raise Failed(f"the NDJSON round trip gives {scan['events']} events of {scan['customers']} customers")
    shutil.rmtree(store)


def demo_generate(args, runner, loads):
    """`tropa demo generate` (tropa-synth data, filed straight into parts) of as many customers."""
    demo = fresh(runner.work / "tropa-demo")
    wait_for_quiet(runner.args.quiet_wait)
    log("tropa demo generate")
    out, wall, rss = measured(
        [TROPA, "--data", demo, "demo", "generate", "--customers", args.customers, "--seed", args.seed,
         "--output", "json"], runner.env)  # fmt: skip
    d = last_json(out)
    loads["tropa demo generate (tropa-synth)"] = {"seconds": wall, "events_per_s": d["events"] / wall,
                                                  "events": d["events"], "bytes": disk_bytes(demo),
                                                  "peak_rss_mb": rss, "other_cpu_share": noise()}  # fmt: skip
    shutil.rmtree(demo)


def load_all(args, runner, parquet, gen):
    loads, rows = {}, gen["rows"]
    tropa_import(runner, loads, rows, "tropa import Parquet", runner.targets["tropa"], parquet, "parquet")
    if args.no_ndjson:
        log("skipping the NDJSON round trip (--no-ndjson)")
    else:
        ndjson_round_trip(runner, loads, gen)
    if args.no_demo:
        log("skipping tropa demo generate (--no-demo)")
    else:
        demo_generate(args, runner, loads)
    for engine, name in ((Q.DUCK, "DuckDB CREATE TABLE … ORDER BY"), (Q.CH, "ClickHouse INSERT … SELECT (MergeTree)")):
        wait_for_quiet(runner.args.quiet_wait)
        log(name)
        target = fresh(runner.targets[engine])
        out, wall, rss = measured([PY, BENCH / "load.py", engine, target, parquet, args.threads], runner.env)
        r = last_json(out)
        if r["rows"] != rows:
            raise Failed(f"{name} loaded {r['rows']} rows of {rows}")
        size = r.get("table_bytes") or disk_bytes(target)
        loads[name] = {"seconds": r["seconds"], "events_per_s": rows / r["seconds"], "bytes": size,
                       "folder_bytes": disk_bytes(target), "process_wall_s": wall, "peak_rss_mb": rss, "other_cpu_share": noise()} | r  # fmt: skip
    return loads


def machine():
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
        mem_gib = int(mem.split()[1]) / 1024 / 1024
    except (OSError, StopIteration):
        mem_gib = 0
    # asked in a child: importing chdb here would make this process big, and a child's ru_maxrss starts from the
    # size of the process it was forked from
    probe = "import chdb, duckdb, json; print(json.dumps([duckdb.__version__, chdb.__version__, " \
        "chdb.query('SELECT version()', 'CSV').bytes().decode().strip().strip(chr(34))]))"
    versions = json.loads(subprocess.run([PY, "-c", probe], capture_output=True, text=True, check=True).stdout)
    rev = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain"], capture_output=True, text=True)
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "mem_gib": round(mem_gib, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "duckdb": versions[0],
        "chdb": versions[1],
        "clickhouse": versions[2],
        "loadavg_at_start": Path("/proc/loadavg").read_text().split()[:3],
        "tropa_commit": rev.stdout.strip() + ("+dirty" if dirty.stdout.strip() else ""),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=1_000_000, help="customers (≈10 events each); full size 10000000")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per query (after one warm-up)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--data", type=Path, default=BENCH / "data", help="where the Parquet and the stores go")
    ap.add_argument("--keep", action="store_true", help="keep the loaded stores afterwards")
    ap.add_argument("--only", help="comma-separated workloads to check and time (S, Q0, Q1, Q2 …; default all); "
                    "a name also selects the workloads that start with it, e.g. Q1 its breakdowns")  # fmt: skip
    ap.add_argument("--no-ndjson", action="store_true", help="skip the NDJSON export and import (slow at full size)")
    ap.add_argument("--no-demo", action="store_true", help="skip `tropa demo generate`")
    ap.add_argument("--quiet-wait", type=float, default=10.0,
                    help="before each timed run, wait at most this many seconds for other processes to go quiet")
    args = ap.parse_args()
    for binary in (TROPA, TROPA_BENCH):
        if not binary.exists():
            sys.exit(f"{binary} is missing: run `cargo build --release -p tropa -p tropa-bench` (bench/run.sh does)")
    args.data.mkdir(parents=True, exist_ok=True)
    work = args.data / f"work-{args.customers}"
    work.mkdir(exist_ok=True)
    started = time.time()
    result = {"date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
              "customers": args.customers, "runs": args.runs, "threads": args.threads,
              "machine": machine()}  # fmt: skip
    try:
        parquet, gen = generate(args, args.data)
        result["data"] = gen
        runner = Runner(args, work)
        result["load"] = load_all(args, runner, parquet, gen)
        plan = Q.variants(args.threads)
        if args.only:
            wanted = [w.strip() for w in args.only.split(",")]
            plan = {w: e for w, e in plan.items() if any(w == x or w.startswith(x + " ") for x in wanted)}
        result["answers"] = check_answers(runner, plan, gen)
        queries = {}
        for workload, engines in plan.items():
            for engine, vs in engines.items():
                for name, how in vs:
                    log(f"timing {workload} {engine} [{name}]")
                    queries.setdefault(workload, {}).setdefault(engine, {})[name] = runner.timed(engine, how)
        result["queries"] = queries
    except Failed as e:
        log(f"FAILED: {e}")
        sys.exit(1)
    result["total_s"] = time.time() - started
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    path = results / f"{datetime.date.today().isoformat()}-{args.customers}.json"
    path.write_text(json.dumps(result, indent=1) + "\n")
    print(report.render(result))
    report.update_readme(BENCH / "README.md", results)
    log(f"wrote {path.relative_to(REPO)} and the results section of bench/README.md")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
