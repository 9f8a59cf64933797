#!/usr/bin/env bash
# The issue's done-means check for `tadsr degrade`, by hand:
#   1. copy N training images (default 40; N=all for the whole of ../shared/data/train) plus 5 corrupt files into
#      a temp folder outside the repo,
#   2. run `tadsr degrade` (built CLI), kill -9 it once about half the pairs are written,
#   3. rerun the same command, then check: exit 1 naming exactly the 5 corrupt files, every good pair present
#      once in hq/, lq/ and manifest.jsonl, no temp files, every PNG decodes.
# Usage: npm run build && bash tools/degrade-done-check.sh [N] [WORKERS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-40}
WORKERS=${2:-2}
WORK=$(mktemp -d /tmp/tadsr-done-check-XXXX)
IN=$WORK/in
OUT=$WORK/out
mkdir -p "$IN"
mapfile -t ALL < <(find ../shared/data/train -type f \( -name '*.png' -o -name '*.jpg' \) | sort)
if [ "$N" = all ]; then N=${#ALL[@]}; fi
STEP=$(( ${#ALL[@]} / N )); [ "$STEP" -ge 1 ] || STEP=1
for ((i = 0; i < N && i * STEP < ${#ALL[@]}; i++)); do cp "${ALL[$((i * STEP))]}" "$IN/"; done
GOOD=$(ls "$IN" | wc -l)
: > "$IN/zero_bytes.png"
head -c 5000 ../shared/data/train/classic/set14_zebra.png > "$IN/truncated.png"
echo "not an image" > "$IN/text_named.png"
python3 - "$IN/huge_header.png" <<'PY'
import struct, sys, zlib
def chunk(t, d): return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 100000, 100000, 8, 2, 0, 0, 0))
                              + chunk(b'IDAT', zlib.compress(b'\0' * 64)) + chunk(b'IEND', b''))
PY
printf '\xff\xd8\xff\xe0garbage garbage garbage' > "$IN/garbage.jpg"
echo "input: $GOOD good + 5 corrupt files in $IN"
CMD=(node bin/tadsr.js degrade --in "$IN" --out "$OUT" --seed 1 --workers "$WORKERS" --quiet)
start=$(date +%s.%N)
"${CMD[@]}" 2> "$WORK/run1.err" &
PID=$!
while kill -0 $PID 2>/dev/null; do
  n=$(ls "$OUT/manifest.d" 2>/dev/null | grep -c '\.json$' || true)
  if [ "$n" -ge $((GOOD / 2)) ]; then kill -9 $PID; echo "kill -9 after $n of $GOOD pairs"; break; fi
  sleep 0.05
done
wait $PID 2>/dev/null || true
echo "temp files left by the kill: $(find "$OUT" -name '*.tmp-*' | wc -l); hq files: $(ls "$OUT/hq" | wc -l); lq files: $(ls "$OUT/lq" | wc -l)"
set +e
"${CMD[@]}" 2> "$WORK/run2.err"
rc=$?
set -e
end=$(date +%s.%N)
echo "rerun exit code: $rc"; cat "$WORK/run2.err"
python3 - "$OUT" "$GOOD" <<'PY'
import json, os, sys, zlib
out, good = sys.argv[1], int(sys.argv[2])
ids = [json.loads(l)['id'] for l in open(os.path.join(out, 'manifest.jsonl'))]
hq, lq = sorted(os.listdir(os.path.join(out, 'hq'))), sorted(os.listdir(os.path.join(out, 'lq')))
tmp = [f for d in ('hq', 'lq', 'manifest.d', '.') for f in os.listdir(os.path.join(out, d)) if '.tmp-' in f]
def png_ok(p):  # every chunk CRC checks and IEND is there
    b = open(p, 'rb').read(); i = 8
    while i < len(b):
        n = int.from_bytes(b[i:i + 4], 'big'); t = b[i + 4:i + 8]
        if zlib.crc32(b[i + 4:i + 8 + n]) & 0xffffffff != int.from_bytes(b[i + 8 + n:i + 12 + n], 'big'): return False
        if t == b'IEND': return True
        i += 12 + n
    return False
broken = [f for d, fs in (('hq', hq), ('lq', lq)) for f in fs if not png_ok(os.path.join(out, d, f))]
print(f'manifest lines {len(ids)} (unique {len(set(ids))}), hq {len(hq)}, lq {len(lq)}, temp files {len(tmp)}, broken PNGs {len(broken)}, expected {good}')
ok = len(ids) == len(set(ids)) == len(hq) == len(lq) == good and not tmp and not broken
print('DONE-MEANS CHECK:', 'PASS' if ok else 'FAIL')
PY
echo "total wall time (both runs): $(echo "$end - $start" | bc) s; work dir $WORK"
