#!/usr/bin/env python3
"""Writes waves/<wave>.ndjson: one small labelled stream per documented spam wave, mixed with ordinary traffic.

Each stream is a corpus of `Fixtures/corpus/make_corpus.py` with that wave alone: 100 spam items (slices
`<wave>/tune` and `<wave>/test`) among 80 legitimate ones of every hard slice (`ham/...`), two weeks of traffic
in time order. Replayed with `herdwatch eval` by Tests/HerdwatchCLITests/WaveStreamTests.swift. Deterministic (a
seed per wave); run it again after changing the generator and commit the streams with it.
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "corpus"))
from make_corpus import WAVES, Corpus  # noqa: E402

os.makedirs(os.path.join(HERE, "waves"), exist_ok=True)
for index, wave in enumerate(WAVES):
    items = Corpus(seed=7000 + index, count=350, days=14).build([wave], per_wave_part=50)
    # Every spam item and 80 legitimate ones (each hard slice kept in proportion), to keep the files small.
    ham = [i for i, e in enumerate(items) if e["label"] == "ham"]
    keep = set(random.Random(index).sample(ham, min(80, len(ham))))
    items = [e for i, e in enumerate(items) if e["label"] == "spam" or i in keep]
    with open(os.path.join(HERE, "waves", f"{wave}.ndjson"), "w", encoding="utf-8") as out:
        for envelope in items:
            out.write(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")) + "\n")
