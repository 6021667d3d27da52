#!/usr/bin/env bash
# sluice replay: a spool filled while the sink was down (N messages on disk),
# copied after the stop, replayed into a fresh index: exactly N documents with
# the IDs `sluice buffer export` lists; replayed again: still N (N duplicates
# counted); --dry-run and --from/--to counts; a replay refused while sluice
# holds the spool; an interrupted replay (SIGINT mid-way, slow cluster)
# resumes from its cursor and ends with exactly N.
. "$(dirname "$0")/lib.sh"
N=5000
N1=3000                 # events of 2026-01-01
N2=2000                 # events of 2026-01-02
DAY1=1767225600         # 2026-01-01T00:00:00Z
DAY2=1767312000         # 2026-01-02T00:00:00Z
SRC=$(new_index replay-src)
FRESH=$(new_index replay)
SPOOL=$T/spool
COPY=$T/copy

# 1. Fill the spool: the sink points at a port nothing listens on.
es_config "$T/fill.yaml" "$SRC"
sed -i "s#hosts: \[.*\]#hosts: [http://127.0.0.1:$(dead_port)]#" "$T/fill.yaml"
cat >>"$T/fill.yaml" <<EOC
buffer:
  path: $SPOOL
EOC
start_sluice "$T/fill.yaml" --stop-timeout 1s
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N1" --format 5424 --ts "$DAY1" --prog replay
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N2" --format 5424 --ts "$DAY2" --prog replay
assert_eq "$(wait_spool "$SPOOL" "$N" 30)" "$N" "records in the spool while the sink is down"

# A replay of the live spool is refused, saying who holds it.
set +e; out=$("$SLUICE" replay -c "$T/fill.yaml" 2>&1); st=$?; set -e
assert_eq "$st" 1 "exit status of a replay of a spool in use"
grep -q "in use by a running sluice (pid $SLUICE_PID)" <<<"$out" || fail "no clear refusal: $out"
note "ok: refused: $(head -c 100 <<<"$out")..."

stop_sluice
assert_eq "$SLUICE_STATUS" 0 "exit status at stop with the sink down"
grep -q "records=$N wait in the spool" "$T/sluice.log" || fail "the stop did not report $N records waiting"
c=$(count "$SRC"); [ "$c" = -1 ] || [ "$c" = 0 ] || fail "the unreachable sink's index has $c documents"
cp -a "$SPOOL" "$COPY"

# 2. The IDs on disk.
"$SLUICE" buffer export --path "$COPY" -o "$T/export.ndjson" 2>"$T/export.err"
assert_eq "$(wc -l <"$T/export.ndjson")" "$N" "records exported"
python3 -c 'import json,sys
for l in open(sys.argv[1]): print(json.loads(l)["_id"])' "$T/export.ndjson" | sort >"$T/export.ids"
assert_eq "$(sort -u "$T/export.ids" | wc -l)" "$N" "distinct IDs exported"

# 3. Dry runs: no sink, no lock.
out=$("$SLUICE" replay --dry-run --path "$COPY")
assert_eq "$(kv "$out" records)" "$N" "dry run: records"
out=$("$SLUICE" replay --dry-run --path "$COPY" --from 2026-01-02)
assert_eq "$(kv "$out" records)" "$N2" "dry run --from day 2: records"
assert_eq "$(kv "$out" outside_time)" "$N1" "dry run --from day 2: outside the range"
out=$("$SLUICE" replay --dry-run --path "$COPY" --from 2026-01-01T00:00:00Z --to 2026-01-02T00:00:00Z)
assert_eq "$(kv "$out" records)" "$N1" "dry run --from/--to day 1: records"

# 4. Replay into a fresh index: N documents, the same IDs.
es_config "$T/replay.yaml" "$SRC"
set +e; out=$("$SLUICE" replay -c "$T/replay.yaml" --path "$COPY" --index "$FRESH" 2>&1); st=$?; set -e
echo "$out" | sed 's/^/    /'
assert_eq "$st" 0 "exit status of the replay"
assert_eq "$(kv "$out" sent)" "$N" "replay: sent"
assert_eq "$(kv "$out" created)" "$N" "replay: created"
assert_eq "$(kv "$out" duplicates)" 0 "replay: duplicates"
grep -q "is not a date pattern" <<<"$out" || fail "no data-stream warning for a plain index name"
note "ok: data-stream warning printed"
assert_eq "$(count "$FRESH")" "$N" "documents after the replay"
ids "$FRESH" >"$T/index.ids"
cmp -s "$T/export.ids" "$T/index.ids" || fail "the index's IDs differ from the exported ones"
note "ok: the index holds exactly the exported IDs"
[ ! -e "$COPY/cursor.replay" ] || fail "a finished replay left its cursor"

