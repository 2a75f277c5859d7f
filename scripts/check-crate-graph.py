#!/usr/bin/env python3
"""Checks the crate graph of STYLE.md and ARCHITECTURE.md:
- which tropa crates each crate may depend on (normal dependencies), and which as dev-dependencies;
- which external crates a crate must not use (no async runtime, HTTP or SQL in the pure crates);
- the testkit never reaches the binary, even through another crate;
- the CLI starts the HTTP server in one module only (cmd/serve.rs); every other command goes through tropa-app.
"""
import json
import pathlib
import re
import subprocess
import sys

# floors: core -> engine/store/io/meta/render -> app -> server | web -> cli (the binary composes them)
ALLOWED = {
    "tropa-core": set(),
    "tropa-engine": {"tropa-core"},
    "tropa-store": {"tropa-core", "tropa-engine"},
    # the Engine on ClickHouse: beside the store, never on it
    "tropa-clickhouse": {"tropa-core", "tropa-engine"},
    "tropa-io": {"tropa-core"},
    "tropa-synth": {"tropa-core"},
    "tropa-testkit": {"tropa-core", "tropa-engine"},
    "tropa-meta": set(),
    "tropa-render": set(),
    # text analytics (sentiment, themes, phrases): pure, at the core floor
    "tropa-text": set(),
    "tropa-app": {"tropa-core", "tropa-engine", "tropa-store", "tropa-meta", "tropa-render", "tropa-text"},
    "tropa-server": {"tropa-core", "tropa-engine", "tropa-meta", "tropa-render", "tropa-app", "tropa-text"},
    "tropa-web": {"tropa-core", "tropa-engine", "tropa-meta", "tropa-render", "tropa-app", "tropa-text"},
    "tropa": {"tropa-core", "tropa-engine", "tropa-store", "tropa-io", "tropa-synth", "tropa-meta", "tropa-app",
              "tropa-server", "tropa-web", "tropa-text"},
    "tropa-bench": {"tropa-core", "tropa-engine", "tropa-store", "tropa-synth", "tropa-io"},
}
# what tests may add on top of a crate's own dependencies
DEV_EXTRA = {"tropa-testkit", "tropa-synth"}
# the web app's HTTP tests compose it with the server, as the binary does
DEV_EXTRA_OF = {"tropa-web": {"tropa-server"}}

RUNTIME = {"tokio", "async-std", "smol", "futures", "mio"}
HTTP = {"axum", "hyper", "tower", "tower-http", "reqwest", "ureq", "http"}
SQL = {"rusqlite", "sqlx", "postgres", "tokio-postgres", "clickhouse"}
IO = {"memmap2", "tempfile", "notify", "walkdir"}
THREADS = {"rayon", "crossbeam", "crossbeam-channel"}
FORBIDDEN = {
    # pure domain: no I/O, no threads, no clock
    "tropa-core": RUNTIME | HTTP | SQL | IO | THREADS | {"getrandom", "rand", "tracing"},
    "tropa-engine": RUNTIME | HTTP | SQL | IO,
    "tropa-render": RUNTIME | HTTP | SQL | IO | THREADS | {"tracing"},
    "tropa-text": RUNTIME | HTTP | SQL | IO | THREADS | {"tracing"},
    "tropa-synth": RUNTIME | HTTP | SQL | IO,
    "tropa-meta": RUNTIME | HTTP,
    "tropa-store": RUNTIME | HTTP | SQL,
    # its own small tokio runtime runs the official client; no HTTP stack of its own, no other database
    "tropa-clickhouse": HTTP | IO | {"rusqlite", "sqlx", "postgres", "tokio-postgres"},
    "tropa-io": RUNTIME | HTTP | SQL,
    "tropa-app": RUNTIME | HTTP,
    # pages read metadata and data through tropa-app and tropa-meta only
    "tropa-web": SQL | IO,
}

meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"]))
bad = []
normal = {}
for pkg in meta["packages"]:
    name = pkg["name"]
    if name not in ALLOWED:
        bad.append(f"{name}: not in the crate graph of STYLE.md (add it to scripts/check-crate-graph.py)")
        continue
    normal[name] = set()
    for dep in pkg["dependencies"]:
        d, kind = dep["name"], dep["kind"]
        if d.startswith("tropa"):
            if kind is None:
                normal[name].add(d)
                if d not in ALLOWED[name]:
                    bad.append(f"{name} must not depend on {d}")
            elif kind == "dev" and d != name and d not in ALLOWED[name] | DEV_EXTRA | DEV_EXTRA_OF.get(name, set()):
                bad.append(f"{name}'s tests must not depend on {d}")
        elif kind is None and d in FORBIDDEN.get(name, set()):
            bad.append(f"{name} must not use the external crate {d}")


def reaches(start, target, seen=None):
    seen = seen or set()
    for d in normal.get(start, ()):
        if d == target or (d not in seen and (seen.add(d) or reaches(d, target, seen))):
            return True
    return False


for binary in ("tropa",):
    if reaches(binary, "tropa-testkit"):
        bad.append(f"{binary} reaches tropa-testkit: the oracle must never ship")

root = pathlib.Path(__file__).resolve().parent.parent
for path in sorted((root / "crates/cli/src").rglob("*.rs")):
    rel = path.relative_to(root).as_posix()
    if rel != "crates/cli/src/cmd/serve.rs" and re.search(r"\btropa_server\b", path.read_text()):
        bad.append(f"{rel} names tropa_server: only cmd/serve.rs starts the server; use tropa_app")
for crate in ("server", "web"):
    for path in sorted((root / f"crates/{crate}/src").rglob("*.rs")):
        if re.search(r"\btropa_store\b", path.read_text()):
            bad.append(f"{path.relative_to(root).as_posix()} names tropa_store: the {crate} sees engines only")

# the web app: components never import pages, and pages import each other without circles
web = root / "crates/web/src"
pages = {}
for path in sorted(web.rglob("*.rs")):
    rel = path.relative_to(web).as_posix()
    text = path.read_text()
    if not rel.startswith("pages/") and rel != "lib.rs" and re.search(r"\bpages::", text):
        bad.append(f"crates/web/src/{rel} imports a page: components (ui/, session, access, error) never do")
    if rel.startswith("pages/"):
        name = rel[len("pages/"):-3].split("/")[0]
        if name == "mod":
            continue
        used = set(re.findall(r"crate::pages::(\w+)", text))
        if "/" not in rel[len("pages/"):]:
            used |= set(re.findall(r"\bsuper::(\w+)::", text))
        pages.setdefault(name, set()).update(u for u in used if u != name)


def cycle(node, stack, done):
    if node in stack:
        return stack[stack.index(node):] + [node]
    if node in done:
        return None
    done.add(node)
    for d in sorted(pages.get(node, ())):
        found = cycle(d, stack + [node], done)
        if found:
            return found
    return None


seen = set()
for p in sorted(pages):
    c = cycle(p, [], seen)
    if c:
        bad.append("web pages import each other in a circle: " + " -> ".join(c))
        break

if bad:
    print("crate graph violations:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("crate graph ok")
