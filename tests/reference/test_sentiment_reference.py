"""Sentiment, themes and distinctive phrases of tropa-text (`tropa text ...`) against independent references.

- English: accuracy and macro-F1 on the UCI "Sentiment Labelled Sentences" (Kotzias et al. 2015, CC BY 4.0;
  3,000 review sentences, human-labelled negative/positive), which the model never saw (it is trained on VADER's
  human-rated snippets), at least as good as VADER itself (PyPI vaderSentiment, compound ±0.05) on the same
  sentences.
- Russian: accuracy and macro-F1 on CEDR's test split (Sboev et al. 2021, Apache-2.0; human-annotated emotions of
  Russian sentences mapped to sentiment as in the trainer), the model trained on CEDR's training split only;
  beats a bag-of-words baseline (scikit-learn logistic regression and naive Bayes on word counts) trained on the
  same separate training split.
- Log-odds with an informative Dirichlet prior (Monroe et al. 2008) recomputed with numpy on texts whose words
  are their own stems.
Texts that also occur in the training data are left out of the evaluation sets.
"""
import ast
import csv
import json
import math
import subprocess
from pathlib import Path

import numpy as np
import pytest
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.naive_bayes import MultinomialNB
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from conftest import TROPA

DATA = Path(__file__).resolve().parents[1] / "data" / "sentiment"
LABELS = ["negative", "neutral", "positive"]


def run_tropa(tmp_path, *args, stdin=None):
    out = subprocess.run([TROPA, "--data", str(tmp_path / "data"), "text", *map(str, args)], capture_output=True,
                         text=True, input=stdin)
    assert out.returncode == 0, out.stderr
    return out.stdout


def tropa_sentiment(tmp_path, texts):
    """tropa's label and score per text, through `tropa text sentiment FILE`."""
    assert all("\n" not in t and "\r" not in t for t in texts)
    path = tmp_path / "texts.txt"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    rows = [json.loads(line) for line in run_tropa(tmp_path, "sentiment", path).splitlines()]
    assert len(rows) == len(texts)
    return rows


def cedr(name):
    """CEDR's emotions mapped to sentiment exactly as examples/train_sentiment.rs does."""
    out = []
    with open(DATA / name, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            labels = set(ast.literal_eval(row["labels"].replace(" ", ","))) if row["labels"] != "[]" else set()
            joy, negative = 0 in labels, bool(labels & {1, 3, 4})
            if not labels:
                out.append((row["text"], "neutral"))
            elif joy and not negative:
                out.append((row["text"], "positive"))
            elif negative and not joy:
                out.append((row["text"], "negative"))
    return out


def uci():
    out = []
    for site in ["amazon_cells", "yelp", "imdb"]:
        for line in (DATA / f"uci_{site}_labelled.txt").read_text(encoding="utf-8").splitlines():
            text, label = line.rsplit("\t", 1)
            out.append((text.strip(), "positive" if label.strip() == "1" else "negative"))
    return out


def vader_training_texts():
    texts = set()
    for f in ["tweets", "amazonReviewSnippets", "movieReviewSnippets"]:
        for line in (DATA / f"vader_{f}_GroundTruth.txt").read_text(encoding="utf-8", errors="replace").splitlines():
            parts = line.split("\t", 2)
            if len(parts) == 3:
                texts.add(parts[2].strip().lower())
    return texts


def scores(truth, predicted):
    present = sorted(set(truth))
    return accuracy_score(truth, predicted), f1_score(truth, predicted, labels=present, average="macro")


def test_english_is_at_least_as_good_as_vader_on_sentences_it_never_saw(tmp_path):
    seen = vader_training_texts()
    data = [(t, y) for t, y in uci() if t.lower() not in seen]
    assert len(data) > 2900
    texts, truth = [t for t, _ in data], [y for _, y in data]
    ours = tropa_sentiment(tmp_path, texts)
    analyzer = SentimentIntensityAnalyzer()
    compound = [analyzer.polarity_scores(t)["compound"] for t in texts]
    vader = ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compound]
    acc, f1 = scores(truth, [r["label"] for r in ours])
    vacc, vf1 = scores(truth, vader)
    # polarity alone: the sign of the score (0 counts as wrong for both)
    pol = np.mean([(r["score"] > 0) == (y == "positive") and r["score"] != 0 for r, y in zip(ours, truth)])
    vpol = np.mean([(c > 0) == (y == "positive") and c != 0 for c, y in zip(compound, truth)])
    print(f"\nEN (UCI sentences, n={len(texts)}): tropa accuracy {acc:.3f} macro-F1 {f1:.3f} polarity {pol:.3f}; "
          f"VADER accuracy {vacc:.3f} macro-F1 {vf1:.3f} polarity {vpol:.3f}")
    assert acc >= vacc and f1 >= vf1 and pol >= vpol
    assert all(r["lang"] == "en" and -1 <= r["score"] <= 1 for r in ours)


