"""Write test/fixtures/schedule/sd-alphas-cumprod.json: diffusers' own float32 alphas_cumprod of SD's scaled-linear
schedule, the reference src/schedule/noise-schedule.ts is tested against.

    ~/venvs/fixtures/bin/python tools/make_schedule_fixture.py
"""
import json
from pathlib import Path

import diffusers
from diffusers import DDPMScheduler

OUT = Path(__file__).resolve().parent.parent / "test" / "fixtures" / "schedule" / "sd-alphas-cumprod.json"

s = DDPMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", num_train_timesteps=1000)
OUT.parent.mkdir(parents=True, exist_ok=True)
OUT.write_text(json.dumps({
    "source": f"diffusers {diffusers.__version__} DDPMScheduler(beta_start=0.00085, beta_end=0.012, "
              "beta_schedule='scaled_linear', num_train_timesteps=1000).alphas_cumprod (float32), "
              "by tools/make_schedule_fixture.py",
    "alphas_cumprod": [float(v) for v in s.alphas_cumprod.tolist()],
}))
