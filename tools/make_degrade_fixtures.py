"""Generate small fixtures for test/degradation from the reference implementations.

  ~/venvs/basicsr-degrade/bin/python tools/make_degrade_fixtures.py

Needs numpy, scipy, torch (CPU is enough) and basicsr (pip install basicsr --no-build-isolation).
Writes test/degradation/fixtures/{bessel_j1,resize_torch,filter2d_basicsr,usm_basicsr}.json.
basicsr 1.4.2 imports torchvision.transforms.functional_tensor, removed in torchvision >= 0.17: it is
aliased to torchvision.transforms.functional (which has the rgb_to_grayscale it needs) before the import.
"""
import json
import math
import os
import sys

import numpy as np
import scipy.special
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as tvf

sys.modules.setdefault('torchvision.transforms.functional_tensor', tvf)
from basicsr.data.degradations import bivariate_Gaussian, circular_lowpass_kernel  # noqa: E402
from basicsr.utils.img_process_util import USMSharp, filter2D  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'degradation', 'fixtures')
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(1234)


def dump(name, obj):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
    print('wrote', name)


# --- Bessel J1 (scipy = Cephes) over the range the sinc kernel uses, plus a few outside it
xs = sorted(set([float(v) for v in np.linspace(-5, 50, 551)] + [1e-8, 1e-3, 0.5, 3.8317059702075125, 7.0155866698156, 100.0, 250.5]))
dump('bessel_j1.json', {'x': xs, 'j1': [float(scipy.special.j1(x)) for x in xs]})

# --- torch.nn.functional.interpolate, float64 so that only the formulas are compared
img = rng.random((1, 3, 13, 11))
t = torch.from_numpy(img)
cases = []
for mode in ['area', 'bilinear', 'bicubic']:
    for s in [0.37, 0.5, 0.93, 1.0, 1.27, 1.5, 2.0]:
        out = F.interpolate(t, scale_factor=s, mode=mode)
        cases.append({'mode': mode, 'scale_factor': s, 'out_h': out.shape[2], 'out_w': out.shape[3], 'out': out.numpy().ravel().tolist()})
    for (h, w) in [(5, 4), (13, 11), (7, 16), (26, 22), (1, 1)]:
        out = F.interpolate(t, size=(h, w), mode=mode)
        cases.append({'mode': mode, 'size': [h, w], 'out_h': h, 'out_w': w, 'out': out.numpy().ravel().tolist()})
dump('resize_torch.json', {'torch': torch.__version__, 'in_h': 13, 'in_w': 11, 'input': img.ravel().tolist(), 'cases': cases})

# --- BasicSR filter2D (reflect pad 10, conv2d) with 21x21 kernels, float64 tensors
img = rng.random((1, 3, 24, 29))
fcases = []
kernels = {
    'aniso_k21': bivariate_Gaussian(21, 2.0, 0.5, math.pi / 4, isotropic=False),
    'aniso_k7_pad21': np.pad(bivariate_Gaussian(7, 1.3, 0.4, -1.1, isotropic=False), 7),
    'iso_k13_pad21': np.pad(bivariate_Gaussian(13, 1.7, 1.7, 0, isotropic=True), 4),
    'sinc_k11_pad21': circular_lowpass_kernel(1.3, 11, pad_to=21),
    'asym_k21': rng.random((21, 21)),
}
for name, k in kernels.items():
    out = filter2D(torch.from_numpy(img), torch.from_numpy(np.asarray(k, dtype=np.float64))[None])
    fcases.append({'name': name, 'kernel': np.asarray(k).ravel().tolist(), 'out': out.numpy().ravel().tolist()})
dump('filter2d_basicsr.json', {'h': 24, 'w': 29, 'input': img.ravel().tolist(), 'cases': fcases})

# --- BasicSR USMSharp (51x51 Gaussian, weight 0.5, threshold 10); float32 (its mask is cast to float32)
img = (rng.random((1, 3, 40, 36)) * 0.6 + 0.2).astype(np.float32)
usm = USMSharp()
out = usm(torch.from_numpy(img))
dump('usm_basicsr.json', {'h': 40, 'w': 36, 'input': img.ravel().tolist(), 'out': out.numpy().ravel().tolist()})
