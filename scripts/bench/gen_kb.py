#!/usr/bin/env python3
"""gen_kb.py N OUT.jsonl [SEED]: a knowledge base of N published articles for the load
benchmark: the demo articles (data/kb_demo.jsonl) and synthetic ones built from their
vocabulary (a third of the words replaced, as api/benches/matching.rs does)."""
import json
import os
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 11)
root = os.path.join(os.path.dirname(__file__), "..", "..")
demo = [json.loads(l) for l in open(os.path.join(root, "data", "kb_demo.jsonl"), encoding="utf-8") if l.strip()]
pool = []
for d in demo:
    for t in [d["title"], d["question"], d["answer"], *d.get("variants", [])]:
        pool.extend(t.split())


def mutate(text):
    words = []
    for w in text.split():
        words.append(rng.choice(pool) if rng.random() < 0.33 else w)
        if rng.random() < 0.05:
            words.append(rng.choice(pool))
    return " ".join(words)


with open(out, "w", encoding="utf-8") as f:
    for d in demo[:n]:
        f.write(json.dumps(d, ensure_ascii=False) + "\n")
    for i in range(max(0, n - len(demo))):
        base = demo[i % len(demo)]
        rec = {
            "id": f"syn-{i:06d}",
            "title": mutate(base["title"]),
            "question": mutate(base["question"]),
            "variants": [mutate(v) for v in base.get("variants", [])],
            "answer": mutate(base["answer"]),
            "legal_refs": base.get("legal_refs", []),
            "tags": base.get("tags", []),
        }
        f.write(json.dumps(rec, ensure_ascii=False) + "\n")
