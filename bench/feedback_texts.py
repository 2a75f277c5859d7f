"""Voice of the customer at scale: scores and sentiment over N feedback texts (default 1,000,000).

Builds N `survey_response` events (NPS 0–10 with a "why?" text, Russian and English half each, from fragments with
a fixed seed) for N / 5 customers who each view an item first, imports them into a fresh store, then times two
processes of the release binary with /usr/bin/time -v:

- `tropa feedback scores` — NPS/CSAT/CES by the stage at the time of the answer, channel, period, survey;
- `tropa text sentiment FILE` — sentiment and themes of every text (one per line).

For each it prints the wall time, CPU time (user + system), texts per second per core (N / CPU seconds) and the
peak resident memory. Writes bench/results/feedback-texts-<N>.json.

    python3 bench/feedback_texts.py --tropa target/release/tropa --work /tmp/fb-bench [--n 1000000]
"""
import argparse
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

RU = ["Доставка опоздала на три дня", "курьер был вежлив", "очень понравилось качество",
      "не понравилась упаковка, коробка мятая", "цена высокая, но товар хороший", "размер маломерит, оформила возврат",
      "поддержка не отвечает уже неделю 😡", "всё супер, спасибо!", "оплата картой не прошла",
      "сайт зависает при оформлении заказа", "никогда больше не закажу", "пришло быстро 👍"]
EN = ["Delivery was late again", "the courier was friendly", "I really love the quality",
      "not happy with the packaging, the box was crushed", "price is high but the product is good",
      "size runs small so I returned it", "support never answered 😡", "great service, thank you!",
      "payment failed twice at checkout", "the app keeps crashing", "will never order here again", "arrived fast 👍"]


def text(rng, i):
    parts = RU if i % 2 == 0 else EN
    return ", ".join(rng.choice(parts) for _ in range(rng.randint(1, 3)))


def timed(cmd, out=subprocess.DEVNULL):
    """Runs `cmd` under /usr/bin/time -v: (wall s, cpu s, peak RSS MiB)."""
    r = subprocess.run(["/usr/bin/time", "-v", *map(str, cmd)], stdout=out, stderr=subprocess.PIPE, text=True, check=True)
    field = lambda name: re.search(rf"{name}: (.+)", r.stderr).group(1).strip()
    wall = field(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\)")
    secs = sum(float(x) * 60 ** i for i, x in enumerate(reversed(wall.split(":"))))
    cpu = float(field("User time \\(seconds\\)")) + float(field("System time \\(seconds\\)"))
    return secs, cpu, int(field("Maximum resident set size \\(kbytes\\)")) / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tropa", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--n", type=int, default=1_000_000)
    a = ap.parse_args()
    work = Path(a.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    rng = random.Random(14)
    events, texts = work / "events.ndjson", work / "texts.txt"
    customers = max(1, a.n // 5)
    with events.open("w", encoding="utf-8") as ev, texts.open("w", encoding="utf-8") as tx:
        for c in range(customers):
            ev.write(json.dumps({"type": "track", "event": "view_item", "userId": f"c{c}", "messageId": f"v{c}",
                                 "timestamp": f"2026-0{1 + c % 6}-01T09:00:00Z"}) + "\n")
        for i in range(a.n):
            t = text(rng, i)
            c = i % customers
            day = 1 + (i // customers) % 28
            ev.write(json.dumps({"type": "track", "event": "survey_response", "userId": f"c{c}", "messageId": f"s{i}",
                                 "timestamp": f"2026-0{1 + c % 6}-{day:02d}T10:00:00Z",
                                 "properties": {"survey": "nps", "question": "nps", "kind": "nps", "score": rng.randint(0, 10),
                                                "text": t}}, ensure_ascii=False) + "\n")
            tx.write(t + "\n")
    data = work / "data"
    subprocess.run([a.tropa, "--data", data, "import", events], check=True, stdout=subprocess.DEVNULL)
    results = {"texts": a.n, "customers": customers}
    for name, cmd in [("scores", [a.tropa, "--data", data, "feedback", "scores", "--format", "json"]),
                      ("sentiment", [a.tropa, "text", "sentiment", texts])]:
        wall, cpu, rss = timed(cmd)
        results[name] = {"wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "texts_per_s_per_core": round(a.n / cpu),
                         "peak_rss_mib": round(rss, 1)}
        print(f"{name}: {a.n:,} texts, {wall:.2f} s wall, {cpu:.2f} s CPU, {a.n / cpu:,.0f} texts/s per core, "
              f"peak RSS {rss:.0f} MiB")
    out = Path(__file__).resolve().parent / "results" / f"feedback-texts-{a.n}.json"
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(out)


if __name__ == "__main__":
    main()
