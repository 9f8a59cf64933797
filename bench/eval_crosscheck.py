#!/usr/bin/env python3
"""Independent numpy re-computation of `tadsr eval` (a cross-check, not used by the library or tests).

Implements, from the reference spec (../shared/reference/DEGRADATION-AND-METRICS.md §7) and the BasicSR / pyiqa
function bodies, the metric conventions that `tadsr eval` reports:

* psnr, ssim: pyiqa `create_metric('psnr'|'ssim', test_y_channel=True, color_space='ycbcr')` (float32 Y for PSNR
  with eps 1e-8; SSIM on round(Y*255), float32 fspecial window, 'valid' conv, relu(cs)).
* niqe: BasicSR `calculate_niqe(img_bgr, 0, convert_to='y')` with its float32 MSCN and the torch-float32
  MATLAB `imresize(0.5, antialias)` for the second scale.
* bicubic x4 baseline: MATLAB `imresize(lq, 4, 'bicubic')` in float64, then round to uint8 (as a saved PNG).

Usage (needs numpy, scipy, pillow; e.g. a venv):
    python bench/eval_crosscheck.py golden                      # check against ../shared/reference/golden
    python bench/eval_crosscheck.py bicubic LQ_DIR HR_DIR [--json OUT] [--numpy-rounding]
    python bench/eval_crosscheck.py pairs SR_DIR HR_DIR [--json OUT]
"""
import json
import math
import os
import sys
import time

import numpy as np
from scipy.ndimage import convolve, correlate
from scipy.special import gamma

HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, '..', '..', 'shared', 'reference', 'golden')


# ----------------------------------------------------------------------------------------------- colour
def y_basicsr(rgb_u8):
    """BasicSR to_y_channel on the BGR view of an RGB uint8 image: float32 Y in [0,255], unrounded."""
    bgr = rgb_u8[..., ::-1]
    x = bgr.astype(np.float32) / 255.
    y = np.dot(x, [24.966, 128.553, 65.481]) + 16.0
    y = (y / 255.).astype(np.float32)
    return y * np.float32(255.)


def y_pyiqa(rgb_u8, out_range):
    """pyiqa to_y_channel(x, out_range, 'ycbcr') for x = u8/255 float32 (NCHW in pyiqa; HW here)."""
    x = rgb_u8.astype(np.float32) / np.float32(255.)
    img = x * np.float32(255.)
    img = img / np.float32(255.)
    w = np.array([65.481, 128.553, 24.966], dtype=np.float64)  # float32 weights, exact in float64
    w = w.astype(np.float32).astype(np.float64)
    a = img.astype(np.float64)
    # torch's float32 matmul accumulates with fused multiply-adds: one float32 rounding per step.
    y = (a[..., 0] * w[0]).astype(np.float32)
    y = (y.astype(np.float64) + a[..., 1] * w[1]).astype(np.float32)
    y = (y.astype(np.float64) + a[..., 2] * w[2]).astype(np.float32)
    y = y + np.float32(16.)
    y = y / np.float32(255.)
    y = y * np.float32(out_range)
    if out_range >= 255:
        y = np.round(y)
    return y


# ----------------------------------------------------------------------------------------------- psnr / ssim
def psnr_basicsr(a, b, crop, y):
    if crop:
        a, b = a[crop:-crop, crop:-crop], b[crop:-crop, crop:-crop]
    if y:
        a, b = y_basicsr(a), y_basicsr(b)
    a, b = a.astype(np.float64), b.astype(np.float64)
    mse = np.mean((a - b) ** 2)
    return float('inf') if mse == 0 else 10. * np.log10(255. * 255. / mse)


def _gauss_1d(n, sigma):
    x = np.arange(n) - (n - 1) / 2
    g = np.exp(-x * x / (2 * sigma * sigma))
    return g / g.sum()


def _ssim_basicsr_plane(a, b):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = _gauss_1d(11, 1.5)
    w = np.outer(g, g)

    def f(x):
        return convolve(x, w, mode='mirror')[5:-5, 5:-5]
    mu1, mu2 = f(a), f(b)
    s1, s2, s12 = f(a * a) - mu1 ** 2, f(b * b) - mu2 ** 2, f(a * b) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s1 + s2 + c2))
    return m.mean()


