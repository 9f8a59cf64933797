#!/usr/bin/env bash
# The issue-12 done-means check, by hand: two `tadsr worker` processes and one producer degrade training folders
# into the same bytes as a plain `tadsr degrade`, through a real redis-server started here (temp folder, AOF on).
# Usage: npm run build && bash tools/queue-done-check.sh [SUBFOLDER...]   (default: kodak24; "all" = every
# sub-folder of ../shared/data/train, one run each)
set -euo pipefail
cd "$(dirname "$0")/.."
TRAIN=../shared/data/train
if [ "$#" -eq 0 ]; then set -- kodak24; fi
if [ "$1" = all ]; then set -- $(ls "$TRAIN"); fi
WORK=$(mktemp -d /tmp/tadsr-queue-check-XXXX)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --dir "$WORK" --save '' --appendonly yes --daemonize no --loglevel warning &
REDIS=$!
W1=; W2=
cleanup() {
  for p in $W1 $W2; do kill "$p" 2>/dev/null || true; done
  kill "$REDIS" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
until redis-cli -p "$PORT" ping >/dev/null 2>&1; do sleep 0.1; done
URL=redis://127.0.0.1:$PORT
status=0
for SUB in "$@"; do
  IN=$(realpath "$TRAIN/$SUB")
  echo "== $SUB: $(ls "$IN" | grep -ciE '\.(png|jpe?g|webp|tiff?|bmp)$') images"
  t0=$(date +%s.%N)
  node bin/tadsr.js degrade --in "$IN" --out "$WORK/plain-$SUB" --seed 1 --workers 2 --quiet || echo "plain exit $?"
  t1=$(date +%s.%N)
  node bin/tadsr.js worker --queue "$URL" --queue-name "$SUB" --until-empty --quiet & W1=$!
  node bin/tadsr.js worker --queue "$URL" --queue-name "$SUB" --until-empty --quiet & W2=$!
  node bin/tadsr.js degrade --in "$IN" --out "$WORK/queue-$SUB" --seed 1 --queue "$URL" --queue-name "$SUB" --wait --quiet || echo "queued exit $?"
  wait "$W1" || true; wait "$W2" || true; W1=; W2=
  t2=$(date +%s.%N)
  node bin/tadsr.js queue status --queue "$URL" --queue-name "$SUB" || true
  printf 'plain %.1f s, queue (2 workers, incl. start-up) %.1f s\n' "$(echo "$t1 - $t0" | bc)" "$(echo "$t2 - $t1" | bc)"
  if diff -r "$WORK/plain-$SUB" "$WORK/queue-$SUB"; then
    echo "SAME BYTES: $(find "$WORK/queue-$SUB" -type f | wc -l) files identical"
  else
    echo "DIFFERENT"; status=1
  fi
done
exit $status
