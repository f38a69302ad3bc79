"""Time to quality: seconds of training until `fashion_dcgan`'s recipe reaches FID
150 and FID 100 (the project classifier, 10,000 samples, as on the card), in
`fit` and in the same networks, loss, optimizer and data order in PyTorch
(tools/bench_torch_dcgan.py, channels_last, float32 as the recipe).

Both run side by side in one run, each in a process of its own: they train in
turns, `--every` generator steps at a time, and after each turn the driver scores
10,000 samples of each (the same latent seed) with the project classifier.
Training seconds are those of the turns only (each `fit` call whole, its set-up
included); scoring is not counted. Each side stops at FID <= 100 or after
`--max-steps`. A benchmark, not a test.

    python tools/bench_time_to_quality.py --torch-python PY --json docs/time_to_quality.json
"""

import argparse
import json
import os
import sys
import tempfile
import time

TOOLS = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, TOOLS)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from bench_paper_dcgan import Worker  # noqa: E402

THRESHOLDS = (150.0, 100.0)
VARIANT, DATASET, BUDGET = "dcgan", "fashion_mnist", "zoo"


class TFTrainer:
    """`fit` on the recipe's model, over the given example order."""

    def __init__(self, images, order, batch_size, seed):
        import numpy as np
        import tensorflow as tf

        from tfgan_zoo.recipes import compile_args, resolve
        from tfgan_zoo.registry import get_model

        recipe = resolve(VARIANT, DATASET, BUDGET)
        cls = get_model(VARIANT, kind="gan")
        self.model = cls.for_data(images.shape[1:], None, seed=seed, **recipe.model)
        self.model.compile(**compile_args(cls, recipe))
        self.images = tf.constant(images)
        self.batches = tf.data.Dataset.from_tensor_slices(order).batch(
            batch_size, drop_remainder=True
        )
        self.position, self.np = 0, np

    def window(self, steps):
        import tensorflow as tf

        images = self.images
        data = (
            self.batches.skip(self.position)
            .map(lambda index: tf.gather(images, index))
            .prefetch(tf.data.AUTOTUNE)
        )
        started = time.perf_counter()
        self.model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0, validate_data=False)
        self.position += steps
        return dict(seconds=time.perf_counter() - started)

    def samples(self, count, seed):
        from tfgan_zoo.metrics.evaluate import generate

        return generate(self.model, count, seed)[0]


