#!/usr/bin/env bash
# SIGTERM right after a burst: sluice stops accepting, flushes what is in
# flight, and exits 0 with every received message in the index. The stop
# deadline is raised from its 15 s default: on a loaded machine (CI runs the
# node on the same cores) the flush of 20000 messages took longer, and this
# scenario is about what is flushed, not how fast.
. "$(dirname "$0")/lib.sh"
N=20000
IDX=$(new_index term)
es_config "$T/sluice.yaml" "$IDX"
start_sluice "$T/sluice.yaml" --stop-timeout 60s
python3 "$IT_DIR/send.py" --port "$(port tcp)" --count "$N" --prog term
STOP_WAIT_S=90 stop_sluice; st=$SLUICE_STATUS
assert_eq "$st" 0 "exit status after SIGTERM"
assert_eq "$(count "$IDX")" "$N" "documents after SIGTERM right after the burst"
