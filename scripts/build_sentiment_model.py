#!/usr/bin/env python3
"""Rebuilds tropa-text's embedded sentiment data, reproducibly, from data in this repository and PyPI:
1. crates/text/data/lexicon_en.tsv: the word entries of VADER's lexicon (PyPI vaderSentiment, MIT);
2. crates/text/data/sentiment_{en,ru}.tsv: logistic regressions trained by
   `cargo run --release -p tropa-text --example train_sentiment` on tests/data/sentiment (see SOURCES.md),
   which also prints the accuracy on the held-out sets.
Usage: python3 scripts/build_sentiment_model.py   (needs `pip install vaderSentiment==3.3.2`)
"""
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def lexicon():
    import vaderSentiment

    src = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    out = ["# VADER sentiment lexicon (C.J. Hutto, MIT licence), word forms only: word<TAB>mean valence. "
           "Built by scripts/build_sentiment_model.py from PyPI vaderSentiment 3.3.2."]
    for line in src.read_text(encoding="utf-8").splitlines():
        word, value = line.split("\t")[:2]
        if re.fullmatch(r"[a-z][a-z'\-]*", word):
            out.append(f"{word}\t{value}")
    (ROOT / "crates/text/data/lexicon_en.tsv").write_text("\n".join(out) + "\n", encoding="utf-8")
    print(f"lexicon_en.tsv: {len(out) - 1} words")


def models():
    env = {**os.environ}
    subprocess.run(["cargo", "run", "--release", "-p", "tropa-text", "--example", "train_sentiment"], cwd=ROOT,
                   env=env, check=True)


if __name__ == "__main__":
    lexicon()
    models()
    sys.exit(0)