def serve(trainer):
    """The protocol of tools/bench_torch_dcgan.py's workers."""
    import numpy as np

    print("ready", flush=True)
    for line in sys.stdin:
        words = line.split()
        if words[:1] == ["window"]:
            result = trainer.window(int(words[1]))
        elif words[:1] == ["samples"]:
            np.save(words[1], trainer.samples(int(words[2]), int(words[3])))
            result = dict(path=words[1])
        else:
            break
        print("RESULT " + json.dumps(result), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--torch-python", help="a Python with torch (required)")
    parser.add_argument("--every", type=int, default=235, help="generator steps a turn")
    parser.add_argument("--max-steps", type=int, default=None, help="default: 2x the recipe's")
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", help="also write the curves here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import numpy as np

    if args.worker:
        spec = json.loads(args.worker)
        images, order = np.load(spec["images"]), np.load(spec["order"])
        serve(TFTrainer(images, order, spec["batch_size"], spec["seed"]))
        return

    if not args.torch_python:
        parser.error("--torch-python is required: the PyTorch side runs in that Python")
    from tfgan_zoo.data.fashion_mnist import load_fashion_mnist
    from tfgan_zoo.metrics.evaluate import evaluate_images
    from tfgan_zoo.recipes import resolve

    recipe = resolve(VARIANT, DATASET, BUDGET)
    max_steps = args.max_steps or 2 * recipe.steps
    images = load_fashion_mnist("train")[0].astype("float32") / 127.5 - 1.0
    rng = np.random.default_rng(args.seed)  # one shuffle an epoch, shared by both sides
    epochs = -(-max_steps * recipe.batch_size // len(images))
    order = np.concatenate([rng.permutation(len(images)) for _ in range(epochs)])
    workdir = tempfile.mkdtemp(prefix="time_to_quality_")
    paths = dict(images=f"{workdir}/images.npy", order=f"{workdir}/order.npy")
    np.save(paths["images"], images)
    np.save(paths["order"], order)
    os.environ["PYTHONPATH"] = os.pathsep.join(
        filter(None, [os.path.dirname(TOOLS), os.environ.get("PYTHONPATH")])
    )
    tf_spec = dict(paths, batch_size=recipe.batch_size, seed=args.seed)
    torch_spec = dict(
        paths,
        config="torch channels_last",
        batch_size=recipe.batch_size,
        size=28,
        filters=recipe.model["base_filters"],
        latent_dim=recipe.model["latent_dim"],
    )
    script = os.path.join(TOOLS, "bench_torch_dcgan.py")
    workers = {
        "TF fit": Worker("TF fit", [sys.executable, __file__, "--worker", json.dumps(tf_spec)]),
        "PyTorch channels_last": Worker(
            "PyTorch", [args.torch_python, script, "--worker", json.dumps(torch_spec)]
        ),
    }
    curves = {name: [] for name in workers}
    for name in workers:
        curves[name].append(dict(steps=0, seconds=0.0, fid=None))
    active = set(workers)
    while active:
        for name, worker in workers.items():
            if name not in active:
                continue
            last = curves[name][-1]
            started = time.perf_counter()
            result = worker.request(f"window {args.every}")
            seconds = result.get("seconds", time.perf_counter() - started)
            path = f"{workdir}/samples.npy"
            worker.request(f"samples {path} {args.samples} {args.seed}")
            fid = evaluate_images(np.load(path), metrics=("fid",)).values[0].value
            point = dict(
                steps=last["steps"] + args.every, seconds=last["seconds"] + seconds, fid=fid
            )
            curves[name].append(point)
            print(
                f"{name}: {point['steps']} steps, {point['seconds']:.1f} s, FID {fid:.1f}",
                flush=True,
            )
            if fid <= min(THRESHOLDS) or point["steps"] >= max_steps:
                active.discard(name)
                worker.close()
    summary = print_table(curves)
    if args.json:
        with open(args.json, "w") as f:
            command = ["python", "tools/bench_time_to_quality.py", "--torch-python", "PY"]
            json.dump(
                dict(
                    command=" ".join(
                        command
                        + [
                            a
                            for a in sys.argv[1:]
                            if a not in (args.torch_python, "--torch-python")
                        ]
                    ),
                    recipe=f"{VARIANT} on {DATASET}, budget {BUDGET!r}",
                    device=f"CPU x{os.cpu_count()}",
                    curves=curves,
                    summary=summary,
                ),
                f,
                indent=2,
            )


def first_reaching(curve, threshold):
    for point in curve:
        if point["fid"] is not None and point["fid"] <= threshold:
            return point
    return None


def print_table(curves):
    summary = {}
    print("\n| threshold | " + " | ".join(f"{name}: s (steps)" for name in curves) + " | ratio |")
    print("|---|" + "---|" * (len(curves) + 1))
    for threshold in THRESHOLDS:
        reached = {name: first_reaching(curve, threshold) for name, curve in curves.items()}
        cells = [
            f"{p['seconds']:.0f} ({p['steps']})" if p else "not reached" for p in reached.values()
        ]
        tf_point, torch_point = reached["TF fit"], reached["PyTorch channels_last"]
        ratio = torch_point["seconds"] / tf_point["seconds"] if tf_point and torch_point else None
        shown = f"{ratio:.2f}" if ratio else ""
        print(f"| FID {threshold:.0f} | " + " | ".join(cells) + f" | {shown} |")
        summary[f"fid_{threshold:.0f}"] = dict(
            {
                name: (p and dict(seconds=p["seconds"], steps=p["steps"]))
                for name, p in reached.items()
            },
            pytorch_seconds_over_tf=ratio,
        )
    print("\nratio: PyTorch's seconds over TF's (above 1: TF reaches it sooner)")
    return summary


if __name__ == "__main__":
    main()