def ssim_basicsr(a, b, crop, y):
    if crop:
        a, b = a[crop:-crop, crop:-crop], b[crop:-crop, crop:-crop]
    if y:
        a, b = y_basicsr(a)[..., None], y_basicsr(b)[..., None]
    a, b = a.astype(np.float64), b.astype(np.float64)
    return float(np.mean([_ssim_basicsr_plane(a[..., c], b[..., c]) for c in range(a.shape[2])]))


def psnr_pyiqa_y(a, b):
    ya, yb = y_pyiqa(a, 1.), y_pyiqa(b, 1.)
    mse = np.mean((ya - yb).astype(np.float64) ** 2)
    return float(10. * np.log10(1. / (mse + 1e-8)))


def _valid_corr(x, w):
    """'valid' 2-D correlation (F.conv2d without padding): full-size ndimage.correlate, border cropped."""
    r = w.shape[0] // 2
    return correlate(x, w, mode='constant')[r:-r, r:-r]


def ssim_pyiqa_y(a, b):
    xa, xb = y_pyiqa(a, 255.).astype(np.float64), y_pyiqa(b, 255.).astype(np.float64)
    y, x = np.ogrid[-5:6, -5:6]
    h = np.exp(-(x * x + y * y) / (2. * 1.5 * 1.5))
    h[h < np.finfo(h.dtype).eps * h.max()] = 0
    h = (h / h.sum()).astype(np.float32).astype(np.float64)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mu1, mu2 = _valid_corr(xa, h), _valid_corr(xb, h)
    s1 = _valid_corr(xa * xa, h) - mu1 ** 2
    s2 = _valid_corr(xb * xb, h) - mu2 ** 2
    s12 = _valid_corr(xa * xb, h) - mu1 * mu2
    cs = np.maximum((2 * s12 + c2) / (s1 + s2 + c2), 0)
    return float((((2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1)) * cs).mean())


# ----------------------------------------------------------------------------------------------- imresize
def _cubic(x):
    ax = np.abs(x)
    ax2, ax3 = ax ** 2, ax ** 3
    return ((1.5 * ax3 - 2.5 * ax2 + 1) * (ax <= 1) +
            (-0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2) * ((ax > 1) & (ax <= 2)))


def _weights_indices(in_len, out_len, scale, antialias, dtype):
    kw = 4.
    if scale < 1 and antialias:
        kw = kw / scale
    x = np.linspace(1, out_len, out_len).astype(dtype)
    u = (x / dtype(scale) + dtype(0.5 * (1 - 1 / scale))).astype(dtype)
    left = np.floor(u - dtype(kw / 2))
    p = math.ceil(kw) + 2
    ind = left[:, None] + np.arange(p, dtype=dtype)[None, :]
    d = u[:, None] - ind
    if scale < 1 and antialias:
        w = dtype(scale) * _cubic(d * dtype(scale)).astype(dtype)
    else:
        w = _cubic(d).astype(dtype)
    w = (w / w.sum(1, keepdims=True)).astype(dtype)
    zeros = (w == 0).sum(0)
    if zeros[0] != 0:  # BasicSR: narrow(1, 1, p - 2) -- drops the first AND the last column
        ind, w = ind[:, 1:p - 1], w[:, 1:p - 1]
    if zeros[-1] != 0:  # narrow(1, 0, p - 2): no-op after the above, else drops the last two columns
        ind, w = ind[:, 0:p - 2], w[:, 0:p - 2]
    # MATLAB-style symmetric (half-sample) index mapping, 1-based -> 0-based
    ind = ind.astype(np.int64) - 1
    m = 2 * in_len
    ind = np.mod(ind, m)
    ind = np.where(ind >= in_len, m - 1 - ind, ind)
    return w.astype(np.float64), ind


def imresize(plane, scale, antialias=True, float32=True):
    """MATLAB imresize (bicubic) of a 2-D plane. float32=True emulates BasicSR's torch float32 version."""
    dtype = np.float32 if float32 else np.float64
    h, w = plane.shape
    oh, ow = math.ceil(h * scale), math.ceil(w * scale)
    wh, ih = _weights_indices(h, oh, scale, antialias, dtype)
    ww, iw = _weights_indices(w, ow, scale, antialias, dtype)
    x = plane.astype(np.float64)
    o1 = np.einsum('ok,okw->ow', wh, x[ih])
    if float32:
        o1 = o1.astype(np.float32).astype(np.float64)
    o2 = np.einsum('ok,hok->ho', ww, o1[:, iw])
    return o2.astype(dtype)


