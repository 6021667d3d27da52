#!/usr/bin/env python3
"""A strict reader of the Prometheus text exposition format 0.0.4, for the
integration tests: fails (exit 1, naming the line) on anything the format
does not allow or that sluice promises not to do, and prints every sample as
`name{labels} value` with labels sorted, one per line, for the test to grep.

Checked: HELP and TYPE once per family, TYPE before its samples, the family's
samples together; metric and label names; label values quoted with only \\\\,
\\" and \\n escapes; values that parse as floats; no duplicate series;
counters named *_total; histograms with cumulative _bucket lines ending in
le="+Inf", whose value is _count; every name prefixed sluice_.
Usage: promcheck.py FILE"""
import math
import re
import sys

NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*$')
LABEL = re.compile(r'[a-zA-Z_][a-zA-Z0-9_]*$')
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def die(n, line, why):
    sys.exit(f"promcheck: line {n}: {why}: {line!r}")


def parse_labels(s, n, line):
    """s starts after '{'; returns (dict, rest after '}')."""
    labels, i = {}, 0
    while True:
        if s[i] == '}':
            return labels, s[i + 1:]
        m = re.match(r'([a-zA-Z_][a-zA-Z0-9_]*)="', s[i:])
        if not m:
            die(n, line, "bad label name")
        name, i, val = m.group(1), i + m.end(), []
        while True:
            if i >= len(s):
                die(n, line, "unterminated label value")
            c = s[i]
            if c == '\\':
                e = s[i + 1:i + 2]
                if e not in ('\\', '"', 'n'):
                    die(n, line, "bad escape in a label value")
                val.append('\n' if e == 'n' else e)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                die(n, line, "raw newline in a label value")
            else:
                val.append(c)
                i += 1
        if name in labels:
            die(n, line, "duplicate label")
        labels[name] = ''.join(val)
        if s[i] == ',':
            i += 1
        elif s[i] != '}':
            die(n, line, "expected , or }")


def main():
    text = open(sys.argv[1], encoding="utf-8").read()
    if not text.endswith("\n"):
        sys.exit("promcheck: the text does not end with a newline")
    helps, types, done, seen, out = set(), {}, set(), set(), []
    current = None
    hist = {}
    for n, line in enumerate(text.split("\n")[:-1], 1):
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) < 3 or parts[1] not in ("HELP", "TYPE"):
                continue    # a comment
            fam = parts[2]
            if not NAME.match(fam) or not fam.startswith("sluice_"):
                die(n, line, "bad family name")
            if parts[1] == "HELP":
                if fam in helps:
                    die(n, line, "second HELP")
                helps.add(fam)
                if len(parts) < 4 or not parts[3]:
                    die(n, line, "empty HELP")
            else:
                if fam in types or len(parts) != 4 or parts[3] not in TYPES:
                    die(n, line, "bad or second TYPE")
                types[fam] = parts[3]
                if parts[3] == "counter" and not fam.endswith("_total"):
                    die(n, line, "a counter not named *_total")
            if current and current != fam:
                done.add(current)
            if fam in done:
                die(n, line, "family split")
            current = fam
            continue
        if not line:
            die(n, line, "empty line")
        m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{|\s)', line)
        if not m:
            die(n, line, "bad sample name")
        name = m.group(1)
        rest = line[m.end(1):]
        labels = {}
        if rest.startswith("{"):
            labels, rest = parse_labels(rest[1:], n, line)
        if not rest.startswith(" "):
            die(n, line, "no space before the value")
        fields = rest[1:].split(" ")
        if len(fields) not in (1, 2):
            die(n, line, "bad value")
        try:
            v = float(fields[0])
        except ValueError:
            die(n, line, "value is not a float")
        fam = name
        for suf in ("_bucket", "_sum", "_count"):
            if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
                fam = name[:-len(suf)]
        if fam != current or fam not in types:
            die(n, line, "sample outside its family (no TYPE before it)")
        if types[fam] == "counter" and (v < 0 or math.isnan(v)):
            die(n, line, "negative counter")
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            die(n, line, "duplicate series")
        seen.add(key)
        if types[fam] == "histogram":
            base = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
            h = hist.setdefault((fam, base), {"buckets": [], "count": None})
            if name.endswith("_bucket"):
                if "le" not in labels:
                    die(n, line, "bucket without le")
                le = math.inf if labels["le"] == "+Inf" else float(labels["le"])
                if h["buckets"] and (le <= h["buckets"][-1][0] or v < h["buckets"][-1][1]):
                    die(n, line, "buckets not increasing or not cumulative")
                h["buckets"].append((le, v))
            elif name.endswith("_count"):
                h["count"] = v
        lab = ",".join(f'{k}="{x}"' for k, x in sorted(labels.items()))
        out.append(f"{name}{{{lab}}} {fields[0]}" if lab else f"{name} {fields[0]}")
    for (fam, base), h in hist.items():
        if not h["buckets"] or h["buckets"][-1][0] != math.inf:
            sys.exit(f"promcheck: {fam} {base}: no le=\"+Inf\" bucket")
        if h["count"] != h["buckets"][-1][1]:
            sys.exit(f"promcheck: {fam} {base}: _count is not the +Inf bucket")
    if set(types) != helps:
        sys.exit("promcheck: a family has TYPE without HELP or the reverse")
    print("\n".join(out))


main()
