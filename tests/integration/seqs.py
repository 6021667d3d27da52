#!/usr/bin/env python3
"""Reads every document of an index (scroll, so any size) whose message ends
in "seq=N" (send.py's messages) and prints one JSON line about the seqs:

  seqs.py URL INDEX [--prog NAME] [--below K]

  {"docs": D, "distinct": S, "dups": X, "min": a, "max": b,
   "missing_below": M, "missing_sample": [...]}

dups: documents beyond the first for a seq (0 when none is there twice).
missing_below: how many of 0..K-1 are absent (K: --below, default max+1).
A node with security: IT_CA names its CA file, IT_AUTH is USER:PASSWORD.
"""
import argparse, base64, collections, json, os, ssl, sys, urllib.request

CTX = ssl.create_default_context(cafile=os.environ["IT_CA"]) if os.environ.get("IT_CA") else None
HEADERS = {"Content-Type": "application/json"}
if os.environ.get("IT_AUTH"):
    HEADERS["Authorization"] = "Basic " + base64.b64encode(os.environ["IT_AUTH"].encode()).decode()

def call(url, body=None, method="GET"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=HEADERS)
    with urllib.request.urlopen(req, timeout=60, context=CTX) as r:
        return json.load(r)

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("index")
    ap.add_argument("--prog")
    ap.add_argument("--below", type=int)
    a = ap.parse_args()
    call("%s/%s/_refresh" % (a.url, a.index), method="POST")
    q = {"match": {"process.name": a.prog}} if a.prog else {"match_all": {}}
    page = call("%s/%s/_search?scroll=1m" % (a.url, a.index),
                {"size": 10000, "query": q, "_source": ["message"], "sort": ["_doc"]})
    seen = collections.Counter()
    docs = 0
    # Bounded: the index cannot grow while the test reads it, and every page
    # moves on; 1000 pages is 10M documents.
    for _ in range(1000):
        hits = page["hits"]["hits"]
        if not hits:
            break
        for h in hits:
            docs += 1
            m = h["_source"].get("message", "")
            if "seq=" in m:
                seen[int(m.rsplit("seq=", 1)[1])] += 1
        page = call("%s/_search/scroll" % a.url, {"scroll": "1m", "scroll_id": page["_scroll_id"]})
    try:
        call("%s/_search/scroll" % a.url, {"scroll_id": [page["_scroll_id"]]}, method="DELETE")
    except Exception:
        pass
    hi = max(seen) if seen else -1
    k = a.below if a.below is not None else hi + 1
    missing = [i for i in range(k) if i not in seen]
    print(json.dumps({"docs": docs, "distinct": len(seen),
                      "dups": sum(c - 1 for c in seen.values()),
                      "min": min(seen) if seen else -1, "max": hi,
                      "missing_below": len(missing), "missing_sample": missing[:10]}))

if __name__ == "__main__":
    sys.exit(main())