def bicubic_x4_u8(lq_u8, matlab_rounding=True):
    """MATLAB imresize(uint8, 4, 'bicubic'): double maths on the integers, round half away from zero, saturate.

    matlab_rounding=False is the common Python shortcut (resize u8/255, then np.round(x*255), half to even on
    inexact values); it differs on exact .5 ties, which bicubic x4 (dyadic weights) produces on integer input.
    """
    if matlab_rounding:
        out = np.stack([imresize(lq_u8[..., c].astype(np.float64), 4, True, float32=False) for c in range(3)], -1)
        return np.clip(np.floor(out + 0.5), 0, 255).astype(np.uint8)
    out = np.stack([imresize(lq_u8[..., c].astype(np.float64) / 255., 4, True, float32=False) for c in range(3)], -1)
    return np.clip(np.round(out * 255.), 0, 255).astype(np.uint8)


# ----------------------------------------------------------------------------------------------- niqe
GAM = np.arange(0.2, 10.001, 0.001)
R_GAM = np.square(gamma(2 / GAM)) / (gamma(1 / GAM) * gamma(3 / GAM))


def _aggd(block):
    block = block.flatten()
    with np.errstate(all='ignore'):
        ls = np.sqrt(np.mean(block[block < 0] ** 2))
        rs = np.sqrt(np.mean(block[block > 0] ** 2))
        gh = ls / rs
        rhat = (np.mean(np.abs(block))) ** 2 / np.mean(block ** 2)
        rn = (rhat * (gh ** 3 + 1) * (gh + 1)) / ((gh ** 2 + 1) ** 2)
        pos = np.argmin((R_GAM - rn) ** 2)
        a = GAM[pos]
        return a, ls * np.sqrt(gamma(1 / a) / gamma(3 / a)), rs * np.sqrt(gamma(1 / a) / gamma(3 / a))


def _features(block):
    a, bl, br = _aggd(block)
    feat = [a, (bl + br) / 2]
    for s in ([0, 1], [1, 0], [1, 1], [1, -1]):
        a, bl, br = _aggd(block * np.roll(block, s, axis=(0, 1)))
        feat.extend([a, (br - bl) * (gamma(2 / a) / gamma(1 / a)), bl, br])
    return feat


