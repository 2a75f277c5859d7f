#!/usr/bin/env python3
"""Checks the crate graph of STYLE.md: which tropa crates each crate may depend on (normal dependencies)."""
import json
import subprocess
import sys

ALLOWED = {
    "tropa-core": set(),
    "tropa-engine": {"tropa-core"},
    "tropa-store": {"tropa-core", "tropa-engine"},
    "tropa-io": {"tropa-core"},
    "tropa-synth": {"tropa-core"},
    "tropa-testkit": {"tropa-core", "tropa-engine"},
    "tropa-meta": set(),
    "tropa-render": set(),
    "tropa-server": {"tropa-core", "tropa-engine", "tropa-meta", "tropa-render"},
    "tropa": {"tropa-core", "tropa-engine", "tropa-store", "tropa-io", "tropa-synth", "tropa-meta", "tropa-server"},
    "tropa-bench": {"tropa-core", "tropa-engine", "tropa-store", "tropa-synth", "tropa-io"},
}

meta = json.loads(subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"]))
bad = []
for pkg in meta["packages"]:
    name = pkg["name"]
    if name not in ALLOWED:
        bad.append(f"{name}: not in the crate graph of STYLE.md (add it to scripts/check-crate-graph.py)")
        continue
    for dep in pkg["dependencies"]:
        if dep["name"].startswith("tropa") and dep["kind"] is None and dep["name"] not in ALLOWED[name]:
            bad.append(f"{name} must not depend on {dep['name']}")
if bad:
    print("crate graph violations:\n  " + "\n  ".join(bad))
    sys.exit(1)
print("crate graph ok")
