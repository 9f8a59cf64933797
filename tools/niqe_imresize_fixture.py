#!/usr/bin/env python3
"""Write test/metrics/fixtures/imresize.json: MATLAB-style bicubic imresize values from the numpy port in
bench/eval_crosscheck.py (independent of the TypeScript code), for test/metrics/matlab-imresize.test.ts.

    python tools/niqe_imresize_fixture.py        (needs numpy, scipy)

Cases: x4 upscale (float64, MATLAB) of a 6x5 RGB uint8 image + its uint8-quantised baseline; x0.5 antialiased
downscale (BasicSR float32 port, as NIQE uses it) of a 12x10 plane on the [0,1] scale; an odd x0.5 of 7x9;
a x4 case with exact .5 ties (MATLAB rounds them away from zero).
"""
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'bench'))
from eval_crosscheck import bicubic_x4_u8, imresize  # noqa: E402

rng = np.random.default_rng(7)
lq = rng.integers(0, 256, size=(5, 6, 3), dtype=np.uint8)  # h=5, w=6
up = np.stack([imresize(lq[..., c].astype(np.float64) / 255., 4, True, float32=False) for c in range(3)], -1)
plane = np.round(rng.uniform(0, 255, size=(10, 12))).astype(np.float32)
half = imresize(plane / np.float32(255.), 0.5, True, float32=True)
odd = rng.uniform(0, 1, size=(7, 9))
odd_half = imresize(odd, 0.5, True, float32=False)
# A row whose x4 bicubic hits exact .5 values (dyadic weights on integers): pins MATLAB's half-away rounding.
tie_row = np.array([181, 245, 163, 94, 21, 141], dtype=np.uint8)
tie_lq = np.repeat(np.repeat(tie_row[None, :, None], 5, 0), 3, 2)
tie_exact = imresize(tie_lq[..., 0].astype(np.float64), 4, True, float32=False)
out = {
    'generator': 'tools/niqe_imresize_fixture.py (numpy port in bench/eval_crosscheck.py)',
    'lq_u8_hwc': lq.tolist(),
    'up4_float64_hwc_01': up.tolist(),
    'up4_u8_hwc': bicubic_x4_u8(lq).tolist(),
    'tie_lq_u8_hwc': tie_lq.tolist(),
    'tie_up4_u8_hwc': bicubic_x4_u8(tie_lq).tolist(),
    'tie_count': int(np.sum(np.abs(tie_exact - np.floor(tie_exact) - 0.5) == 0)) * 3,
    'plane_255': plane.astype(np.float64).tolist(),
    'half_float32_of_plane_div255': half.astype(np.float64).tolist(),
    'odd_plane_01': odd.tolist(),
    'odd_half_float64': odd_half.tolist(),
}
dst = os.path.join(HERE, '..', 'test', 'metrics', 'fixtures', 'imresize.json')
with open(dst, 'w') as f:
    json.dump(out, f)
print('wrote', dst)
