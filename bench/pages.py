"""Server time of every web page on the demo data: each page asked 1 + N times by a signed-in client over HTTP,
median and max of the N printed (target: every page < 300 ms on the default `tropa demo` data set).

    .venv/bin/python bench/pages.py http://127.0.0.1:8080 [runs] [email] [password]
"""
import statistics
import sys
import time

import requests

PAGES = [
    ("overview", "/"),
    ("funnels (default)", "/funnels"),
    ("funnels (breakdown, trend)", "/funnels?steps=view_item%0Aadd_to_cart%0Abegin_checkout%0Apurchase&breakdown=first_channel&trend=week"),
    ("paths", "/paths?from=view_item&depth=4"),
    ("stages", "/stages"),
    ("retention", "/retention?start=purchase&return=purchase&period=week&periods=8&breakdown=first_channel"),
    ("customers (search)", "/customers?trait=city+%3D+%D0%9A%D0%B0%D0%B7%D0%B0%D0%BD%D1%8C&did=purchase"),
    ("settings", "/settings"),
    ("settings/keys", "/settings/keys"),
    ("funnel chart as PNG", "/funnels?download=funnel&format=png"),
    ("journey map (data lanes, suggestions)", "/maps/1"),
    ("journey map for a persona", "/maps/1?persona=maria"),
    ("journey map as PDF", "/maps/1/export?format=pdf"),
    ("personas (sizes)", "/personas"),
]


def main():
    base = sys.argv[1].rstrip("/")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    email = sys.argv[3] if len(sys.argv) > 3 else "demo@tropa.local"
    password = sys.argv[4] if len(sys.argv) > 4 else "tropa-demo-password"
    s = requests.Session()
    s.get(base + "/login")
    r = s.post(base + "/login", data={"csrf": s.cookies["tropa_csrf"], "email": email, "password": password}, allow_redirects=False)
    assert r.status_code == 303, r.text
    print(f"{'page':32} {'median ms':>10} {'max ms':>8}")
    worst = 0.0
    for name, path in PAGES:
        times = []
        for i in range(runs + 1):
            t = time.perf_counter()
            r = s.get(base + path)
            ms = (time.perf_counter() - t) * 1000
            assert r.status_code == 200, (path, r.status_code, r.text[:300])
            if i:
                times.append(ms)
        worst = max(worst, statistics.median(times))
        print(f"{name:32} {statistics.median(times):10.1f} {max(times):8.1f}")
    print(f"slowest median: {worst:.1f} ms ({'under' if worst < 300 else 'OVER'} 300 ms)")


if __name__ == "__main__":
    main()
