"""The paper's DCGAN (Radford et al. 2015: z 100 -> 4x4x1024 -> 8x8x512 ->
16x16x256 -> 32x32x128 -> 64x64x3, D mirrored), batch 128, and the 28x28 grey
DCGAN of tools/bench_throughput.py, batch 64: images/s and peak resident memory
of `fit`, a raw `tf.function` loop over the same networks, and the same networks
in PyTorch (tools/bench_torch_dcgan.py), in float32 and bfloat16.

Each configuration runs in a process of its own (so its peak resident memory is
its own) that stays alive for the whole run; the driver asks each in turn for one
timed window, round after round, so a slow phase of the machine hits them all
alike. The table gives medians over rounds and the ratios the targets ask for.
A benchmark, not a test.

    python tools/bench_paper_dcgan.py --torch-python PY --json docs/paper_dcgan_cpu.json
    python tools/bench_paper_dcgan.py --sizes 64 --steps 2 --rounds 1   # a quick look

`--convolutions` adds `fit` rows whose networks run every layer as a convolution
(`patches=False` on the layers of tfgan_zoo.networks.patch_conv), so one run shows
what the patch products give; `--keras-batch-norm` adds rows whose batch norm runs
as Keras's ops (`fused=False` on tfgan_zoo.networks.batch_norm's layer).
"""

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys

TOOLS = os.path.dirname(os.path.abspath(__file__))
SIZES = {  # image side: (image shape, base filters, batch size)
    64: ((64, 64, 3), 128, 128),
    28: ((28, 28, 1), 64, 64),
}
TF_PATHS = ("fit", "raw")
TF_PRECISIONS = ("float32", "mixed_bfloat16")
TORCH_CONFIGS = ("torch fp32", "torch channels_last", "torch bf16 autocast + channels_last")


# ------------------------------------------------------------------ TF worker
def tf_runner(size, path, precision, xla, convolutions=False, keras_batch_norm=False):
    """tools/bench_throughput.py's `Runner` (fit or its raw loop) on the DCGAN of `size`,
    traced outside the timed windows; `convolutions`: no patch products;
    `keras_batch_norm`: batch norm as Keras's ops, not the fused kernel."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.path.insert(0, TOOLS)
    from bench_throughput import Runner

    image_shape, base_filters, batch_size = SIZES[size]
    runner = Runner(
        "dcgan", path, precision, xla, batch_size, image_shape, base_filters=base_filters
    )
    # Switched off before the first trace, which decides each layer's path.
    switched_off = [a for a, off in (("patches", convolutions), ("fused", keras_batch_norm)) if off]
    for layer in runner.model.generator.layers + runner.model.discriminator.layers:
        for attribute in switched_off:
            if hasattr(layer, attribute):
                setattr(layer, attribute, False)
    runner.window(3)
    return runner


def serve(trainer):
    """The worker protocol: 'ready', then one RESULT line per 'window N' line."""
    print("ready", flush=True)
    for line in sys.stdin:
        if not line.startswith("window"):
            break
        rate = trainer.window(int(line.split()[1]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print("RESULT " + json.dumps(dict(rate=rate, peak_rss_mb=peak)), flush=True)


# --------------------------------------------------------------------- driver
class Worker:
    """One configuration in its own process."""

    def __init__(self, label, command):
        self.label = label
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=TOOLS
        )
        self._expect("ready")

    def _expect(self, prefix):
        for line in self.process.stdout:
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        raise RuntimeError(f"{self.label}: the worker exited (code {self.process.wait()})")

    def request(self, line):
        """Send one request line; returns the worker's RESULT (JSON)."""
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        return json.loads(self._expect("RESULT "))

    def window(self, steps):
        return self.request(f"window {steps}")

    def close(self):
        self.process.stdin.close()
        self.process.wait()


# spec key: (the rows' label, the ratio's wording)
ABLATIONS = {
    "convolutions": ("convolutions", "convolutions only"),
    "keras_batch_norm": ("Keras batch norm", "Keras batch norm"),
}


