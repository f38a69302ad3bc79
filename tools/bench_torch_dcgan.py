"""The PyTorch peer of the DCGAN benchmarks: the same networks as
`tfgan_zoo.networks.conv` (dense projection, stride-2 transposed convs with BN +
ReLU, tanh; D mirrored with LeakyReLU 0.2 and BN after the first conv), trained
by a plain PyTorch CPU loop (non-saturating BCE, Adam 2e-4/0.5, one D and one G
step; for tools/bench_time_to_quality.py, optionally both rates decayed by a
cosine and samples drawn from an EMA of G, as `fashion_dcgan`'s zoo row trains).
Two sizes: 28x28x1 (base 64 filters, 2 stages: tools/bench_throughput.py, and
base 32 for tools/bench_time_to_quality.py) and the paper's 64x64x3 (base 128,
4 stages, 4x4x1024 first map: tools/bench_paper_dcgan.py).

Needs only torch and numpy. Without --worker, prints one JSON object:
{config: [images/s per window]} for fp32, channels_last, and bf16 autocast +
channels_last. With --worker SPEC it serves the driver's requests on stdin (see
`serve`).

    python tools/bench_torch_dcgan.py --batch-size 64 --steps 50 --windows 1
"""

import argparse
import copy
import json
import math
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

CONFIGS = ("torch fp32", "torch channels_last", "torch bf16 autocast + channels_last")
SIZES = {28: dict(channels=1, filters=64, stages=2), 64: dict(channels=3, filters=128, stages=4)}
LATENT_DIM = 100
LEARNING_RATE = 2e-4


