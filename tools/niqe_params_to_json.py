#!/usr/bin/env python3
"""Convert BasicSR's NIQE pristine parameters (niqe_pris_params.npz) to the JSON that tadsr ships and Node reads.

    python tools/niqe_params_to_json.py [NPZ] [OUT]
    defaults: ../shared/reference/golden/niqe_pris_params.npz -> models/niqe/niqe_pris_params.json

Every number is written with Python's float repr (shortest round-trip), so JSON.parse gives back the exact
float64 values. Needs numpy.
"""
import hashlib
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, '..', '..', 'shared', 'reference', 'golden',
                                                         'niqe_pris_params.npz')
dst = sys.argv[2] if len(sys.argv) > 2 else os.path.join(HERE, '..', 'models', 'niqe', 'niqe_pris_params.json')
raw = open(src, 'rb').read()
z = np.load(src)
out = {
    'source': 'BasicSR basicsr/metrics/niqe_pris_params.npz (XPixelGroup/BasicSR, Apache-2.0); '
              'converted by tools/niqe_params_to_json.py',
    'source_sha256': hashlib.sha256(raw).hexdigest(),
    'mu_pris_param': [float(v) for v in z['mu_pris_param'].reshape(-1)],
    'cov_pris_param': [[float(v) for v in row] for row in z['cov_pris_param']],
    'gaussian_window': [[float(v) for v in row] for row in z['gaussian_window']],
}
assert len(out['mu_pris_param']) == 36 and z['cov_pris_param'].shape == (36, 36) and z['gaussian_window'].shape == (7, 7)
os.makedirs(os.path.dirname(dst), exist_ok=True)
with open(dst, 'w') as f:
    json.dump(out, f, indent=1)
    f.write('\n')
back = json.load(open(dst))
assert np.array_equal(np.array(back['cov_pris_param']), z['cov_pris_param'])
assert np.array_equal(np.array(back['mu_pris_param']), z['mu_pris_param'].reshape(-1))
assert np.array_equal(np.array(back['gaussian_window']), z['gaussian_window'])
print(f'wrote {dst} (sha256 of source {out["source_sha256"]})')
