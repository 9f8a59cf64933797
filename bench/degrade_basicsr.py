"""BasicSR's own Real-ESRGAN degradation on a list of images, single process — the baseline of bench/degrade.ts.

  python bench/degrade_basicsr.py --size 512 --scale 4 [--usm] [--write OUT] IMG...

Per image: cv2.imread → float32 [0,1] → hflip (p ½) → reflect-101 pad to ≥ size → random size² crop
(OSEDiff/BasicSR dataset side), kernels sampled exactly as RealESRGANDataset.__getitem__ (basicsr.data.degradations),
then RealESRGANModel.feed_data's ops on a batch of 1: filter2D, F.interpolate, random_add_{gaussian,poisson}_noise_pt,
DiffJPEG(differentiable=False), second stage, final [resize+sinc]/JPEG coin, clamp(round). USM only with --usm.
With --write, the HQ crop and LQ are written as PNG (cv2.imwrite) like `tadsr degrade` does.
Prints one JSON line: {"pairs", "seconds", "pairs_per_s", "cpu_seconds_per_pair", "torch_threads", ...}.

basicsr 1.4.2 imports torchvision.transforms.functional_tensor, which torchvision >= 0.17 removed: the module is
aliased to torchvision.transforms.functional (it has the rgb_to_grayscale basicsr needs) before the import.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import cv2
import numpy as np
import torch
import torchvision.transforms.functional as tvf

sys.modules.setdefault('torchvision.transforms.functional_tensor', tvf)
from basicsr.data.degradations import (  # noqa: E402
    circular_lowpass_kernel, random_add_gaussian_noise_pt, random_add_poisson_noise_pt, random_mixed_kernels)
from basicsr.utils import DiffJPEG  # noqa: E402
from basicsr.utils.img_process_util import USMSharp, filter2D  # noqa: E402
from torch.nn import functional as F  # noqa: E402

OPT = dict(  # Real-ESRGAN x4plus = OSEDiff params_realesrgan.yml
    kernel_list=['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'],
    kernel_prob=[0.45, 0.25, 0.12, 0.03, 0.12, 0.03], sinc_prob=0.1, blur_sigma=[0.2, 3], betag_range=[0.5, 4],
    betap_range=[1, 2], kernel_list2=['iso', 'aniso', 'generalized_iso', 'generalized_aniso', 'plateau_iso', 'plateau_aniso'],
    kernel_prob2=[0.45, 0.25, 0.12, 0.03, 0.12, 0.03], sinc_prob2=0.1, blur_sigma2=[0.2, 1.5], betag_range2=[0.5, 4],
    betap_range2=[1, 2], final_sinc_prob=0.8,
    resize_prob=[0.2, 0.7, 0.1], resize_range=[0.15, 1.5], gaussian_noise_prob=0.5, noise_range=[1, 30],
    poisson_scale_range=[0.05, 3], gray_noise_prob=0.4, jpeg_range=[30, 95], second_blur_prob=0.8,
    resize_prob2=[0.3, 0.4, 0.3], resize_range2=[0.3, 1.2], gaussian_noise_prob2=0.5, noise_range2=[1, 25],
    poisson_scale_range2=[0.05, 2.5], gray_noise_prob2=0.4, jpeg_range2=[30, 95])
KERNEL_RANGE = [2 * v + 1 for v in range(3, 11)]
PULSE = torch.zeros(21, 21).float()
PULSE[10, 10] = 1


def sample_kernel(suffix):
    o = lambda k: OPT[k + suffix]  # noqa: E731
    kernel_size = random.choice(KERNEL_RANGE)
    if np.random.uniform() < o('sinc_prob'):
        omega_c = np.random.uniform(np.pi / 3, np.pi) if kernel_size < 13 else np.random.uniform(np.pi / 5, np.pi)
        kernel = circular_lowpass_kernel(omega_c, kernel_size, pad_to=False)
    else:
        kernel = random_mixed_kernels(o('kernel_list'), o('kernel_prob'), kernel_size, o('blur_sigma'), o('blur_sigma'),
                                      [-math.pi, math.pi], o('betag_range'), o('betap_range'), noise_range=None)
    pad_size = (21 - kernel_size) // 2
    return torch.FloatTensor(np.pad(kernel, ((pad_size, pad_size), (pad_size, pad_size))))


def dataset_item(path, size):
    img = cv2.imread(path, cv2.IMREAD_COLOR).astype(np.float32) / 255.
    if random.random() < 0.5:
        cv2.flip(img, 1, img)
    h, w = img.shape[:2]
    if h < size or w < size:
        img = cv2.copyMakeBorder(img, 0, max(0, size - h), 0, max(0, size - w), cv2.BORDER_REFLECT_101)
    h, w = img.shape[:2]
    top, left = random.randint(0, h - size), random.randint(0, w - size)
    img = img[top:top + size, left:left + size, ...]
    kernel1, kernel2 = sample_kernel(''), sample_kernel('2')
    if np.random.uniform() < OPT['final_sinc_prob']:
        kernel_size = random.choice(KERNEL_RANGE)
        omega_c = np.random.uniform(np.pi / 3, np.pi)
        sinc = torch.FloatTensor(circular_lowpass_kernel(omega_c, kernel_size, pad_to=21))
    else:
        sinc = PULSE
    gt = torch.from_numpy(np.ascontiguousarray(img[:, :, ::-1].transpose(2, 0, 1))).float()[None]
    return gt, kernel1[None], kernel2[None], sinc[None]


@torch.no_grad()
def feed_data(gt, kernel1, kernel2, sinc_kernel, scale, jpeger, usm):
    ori_h, ori_w = gt.size()[2:4]
    out = filter2D(usm(gt) if usm is not None else gt, kernel1)
    updown_type = random.choices(['up', 'down', 'keep'], OPT['resize_prob'])[0]
    s = np.random.uniform(1, OPT['resize_range'][1]) if updown_type == 'up' else (
        np.random.uniform(OPT['resize_range'][0], 1) if updown_type == 'down' else 1)
    out = F.interpolate(out, scale_factor=s, mode=random.choice(['area', 'bilinear', 'bicubic']))
    if np.random.uniform() < OPT['gaussian_noise_prob']:
        out = random_add_gaussian_noise_pt(out, sigma_range=OPT['noise_range'], clip=True, rounds=False,
                                           gray_prob=OPT['gray_noise_prob'])
    else:
        out = random_add_poisson_noise_pt(out, scale_range=OPT['poisson_scale_range'], gray_prob=OPT['gray_noise_prob'],
                                          clip=True, rounds=False)
    jpeg_p = out.new_zeros(out.size(0)).uniform_(*OPT['jpeg_range'])
    out = jpeger(torch.clamp(out, 0, 1), quality=jpeg_p)
    if np.random.uniform() < OPT['second_blur_prob']:
        out = filter2D(out, kernel2)
    updown_type = random.choices(['up', 'down', 'keep'], OPT['resize_prob2'])[0]
    s = np.random.uniform(1, OPT['resize_range2'][1]) if updown_type == 'up' else (
        np.random.uniform(OPT['resize_range2'][0], 1) if updown_type == 'down' else 1)
    out = F.interpolate(out, size=(int(ori_h / scale * s), int(ori_w / scale * s)),
                        mode=random.choice(['area', 'bilinear', 'bicubic']))
    if np.random.uniform() < OPT['gaussian_noise_prob2']:
        out = random_add_gaussian_noise_pt(out, sigma_range=OPT['noise_range2'], clip=True, rounds=False,
                                           gray_prob=OPT['gray_noise_prob2'])
    else:
        out = random_add_poisson_noise_pt(out, scale_range=OPT['poisson_scale_range2'],
                                          gray_prob=OPT['gray_noise_prob2'], clip=True, rounds=False)
    if np.random.uniform() < 0.5:
        out = F.interpolate(out, size=(ori_h // scale, ori_w // scale), mode=random.choice(['area', 'bilinear', 'bicubic']))
        out = filter2D(out, sinc_kernel)
        jpeg_p = out.new_zeros(out.size(0)).uniform_(*OPT['jpeg_range2'])
        out = jpeger(torch.clamp(out, 0, 1), quality=jpeg_p)
    else:
        jpeg_p = out.new_zeros(out.size(0)).uniform_(*OPT['jpeg_range2'])
        out = jpeger(torch.clamp(out, 0, 1), quality=jpeg_p)
        out = F.interpolate(out, size=(ori_h // scale, ori_w // scale), mode=random.choice(['area', 'bilinear', 'bicubic']))
        out = filter2D(out, sinc_kernel)
    return torch.clamp((out * 255.0).round(), 0, 255) / 255.


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--size', type=int, default=512)
    ap.add_argument('--scale', type=int, default=4)
    ap.add_argument('--usm', action='store_true')
    ap.add_argument('--write', default=None)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('images', nargs='+')
    a = ap.parse_args()
    random.seed(a.seed)
    np.random.seed(a.seed)
    torch.manual_seed(a.seed)
    jpeger = DiffJPEG(differentiable=False)
    usm = USMSharp() if a.usm else None
    if a.write:
        os.makedirs(os.path.join(a.write, 'hq'), exist_ok=True)
        os.makedirs(os.path.join(a.write, 'lq'), exist_ok=True)
    # warm-up (first-call allocations, lazy init) on the first image, not timed
    feed_data(*dataset_item(a.images[0], a.size), a.scale, jpeger, usm)
    t0 = time.perf_counter()
    c0 = time.process_time()  # CPU time of all threads of this process
    for p in a.images:
        gt, k1, k2, sinc = dataset_item(p, a.size)
        lq = feed_data(gt, k1, k2, sinc, a.scale, jpeger, usm)
        if a.write:
            name = os.path.splitext(os.path.basename(p))[0] + '.png'
            hq8 = (gt[0].permute(1, 2, 0).numpy()[:, :, ::-1] * 255).round().clip(0, 255).astype(np.uint8)
            lq8 = (lq[0].permute(1, 2, 0).numpy()[:, :, ::-1] * 255).round().clip(0, 255).astype(np.uint8)
            cv2.imwrite(os.path.join(a.write, 'hq', name), hq8)
            cv2.imwrite(os.path.join(a.write, 'lq', name), lq8)
    dt = time.perf_counter() - t0
    cpu = time.process_time() - c0
    print(json.dumps({'pairs': len(a.images), 'seconds': dt, 'pairs_per_s': len(a.images) / dt,
                      'cpu_seconds_per_pair': cpu / len(a.images),
                      'torch_threads': torch.get_num_threads(), 'torch': torch.__version__, 'usm': a.usm,
                      'write': bool(a.write)}))


if __name__ == '__main__':
    main()
