"""Experiments — one experiment evaluated over a store: tropa's whole `tropa experiment results KEY` process.

The demo's `checkout_v2` (exposure on `begin_checkout`, primary `conversion:purchase:7d`, guardrails revenue,
events, retention at day 7 and time to convert: 5 metrics, plus the journey per variant and a 3-step funnel) on a
store made by `tropa demo generate --customers N` (the demo defines the experiment). Each run is a fresh process
under `/usr/bin/time`: wall seconds, CPU seconds (user + system) and peak RSS. With `--baseline OTHER_TROPA` the
other binary's answer must be byte-identical first (and its runs are timed alike, interleaved).

    python3 bench/experiment.py --tropa target/release/tropa --data /tmp/ex-data [--baseline OLD] [--runs 5]

Prints best and median wall and CPU and the peak RSS; writes bench/results/experiment-<events>.json.
"""
import argparse
import json
import os
import statistics
import subprocess
from pathlib import Path

NOW = "2026-09-14"  # a fixed "now" so that runs (and binaries) compare byte for byte


def run(tropa, data, key, threads):
    args = [tropa, "--data", str(data), "experiment", "results", key, "--now", NOW]
    env = {**os.environ, "RAYON_NUM_THREADS": str(threads), "TROPA_LANG": "en"}
    p = subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", *args], capture_output=True, text=True, env=env)
    assert p.returncode == 0, p.stderr
    wall, user, system, kb = p.stderr.strip().splitlines()[-1].split()
    return float(wall), float(user) + float(system), int(kb), p.stdout


def summary(xs):
    return {"best": min(xs), "median": statistics.median(xs)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tropa", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--key", default="checkout_v2")
    ap.add_argument("--baseline", help="another tropa binary: same answer required, timed alike")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    stats = subprocess.run([a.tropa, "--data", a.data, "stats", "--format", "json"], capture_output=True, text=True,
                           check=True).stdout
    events = json.loads(stats)["events"]
    bins = {"tropa": a.tropa}
    if a.baseline:
        bins["baseline"] = a.baseline
    answers = {k: run(b, a.data, a.key, a.threads)[3] for k, b in bins.items()}
    if a.baseline:
        assert answers["tropa"] == answers["baseline"], "the two binaries answer differently"
    report = json.loads(answers["tropa"])["report"]
    times = {k: {"wall": [], "cpu": [], "rss": 0} for k in bins}
    for _ in range(a.runs):
        for k, b in bins.items():
            wall, cpu, kb, _ = run(b, a.data, a.key, a.threads)
            times[k]["wall"].append(wall)
            times[k]["cpu"].append(cpu)
            times[k]["rss"] = max(times[k]["rss"], kb)
    res = {"events": events, "key": a.key, "threads": a.threads, "identical_answers": bool(a.baseline),
           "exposed": sum(v.get("customers", 0) for v in report.get("variants", [])) or None}
    for k, t in times.items():
        res[k] = {"wall_s": summary(t["wall"]), "cpu_s": summary(t["cpu"]), "peak_rss_mb": t["rss"] / 1024}
    print(json.dumps(res, indent=2))
    out = Path(__file__).parent / "results" / f"experiment-{events}.json"
    out.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
