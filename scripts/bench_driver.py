#!/usr/bin/env python3
"""Load driver of scripts/bench-crash (standard library only).

  bench_driver.py login  URL N TOKENS.json          demo teachers -> access tokens
  bench_driver.py crash  URLS TOKENS.json SECS OUT  concurrent creates with retries
  bench_driver.py verify OUT ROWS.tsv               checks the database against OUT

crash: THREADS workers (env, default 16) each create appeals one after another, every one
with its own Idempotency-Key and a text carrying that key ("… [ck:KEY]"). A request that
fails (connection refused or reset, timeout, 5xx, 409 "still in progress") is retried with
the SAME key and body until it gets a 2xx or the run ends. URLS is a comma-separated list
(several instances: requests go round-robin). OUT gets one JSON line per key: the key, the
appeal id of the 2xx (or null), attempts and failures seen.

verify: ROWS.tsv is `id<TAB>text` of every appeal (from sqlite3 or psql). Every key with a
2xx must be in the database exactly once, under the id the client was given; a key with no
2xx may be there at most once; nothing else.
"""

import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse


def request(url, method, path, body=None, token=None, key=None, timeout=5.0):
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = "Bearer " + token
    if key:
        headers["Idempotency-Key"] = key
    try:
        conn.request(method, path, body=json.dumps(body) if body is not None else None,
                     headers=headers)
        response = conn.getresponse()
        data = response.read()
        return response.status, data
    finally:
        conn.close()


def teacher_regions():
    """Where the demo teachers work: all in Moscow (77) by default — the worst case for the
    per-region statistics row every create updates — or, with TEACHER_REGIONS=spread, round
    robin over the 89 regions of data/regions.csv."""
    import csv
    import os
    if os.environ.get("TEACHER_REGIONS", "77") != "spread":
        return [os.environ.get("TEACHER_REGIONS", "77")]
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "data", "regions.csv"), encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def login(url, n, out):
    tokens = []
    regions = teacher_regions()
    for i in range(n):
        status, data = request(url, "POST", "/api/v1/auth/dev-login", {
            "role": "teacher", "region": regions[i % len(regions)],
            "name": f"Нагрузочный Учитель {i}", "verified": True})
        if status != 200:
            sys.exit(f"dev-login {i}: {status} {data[:200]!r}")
        tokens.append(json.loads(data)["access_token"])
    with open(out, "w") as f:
        json.dump(tokens, f)


def crash(urls, tokens_path, seconds, out):
    urls = urls.split(",")
    tokens = json.load(open(tokens_path))
    threads = int(__import__("os").environ.get("THREADS", "16"))
    deadline = time.time() + seconds
    results = []
    lock = threading.Lock()
    counter = [0]

    def worker(w):
        rnd = random.Random(w)
        seq = 0
        while time.time() < deadline:
            seq += 1
            key = f"w{w}-{seq}-{rnd.randrange(1 << 30):x}"
            token = tokens[(w * 7919 + seq) % len(tokens)]
            body = {"text": f"Как оформить отпуск за свой счёт на время олимпиады? [ck:{key}]"}
            attempts = failures = 0
            got = None
            statuses = []
            while time.time() < deadline + 30:
                attempts += 1
                with lock:
                    counter[0] += 1
                    url = urls[counter[0] % len(urls)]
                try:
                    status, data = request(url, "POST", "/api/v1/appeals", body, token, key)
                except (OSError, http.client.HTTPException) as e:
                    failures += 1
                    statuses.append(type(e).__name__)
                    time.sleep(0.05 + rnd.random() * 0.1)
                    continue
                statuses.append(status)
                if 200 <= status < 300:
                    got = json.loads(data)["id"]
                    break
                if status >= 500 or status == 409:
                    failures += 1
                    time.sleep(0.05 + rnd.random() * 0.1)
                    continue
                sys.stderr.write(f"unexpected {status} {data[:300]!r}\n")
                break
            with lock:
                results.append({"key": key, "id": got, "attempts": attempts,
                                "failures": failures, "statuses": statuses[-5:]})
            if got is None and time.time() >= deadline + 30:
                break

    pool = [threading.Thread(target=worker, args=(w,)) for w in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    with open(out, "w") as f:
        for r in results:
            f.write(json.dumps(r) + "\n")
    ok = sum(1 for r in results if r["id"])
    retried = sum(1 for r in results if r["id"] and r["failures"])
    print(f"requests sent: {sum(r['attempts'] for r in results)}; keys: {len(results)}; "
          f"2xx: {ok}; of them after a failure: {retried}; never answered: {len(results) - ok}")


def verify(out, rows_path):
    results = [json.loads(line) for line in open(out)]
    stored = {}
    unmarked = 0
    for line in open(rows_path, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        appeal_id, _, text = line.partition("\t")
        m = re.search(r"\[ck:([^\]]+)\]", text)
        if not m:
            unmarked += 1
            continue
        stored.setdefault(m.group(1), []).append(appeal_id)
    problems = []
    keys = {r["key"] for r in results}
    for r in results:
        ids = stored.get(r["key"], [])
        if r["id"]:
            if ids != [r["id"]]:
                problems.append(f"{r['key']}: acknowledged {r['id']}, stored {ids}")
        elif len(ids) > 1:
            problems.append(f"{r['key']}: no answer, stored {len(ids)} times")
    for key in stored:
        if key not in keys:
            problems.append(f"{key}: stored but never sent")
    acked = sum(1 for r in results if r["id"])
    unacked_stored = sum(1 for r in results if not r["id"] and stored.get(r["key"]))
    print(f"acknowledged: {acked}; in the database: {sum(len(v) for v in stored.values())} "
          f"(+{unmarked} unrelated); acknowledged and stored exactly once: "
          f"{acked - sum(1 for p in problems if 'acknowledged' in p)}; "
          f"not acknowledged but stored once: {unacked_stored}; problems: {len(problems)}")
    for p in problems[:20]:
        print("  " + p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    cmd = sys.argv[1:2]
    if cmd == ["login"]:
        login(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    elif cmd == ["crash"]:
        crash(sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5])
    elif cmd == ["verify"]:
        verify(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