def test_russian_beats_a_bag_of_words_baseline_on_human_labelled_texts_it_never_saw(tmp_path):
    train = cedr("cedr_main_train.csv")
    seen = {t for t, _ in train}
    test = [(t, y) for t, y in cedr("cedr_main_test.csv") if t not in seen and "\n" not in t and "\r" not in t]
    assert len(test) > 1600
    texts, truth = [t for t, _ in test], [y for _, y in test]
    ours = tropa_sentiment(tmp_path, texts)
    acc, f1 = scores(truth, [r["label"] for r in ours])
    vec = CountVectorizer()
    x_train = vec.fit_transform([t for t, _ in train])
    x_test = vec.transform(texts)
    y_train = [y for _, y in train]
    baselines = {}
    for name, model in [("logistic regression", LogisticRegression(max_iter=2000)), ("naive Bayes", MultinomialNB())]:
        model.fit(x_train, y_train)
        baselines[name] = scores(truth, list(model.predict(x_test)))
    print(f"\nRU (CEDR test, n={len(texts)}): tropa accuracy {acc:.3f} macro-F1 {f1:.3f}; " + "; ".join(
        f"{n} accuracy {a:.3f} macro-F1 {m:.3f}" for n, (a, m) in baselines.items()))
    for name, (bacc, bf1) in baselines.items():
        assert acc > bacc and f1 > bf1, name
    assert sum(r["lang"] == "ru" for r in ours) > 0.95 * len(ours)


def test_negation_and_emoji_by_hand(tmp_path):
    cases = [
        ("Очень понравилось, спасибо!", "positive"),
        ("Не понравилось совсем", "negative"),
        ("Никогда не закажу здесь снова 😡", "negative"),
        ("Товар хороший, но доставка ужасная", "negative"),
        ("Всё пришло вовремя 👍", "positive"),
        ("I loved it!", "positive"),
        ("Not good, not worth the money", "negative"),
        ("Great price but the courier was rude and late", "negative"),
    ]
    rows = tropa_sentiment(tmp_path, [t for t, _ in cases])
    assert [r["label"] for r in rows] == [y for _, y in cases]


# words that are their own Snowball stems and no stop words: tropa's terms are then the words themselves
VOCAB = ["cat", "dog", "fish", "bird", "tree", "rock", "blue", "green", "red", "fast", "slow", "box", "car",
         "sun", "moon", "star", "hat", "pen", "cup", "map"]


def numpy_log_odds(group, rest, k):
    """Monroe et al. (2008) eq. 22 with the pooled counts as the prior, unigrams and bigrams in one vocabulary."""
    def count(texts):
        c = {}
        for t in texts:
            w = t.split()
            for term in w + [f"{a} {b}" for a, b in zip(w, w[1:])]:
                c[term] = c.get(term, 0) + 1
        return c
    ci, cj = count(group), count(rest)
    terms = sorted(set(ci) | set(cj))
    yi = np.array([ci.get(t, 0) for t in terms], dtype=float)
    yj = np.array([cj.get(t, 0) for t in terms], dtype=float)
    ni, nj = yi.sum(), yj.sum()
    a = yi + yj
    a0 = ni + nj
    delta = np.log((yi + a) / (ni + a0 - yi - a)) - np.log((yj + a) / (nj + a0 - yj - a))
    z = delta / np.sqrt(1 / (yi + a) + 1 / (yj + a))
    keep = [(t, z[i], delta[i], int(yi[i]), int(yj[i])) for i, t in enumerate(terms) if yi[i] >= 2 and z[i] > 0]
    keep.sort(key=lambda r: (-r[1], r[0]))
    return keep[:k]


def test_log_odds_phrases_match_numpy(tmp_path):
    rng = np.random.default_rng(14)
    skew = np.ones(len(VOCAB))
    skew[:4] = 4.0  # the group prefers cat, dog, fish, bird
    group = [" ".join(rng.choice(VOCAB, size=rng.integers(3, 9), p=skew / skew.sum())) for _ in range(120)]
    rest = [" ".join(rng.choice(VOCAB, size=rng.integers(3, 9))) for _ in range(300)]
    (tmp_path / "g.txt").write_text("\n".join(group) + "\n")
    (tmp_path / "r.txt").write_text("\n".join(rest) + "\n")
    got = json.loads(run_tropa(tmp_path, "phrases", "--group", tmp_path / "g.txt", "--rest", tmp_path / "r.txt",
                               "--k", 25, "--quotes", 3))
    expect = numpy_log_odds(group, rest, 25)
    assert [p["term"] for p in got["phrases"]] == [t for t, *_ in expect]
    for p, (term, z, delta, yi, yj) in zip(got["phrases"], expect):
        assert math.isclose(p["z"], z, rel_tol=1e-9, abs_tol=1e-9), term
        assert math.isclose(p["delta"], delta, rel_tol=1e-9, abs_tol=1e-12), term
        assert (p["group_count"], p["rest_count"]) == (yi, yj)
        assert p["surface"] == term
    unigrams = [p["term"] for p in got["phrases"] if " " not in p["term"]]
    assert set(unigrams[:4]) == {"cat", "dog", "fish", "bird"}
    assert len(got["quotes"]) == 3 and all(q["phrases"] for q in got["quotes"])


def test_bad_theme_lists_are_refused_with_the_field(tmp_path):
    bad = tmp_path / "themes.toml"
    bad.write_text('[[theme]]\nkey = "Bad Key"\nname_en = "X"\nname_ru = "Икс"\nen = ["ok"]\n', encoding="utf-8")
    (tmp_path / "t.txt").write_text("hello\n")
    out = subprocess.run([TROPA, "--data", str(tmp_path / "data"), "text", "sentiment", str(tmp_path / "t.txt"),
                          "--themes", str(bad)], capture_output=True, text=True)
    assert out.returncode == 1
    assert "theme[0].key" in out.stderr