def configurations(sizes, xla, torch_python, ablations=()):
    """(size, label, command) for every configuration."""
    root = os.path.dirname(TOOLS)
    env_python = sys.executable
    for size in sizes:
        batch = SIZES[size][2]
        for path in TF_PATHS:
            for precision in TF_PRECISIONS:
                for jit in (False, True) if xla else (False,):
                    spec = dict(size=size, path=path, precision=precision, xla=jit)
                    label = f"TF {path} {precision}" + (" XLA" if jit else "")
                    yield size, label, [env_python, __file__, "--worker", json.dumps(spec)], root
        for ablation in ablations:
            for precision in TF_PRECISIONS:
                spec = dict(size=size, path="fit", precision=precision, xla=False)
                spec[ablation] = True
                label = f"TF fit {precision} {ABLATIONS[ablation][0]}"
                yield size, label, [env_python, __file__, "--worker", json.dumps(spec)], root
        if torch_python:
            script = os.path.join(TOOLS, "bench_torch_dcgan.py")
            for config in TORCH_CONFIGS:
                spec = dict(config=config, batch_size=batch, size=size)
                yield size, config, [torch_python, script, "--worker", json.dumps(spec)], root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="64,28")
    parser.add_argument("--steps", type=int, default=None, help="batches a window (64: 4, 28: 40)")
    parser.add_argument("--rounds", type=int, default=3, help="windows per configuration")
    parser.add_argument("--xla", action="store_true", help="also every TF path with XLA")
    parser.add_argument("--torch-python", help="a Python with torch: adds the PyTorch rows")
    parser.add_argument(
        "--convolutions", action="store_true", help="also fit with every layer a convolution"
    )
    parser.add_argument(
        "--keras-batch-norm",
        action="store_true",
        help="also fit with batch norm as Keras's ops (no fused kernel)",
    )
    parser.add_argument("--json", help="also write every window's rate and memory here")
    parser.add_argument(
        "--only", help="comma-separated configurations to run, e.g. 'TF fit mixed_bfloat16 XLA'"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        spec = json.loads(args.worker)
        serve(
            tf_runner(
                spec["size"],
                spec["path"],
                spec["precision"],
                spec["xla"],
                spec.get("convolutions", False),
                spec.get("keras_batch_norm", False),
            )
        )
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    workers = {}
    only = args.only and args.only.split(",")
    ablations = [a for a in ABLATIONS if getattr(args, a)]
    configs = configurations(sizes, args.xla, args.torch_python, ablations)
    for size, label, command, root in configs:
        if only and label not in only:
            continue
        os.environ["PYTHONPATH"] = os.pathsep.join(
            filter(None, [root, os.environ.get("PYTHONPATH")])
        )
        print(f"starting {size}x{size} {label}", file=sys.stderr, flush=True)
        workers[size, label] = Worker(label, command)
    results = {key: [] for key in workers}
    for round_ in range(args.rounds):
        for (size, label), worker in workers.items():
            steps = args.steps or (4 if size == 64 else 40)
            results[size, label].append(worker.window(steps))
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)
    for worker in workers.values():
        worker.close()
    summary = print_tables(results)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                dict(
                    device=f"CPU x{os.cpu_count()}",
                    command=shlex.join(
                        ["python", "tools/bench_paper_dcgan.py"]
                        + ["PY" if a == args.torch_python else a for a in sys.argv[1:]]
                    ),
                    batch_sizes={str(s): SIZES[s][2] for s in sizes},
                    windows={f"{s}x{s} | {label}": r for (s, label), r in results.items()},
                    summary=summary,
                ),
                f,
                indent=2,
            )


def print_tables(results):
    """One table a size: median images/s, peak memory, and the target ratios."""
    summary = {}
    for size in sorted({s for s, _ in results}, reverse=True):
        rows = {label: r for (s, label), r in results.items() if s == size}
        rate = {label: statistics.median(w["rate"] for w in r) for label, r in rows.items()}
        peak = {label: max(w["peak_rss_mb"] for w in r) for label, r in rows.items()}
        base = rate.get("TF fit float32")
        print(
            f"\n{size}x{size}, batch {SIZES[size][2]}: images/s (median of {len(next(iter(rows.values())))} windows)\n"
        )
        print("| configuration | img/s | vs TF fit float32 | peak memory (MiB) |")
        print("|---|---|---|---|")
        for label in rows:
            vs = f"{rate[label] / base:.2f}" if base else ""
            print(f"| {label} | {rate[label]:.1f} | {vs} | {peak[label]:.0f} |")
        ratios = {}
        for precision, torch_labels in (
            ("float32", ("torch fp32", "torch channels_last")),
            ("mixed_bfloat16", ("torch bf16 autocast + channels_last",)),
        ):
            fit, raw = rate.get(f"TF fit {precision}"), rate.get(f"TF raw {precision}")
            if fit and raw:
                ratios[f"fit / raw, {precision}"] = fit / raw
            for ablation, what in ABLATIONS.values():
                plain = rate.get(f"TF fit {precision} {ablation}")
                if fit and plain:
                    ratios[f"fit / fit with {what}, {precision}"] = fit / plain
            peers = [rate[t] for t in torch_labels if t in rate]
            if fit and peers:
                ratios[f"fit / best PyTorch, {precision}"] = fit / max(peers)
        print()
        for name, value in ratios.items():
            print(f"- {name}: {value:.2f}")
        summary[f"{size}x{size}"] = dict(images_per_second=rate, peak_rss_mib=peak, ratios=ratios)
    return summary


if __name__ == "__main__":
    main()
