#!/bin/bash
# times funnel/retention/paths/customer on a format 1 (DIR/v1) and a format 2 (DIR/v2) store of DIR/events.parquet, interleaved; CPU = user+sys
set -u
cd ${DIR:-.}; B=${B:-target/release}
export RAYON_NUM_THREADS=2
unset TROPA_PART_FORMAT
t() { /usr/bin/time -f "wall %e s, cpu %U+%S s, %M KB" "$@" 2>&1 >/dev/null | tail -1; }
FUN="--step view_item --step add_to_cart --step begin_checkout --step add_payment_info --step purchase --window 7d --breakdown source --format json"
CID=$(cat cid.txt 2>/dev/null || /work/main/.venv/bin/python -c "import pyarrow.parquet as pq; print(pq.read_table('events.parquet', columns=['customer_id']).slice(5000000,1)[0][0])" | tee cid.txt)
for run in $(seq 1 ${RUNS:-3}); do
  for d in ${DIRS:-v1 v2}; do
    echo -n "$d funnel: "; t $B/tropa --data $d funnel $FUN
    echo -n "$d retention: "; t $B/tropa --data $d retention --period week --periods 12 --format json
    echo -n "$d paths: "; t $B/tropa --data $d paths --from view_item --depth 5 --top 20 --format json
    echo -n "$d customer: "; t $B/tropa --data $d customer $CID
  done
done
mkdir -p out
for d in ${DIRS:-v1 v2}; do
  $B/tropa --data $d funnel $FUN > out/f-$d.json; $B/tropa --data $d retention --period week --periods 12 --format json > out/r-$d.json
  $B/tropa --data $d paths --from view_item --depth 5 --top 20 --format json > out/p-$d.json
  $B/tropa --data $d customer $CID > out/c-$d.txt
done
for q in f r p; do cmp out/$q-v1.json out/$q-v2.json && echo "$q answers equal"; done
cmp out/c-v1.txt out/c-v2.txt && echo "customer equal"