def keras_init(module):
    """Keras's side of the comparison: weights ~ N(0, 0.02), zero biases, and batch
    norm with Keras's momentum (0.99) and epsilon (1e-3)."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        module.momentum, module.eps = 0.01, 1e-3


class Generator(nn.Module):
    def __init__(self, size, channels, filters, stages, memory_format, latent_dim=LATENT_DIM):
        super().__init__()
        self.side, self.top = size // 2**stages, filters * 2 ** (stages - 1)
        self.memory_format = memory_format
        self.project = nn.Sequential(
            nn.Linear(latent_dim, self.side * self.side * self.top, bias=False),
            nn.BatchNorm1d(self.side * self.side * self.top),
            nn.ReLU(),
        )
        layers, width = [], self.top
        for stage in range(stages - 2, -1, -1):
            out = filters * 2**stage
            layers += [
                nn.ConvTranspose2d(width, out, 4, 2, 1, bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(),
            ]
            width = out
        self.up = nn.Sequential(*layers, nn.ConvTranspose2d(width, channels, 4, 2, 1), nn.Tanh())

    def forward(self, z):
        h = self.project(z).view(-1, self.top, self.side, self.side)
        return self.up(h.contiguous(memory_format=self.memory_format))


class Discriminator(nn.Module):
    def __init__(self, size, channels, filters, stages):
        super().__init__()
        layers = [nn.Conv2d(channels, filters, 4, 2, 1), nn.LeakyReLU(0.2)]
        for stage in range(1, stages):
            layers += [
                nn.Conv2d(filters * 2 ** (stage - 1), filters * 2**stage, 4, 2, 1, bias=False),
                nn.BatchNorm2d(filters * 2**stage),
                nn.LeakyReLU(0.2),
            ]
        side = size // 2**stages
        layers += [nn.Flatten(), nn.Linear(side * side * filters * 2 ** (stages - 1), 1)]
        self.body = nn.Sequential(*layers)

    def forward(self, x):
        return self.body(x)


class Trainer:
    """One configuration: `window(steps)` trains that many batches, returns images/s.
    Random batches by default (with a warm-up); `images` ([N, H, W, C] in [-1, 1])
    and `order` (example indices, batch after batch) train on real data in that order."""

    def __init__(
        self,
        config,
        batch_size,
        size=28,
        filters=None,
        latent_dim=LATENT_DIM,
        images=None,
        order=None,
        seed=0,
        decay_steps=None,
        ema_decay=None,
    ):
        torch.manual_seed(seed)
        shape = dict(SIZES[size], **({"filters": filters} if filters else {}))
        self.batch_size, self.latent_dim = batch_size, latent_dim
        self.channels_last = "channels_last" in config
        memory_format = torch.channels_last if self.channels_last else torch.contiguous_format
        self.g = Generator(
            size, shape["channels"], shape["filters"], shape["stages"], memory_format, latent_dim
        )
        self.d = Discriminator(size, shape["channels"], shape["filters"], shape["stages"])
        self.g.apply(keras_init)
        self.d.apply(keras_init)
        if self.channels_last:
            self.g = self.g.to(memory_format=torch.channels_last)
            self.d = self.d.to(memory_format=torch.channels_last)
        # Keras's Adam epsilon (1e-7), so both sides take the same steps.
        self.g_opt = torch.optim.Adam(
            self.g.parameters(), LEARNING_RATE, betas=(0.5, 0.999), eps=1e-7
        )
        self.d_opt = torch.optim.Adam(
            self.d.parameters(), LEARNING_RATE, betas=(0.5, 0.999), eps=1e-7
        )
        # Keras's CosineDecay over `decay_steps` updates (rate at update t, from 0).
        self.decay_steps = decay_steps
        # G's moving average, updated as tfgan_zoo.engine.ema.GeneratorEMA does.
        self.ema_decay = ema_decay
        self.g_average = copy.deepcopy(self.g) if ema_decay else None
        self.bce = nn.BCEWithLogitsLoss()
        self.ones, self.zeros = torch.ones(batch_size, 1), torch.zeros(batch_size, 1)
        self.bf16 = "bf16" in config
        warm_up = images is None
        if images is None:
            rng = np.random.default_rng(0)
            images = rng.uniform(-1, 1, (batch_size * 8, size, size, shape["channels"]))
            order = np.arange(len(images))
        self.images = torch.from_numpy(
            np.ascontiguousarray(images.transpose(0, 3, 1, 2), "float32")
        )
        self.order = torch.from_numpy(np.asarray(order, "int64"))
        self.position = 0  # batches drawn
        self.updates = 0  # steps taken (each one D and one G update)
        if warm_up:  # outside the timed windows
            self.window(10 if size == 28 else 2)

    def next_batch(self):
        start = (self.position * self.batch_size) % len(self.order)
        self.position += 1
        return self.images[self.order[start : start + self.batch_size]]

    def step(self, real):
        if self.decay_steps:
            done = min(self.updates, self.decay_steps) / self.decay_steps
            for group in (*self.g_opt.param_groups, *self.d_opt.param_groups):
                group["lr"] = LEARNING_RATE * 0.5 * (1.0 + math.cos(math.pi * done))
        if self.channels_last:
            real = real.contiguous(memory_format=torch.channels_last)
        autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.bf16)
        with autocast:
            fake = self.g(torch.randn(self.batch_size, self.latent_dim))
            d_loss = self.bce(self.d(real).float(), self.ones) + self.bce(
                self.d(fake.detach()).float(), self.zeros
            )
        self.d_opt.zero_grad(set_to_none=True)
        d_loss.backward()
        self.d_opt.step()
        with autocast:
            z = torch.randn(self.batch_size, self.latent_dim)
            g_loss = self.bce(self.d(self.g(z)).float(), self.ones)
        self.g_opt.zero_grad(set_to_none=True)
        g_loss.backward()
        self.g_opt.step()
        self.updates += 1
        if self.g_average is not None:
            self.update_average(self.updates)

    @torch.no_grad()
    def update_average(self, updates):
        """avg <- d avg + (1 - d) w with d = min(decay, (1 + t) / (10 + t)) after t
        updates; batch-norm statistics copied."""
        decay = min(self.ema_decay, (1.0 + updates) / (10.0 + updates))
        averages, weights = list(self.g_average.parameters()), list(self.g.parameters())
        torch._foreach_lerp_(averages, weights, 1.0 - decay)
        for average, buffer in zip(self.g_average.buffers(), self.g.buffers()):
            average.copy_(buffer)

    def window(self, steps):
        start = time.perf_counter()
        for _ in range(steps):
            self.step(self.next_batch())
        return self.batch_size * steps / (time.perf_counter() - start)

    def samples(self, count, seed):
        """`count` images [N, H, W, C] from G (its average, when kept) in inference
        mode (moving BN statistics)."""
        g = self.g if self.g_average is None else self.g_average
        g.eval()
        z = np.random.default_rng(seed).standard_normal((count, self.latent_dim), "float32")
        with torch.no_grad():
            images = g(torch.from_numpy(z)).float().numpy().transpose(0, 2, 3, 1)
        g.train()
        return images


def layer_times(layers, repeats):
    """{layer name: {config: forward + backward ms}} for tools/bench_dcgan_layers.py's
    layers [(name, kind, input shape NHWC, filters)], batch 128."""
    results = {}
    for name, kind, shape, filters in layers:
        results[name] = {}
        for config in CONFIGS:
            channels_last = "channels_last" in config and len(shape) == 3
            if kind == "dense":
                layer = nn.Linear(shape[0], filters, bias=False)
            elif kind == "up":
                layer = nn.ConvTranspose2d(shape[-1], filters, 4, 2, 1, bias=False)
            elif kind == "down":
                layer = nn.Conv2d(shape[-1], filters, 4, 2, 1, bias=False)
            else:
                layer = nn.Sequential(nn.BatchNorm2d(filters), nn.ReLU())
            x = torch.randn(128, *shape)
            if len(shape) == 3:
                x = x.permute(0, 3, 1, 2).contiguous()
            if channels_last:
                layer = layer.to(memory_format=torch.channels_last)
                x = x.contiguous(memory_format=torch.channels_last)
            x.requires_grad_(True)

            def step(layer=layer, x=x, bf16="bf16" in config):
                with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                    y = layer(x)
                (y.float() ** 2).sum().backward()

            for _ in range(2):
                step()
            started = time.perf_counter()
            for _ in range(repeats):
                step()
            results[name][config] = 1000 * (time.perf_counter() - started) / repeats
    return results


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve(trainer):
    """The worker protocol: 'ready', then one RESULT line (JSON) per request:
    'window N' trains N batches (images/s, peak memory); 'samples PATH COUNT SEED'
    writes G's samples to PATH (.npy)."""
    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["window"]:
            result = dict(rate=trainer.window(int(words[1])), peak_rss_mb=peak_rss_mb())
        elif words[:1] == ["samples"]:
            np.save(words[1], trainer.samples(int(words[2]), int(words[3])))
            result = dict(path=words[1])
        else:
            break
        print("RESULT " + json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--image-size", type=int, default=28, choices=sorted(SIZES))
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--windows", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--worker", help="a JSON spec: Trainer's arguments; .npy paths for data")
    parser.add_argument("--layers", help="JSON layers: time each (tools/bench_dcgan_layers.py)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.layers:
        print(json.dumps(layer_times(json.loads(args.layers), args.steps)))
        return
    if args.worker:
        spec = json.loads(args.worker)
        data = {key: np.load(spec.pop(key)) for key in ("images", "order") if key in spec}
        serve(Trainer(spec.pop("config"), spec.pop("batch_size"), **spec, **data))
        return
    results = {}
    for config in CONFIGS:
        trainer = Trainer(config, args.batch_size, args.image_size)
        results[config] = [trainer.window(args.steps) for _ in range(args.windows)]
    print(json.dumps(results | {"torch_version": torch.__version__}))


if __name__ == "__main__":
    main()
