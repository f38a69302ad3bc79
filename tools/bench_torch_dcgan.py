"""The peer baseline for tools/bench_throughput.py: the same DCGAN as
`tfgan_zoo.networks.conv` (28x28, base 64 filters, z=100) trained by a plain
PyTorch CPU loop (non-saturating BCE, Adam 2e-4/0.5, one D and one G step).

Needs only torch and numpy (run it with any Python that has torch). Prints one
JSON object: {config: [images/s per window]} for fp32, channels_last, and bf16
autocast + channels_last.

    python tools/bench_torch_dcgan.py --batch-size 64 --steps 50 --windows 1
"""

import argparse
import json
import time

import numpy as np
import torch
from torch import nn

CONFIGS = ("torch fp32", "torch channels_last", "torch bf16 autocast + channels_last")


def dcgan_init(module):
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)


class Generator(nn.Module):
    def __init__(self, latent_dim=100, filters=64):
        super().__init__()
        self.filters = filters
        self.project = nn.Sequential(
            nn.Linear(latent_dim, 7 * 7 * filters * 2, bias=False),
            nn.BatchNorm1d(7 * 7 * filters * 2),
            nn.ReLU(),
        )
        self.up = nn.Sequential(
            nn.ConvTranspose2d(filters * 2, filters, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters),
            nn.ReLU(),
            nn.ConvTranspose2d(filters, 1, 4, 2, 1),
            nn.Tanh(),
        )

    def forward(self, z):
        h = self.project(z).view(-1, self.filters * 2, 7, 7)
        return self.up(h.contiguous(memory_format=_memory_format))


class Discriminator(nn.Module):
    def __init__(self, filters=64):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(1, filters, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(filters, filters * 2, 4, 2, 1, bias=False),
            nn.BatchNorm2d(filters * 2),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(7 * 7 * filters * 2, 1),
        )

    def forward(self, x):
        return self.body(x)


_memory_format = torch.contiguous_format


def measure(config, batch_size, steps, windows, data):
    global _memory_format
    torch.manual_seed(0)
    channels_last = "channels_last" in config
    _memory_format = torch.channels_last if channels_last else torch.contiguous_format
    g, d = Generator(), Discriminator()
    g.apply(dcgan_init)
    d.apply(dcgan_init)
    if channels_last:
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
    g_opt = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    ones, zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
    autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled="bf16" in config)

    def step(real):
        if channels_last:
            real = real.contiguous(memory_format=torch.channels_last)
        with autocast:
            fake = g(torch.randn(batch_size, 100))
            d_loss = bce(d(real).float(), ones) + bce(d(fake.detach()).float(), zeros)
        d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        d_opt.step()
        with autocast:
            g_loss = bce(d(g(torch.randn(batch_size, 100))).float(), ones)
        g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        g_opt.step()

    batches = [
        torch.from_numpy(data[i : i + batch_size])
        for i in range(0, len(data) - batch_size + 1, batch_size)
    ]
    for i in range(10):  # warm-up
        step(batches[i % len(batches)])
    rates = []
    for _ in range(windows):
        start = time.perf_counter()
        for i in range(steps):
            step(batches[i % len(batches)])
        rates.append(batch_size * steps / (time.perf_counter() - start))
    return rates


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--windows", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    data = rng.uniform(-1, 1, (args.batch_size * 8, 1, 28, 28)).astype("float32")
    print(
        json.dumps(
            {
                config: measure(config, args.batch_size, args.steps, args.windows, data)
                for config in CONFIGS
            }
            | {"torch_version": torch.__version__}
        )
    )


if __name__ == "__main__":
    main()