# 5. Again: nothing new, every record a duplicate.
set +e; out=$("$SLUICE" replay -c "$T/replay.yaml" --path "$COPY" --index "$FRESH" 2>&1); st=$?; set -e
assert_eq "$st" 0 "exit status of the second replay"
assert_eq "$(kv "$out" duplicates)" "$N" "second replay: duplicates"
assert_eq "$(kv "$out" created)" 0 "second replay: created"
assert_eq "$(count "$FRESH")" "$N" "documents after the second replay"

# 6. The live spool, now that sluice is stopped: the same, duplicates again.
set +e; out=$("$SLUICE" replay -c "$T/replay.yaml" --index "$FRESH" --path "$SPOOL" 2>&1); st=$?; set -e
assert_eq "$st" 0 "exit status of a replay of the stopped daemon's spool"
assert_eq "$(kv "$out" duplicates)" "$N" "replay of the stopped spool: duplicates"

# 7. A time range into its own index.
SUB=$(new_index replay-sub)
set +e; out=$("$SLUICE" replay -c "$T/replay.yaml" --path "$COPY" --index "$SUB" --from 2026-01-02T00:00:00Z --to 2026-01-03 2>&1); st=$?; set -e
assert_eq "$st" 0 "exit status of a --from/--to replay"
assert_eq "$(kv "$out" sent)" "$N2" "--from/--to replay: sent"
assert_eq "$(kv "$out" outside_time)" "$N1" "--from/--to replay: outside the range"
assert_eq "$(count "$SUB")" "$N2" "documents of day 2"

# 8. Interrupted mid-way (a slow cluster: every bulk answered 300 ms late,
# 100 documents per request), then resumed: exactly N.
python3 "$TOP/tests/faultproxy/faultproxy.py" --upstream "$OS_URL" --port-file "$T/proxy.port" \
    --delay-bulk 300 &
PIDS+=($!)
for i in $(seq 1 100); do [ -s "$T/proxy.port" ] && break; sleep 0.1; done
[ -s "$T/proxy.port" ] || fail "fault injector did not start"
OS_URL_REAL=$OS_URL
OS_URL="http://127.0.0.1:$(cat "$T/proxy.port")" es_config "$T/slow.yaml" "$SRC"
OS_URL=$OS_URL_REAL
sed -i 's/max_docs: 1000/max_docs: 100/' "$T/slow.yaml"
RES=$(new_index replay-resume)
"$SLUICE" replay -c "$T/slow.yaml" --path "$COPY" --index "$RES" --stop-timeout 60s >"$T/r1.out" 2>&1 &
RP=$!
PIDS+=("$RP")
c=$(wait_count "$RES" 300 60)
[ "$c" -ge 300 ] 2>/dev/null || fail "the slow replay did not progress: $c"
kill -INT "$RP"
set +e; wait "$RP"; st=$?; set -e
sed 's/^/    /' "$T/r1.out"
assert_eq "$st" 3 "exit status of an interrupted replay"
out=$(cat "$T/r1.out")
sent1=$(kv "$out" sent)
assert_eq "$(kv "$out" unresolved)" 0 "interrupted replay: unresolved (requests in flight finished)"
[ "$sent1" -gt 0 ] && [ "$sent1" -lt "$N" ] || fail "interrupted replay sent $sent1 of $N"
note "ok: interrupted after $sent1 records"
[ -s "$COPY/cursor.replay" ] || fail "no cursor saved at the interruption"
grep -q "run the same command again to resume" <<<"$out" || fail "no resume hint"
assert_eq "$(count "$RES")" "$sent1" "documents after the interruption"
set +e; out=$("$SLUICE" replay -c "$T/replay.yaml" --path "$COPY" --index "$RES" 2>&1); st=$?; set -e
echo "$out" | sed 's/^/    /'
assert_eq "$st" 0 "exit status of the resumed replay"
grep -q "resuming the interrupted replay" <<<"$out" || fail "the resume was not announced"
assert_eq "$(kv "$out" sent)" "$((N - sent1))" "resumed replay: sent (only what was left)"
assert_eq "$(kv "$out" duplicates)" 0 "resumed replay: duplicates"
assert_eq "$(count "$RES")" "$N" "documents after the resumed replay"
[ ! -e "$COPY/cursor.replay" ] || fail "the finished replay left its cursor"