def niqe_basicsr(rgb_u8, params, return_features=False):
    mu_p, cov_p, win = params['mu_pris_param'], params['cov_pris_param'], params['gaussian_window']
    img = y_basicsr(rgb_u8).round()
    bs = 96
    h, w = img.shape
    nh, nw = h // bs, w // bs
    img = img[:nh * bs, :nw * bs]
    dist = []
    for scale in (1, 2):
        mu = convolve(img, win, mode='nearest')
        sigma = np.sqrt(np.abs(convolve(np.square(img), win, mode='nearest') - np.square(mu)))
        n = (img - mu) / (sigma + 1)
        feat = []
        for iw in range(nw):
            for ih in range(nh):
                feat.append(_features(n[ih * bs // scale:(ih + 1) * bs // scale, iw * bs // scale:(iw + 1) * bs // scale]))
        dist.append(np.array(feat))
        if scale == 1:
            img = imresize(img / 255., 0.5, True, float32=True) * np.float32(255.)
    dist = np.concatenate(dist, axis=1)
    mu_d = np.nanmean(dist, axis=0)
    cov_d = np.cov(dist[~np.isnan(dist).any(axis=1)], rowvar=False)
    inv = np.linalg.pinv((cov_p + cov_d) / 2)
    q = float(np.sqrt(np.matmul(np.matmul(mu_p - mu_d, inv), np.transpose(mu_p - mu_d)))[0][0])
    return (q, dist) if return_features else q


# ----------------------------------------------------------------------------------------------- drivers
def load_params():
    z = np.load(os.path.join(GOLDEN, 'niqe_pris_params.npz'))
    return {k: z[k] for k in z}


def read_png(path):
    from PIL import Image
    return np.asarray(Image.open(path).convert('RGB'))


def check_golden():
    m = json.load(open(os.path.join(GOLDEN, 'metrics.json')))
    gt, sr = np.array(m['gt'], np.uint8), np.array(m['sr'], np.uint8)
    v = m['values']
    for crop in (0, 4):
        g = v[f'crop{crop}']
        for name, got in [('basicsr_psnr_rgb', psnr_basicsr(gt, sr, crop, False)),
                          ('basicsr_psnr_y', psnr_basicsr(gt, sr, crop, True)),
                          ('basicsr_ssim_rgb', ssim_basicsr(gt, sr, crop, False)),
                          ('basicsr_ssim_y', ssim_basicsr(gt, sr, crop, True))]:
            print(f'crop{crop} {name}: {got:.12f} golden {g[name]:.12f} diff {got - g[name]:.2e}')
    p = v['pyiqa_crop0']
    key_p = [k for k in p if k.startswith('pyiqa_psnr_y')][0]
    key_s = [k for k in p if k.startswith('pyiqa_ssim_y')][0]
    got = psnr_pyiqa_y(sr, gt)
    print(f'pyiqa psnr_y: {got:.12f} golden {p[key_p]:.12f} diff {got - p[key_p]:.2e}')
    got = ssim_pyiqa_y(sr, gt)
    print(f'pyiqa ssim_y: {got:.12f} golden {p[key_s]:.12f} diff {got - p[key_s]:.2e}')
    n = json.load(open(os.path.join(GOLDEN, 'niqe.json')))
    q, feats = niqe_basicsr(np.array(n['image'], np.uint8), load_params(), True)
    gf = np.array(n['features_36_scale1_then_scale2_per_block_column_major'])
    print(f'niqe: {q:.10f} golden {n["basicsr_niqe_y_ycbcr"]:.10f} diff {q - n["basicsr_niqe_y_ycbcr"]:.2e}; '
          f'max feature diff {np.abs(feats - gf).max():.2e}')


def run_set(mode, a_dir, hr_dir, json_out=None):
    params = load_params()
    names = sorted(f for f in os.listdir(hr_dir) if f.lower().endswith('.png'))
    rows = []
    c0 = time.process_time()
    t0 = time.perf_counter()
    t_metric = {'psnr': 0., 'ssim': 0., 'niqe': 0., 'bicubic': 0.}
    for name in names:
        hr = read_png(os.path.join(hr_dir, name))
        t = time.perf_counter()
        if mode == 'bicubic':
            sr = bicubic_x4_u8(read_png(os.path.join(a_dir, name)), matlab_rounding='--numpy-rounding' not in sys.argv)
        else:
            sr = read_png(os.path.join(a_dir, name))
        t_metric['bicubic'] += time.perf_counter() - t
        t = time.perf_counter(); ps = psnr_pyiqa_y(sr, hr); t_metric['psnr'] += time.perf_counter() - t
        t = time.perf_counter(); ss = ssim_pyiqa_y(sr, hr); t_metric['ssim'] += time.perf_counter() - t
        t = time.perf_counter(); nq = niqe_basicsr(sr, params); t_metric['niqe'] += time.perf_counter() - t
        rows.append({'name': os.path.splitext(name)[0], 'psnr': ps, 'ssim': ss, 'niqe': nq})
    total = time.perf_counter() - t0
    cpu = time.process_time() - c0
    mean = {k: float(np.mean([r[k] for r in rows])) for k in ('psnr', 'ssim', 'niqe')}
    out = {'n': len(rows), 'mean': mean, 'images': rows,
           'seconds': {'total': total, 'cpu': cpu, **{k: v for k, v in t_metric.items()}}}
    print(json.dumps({'n': out['n'], 'mean': mean, 'seconds': out['seconds']}, indent=1))
    if json_out:
        with open(json_out, 'w') as f:
            json.dump(out, f)


if __name__ == '__main__':
    cmd = sys.argv[1] if len(sys.argv) > 1 else 'golden'
    jo = sys.argv[sys.argv.index('--json') + 1] if '--json' in sys.argv else None
    if cmd == 'golden':
        check_golden()
    elif cmd in ('bicubic', 'pairs'):
        run_set(cmd, sys.argv[2], sys.argv[3], jo)
    else:
        sys.exit(__doc__)
