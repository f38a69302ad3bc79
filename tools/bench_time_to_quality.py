"""Time to quality: seconds of training until `fashion_dcgan`'s recipe (its zoo
row: cosine-decayed rates, samples from an EMA of G) reaches FID 150 and FID 100
(the project classifier, 10,000 samples, as on the card), in `fit` and in the
same networks, loss, optimizer, schedule, average and data order in PyTorch
(tools/bench_torch_dcgan.py, channels_last, float32 as the recipe).

Both run side by side in one run, each in a process of its own: they train in
turns, `--every` generator steps at a time, and after each turn the driver scores
10,000 samples of each (the same latent seed) with the project classifier.
TF trains in one `fit` call, paused between turns by a callback; its seconds
count from the first request (fit's set-up and tracing included) to the end of
each turn's epoch. Scoring is not counted on either side. Each side stops at FID <= 100 or after
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
    """One `fit` call over the whole run, as a user trains: a callback pauses it
    after every turn (an epoch of `steps` batches) to answer the driver."""

    def __init__(self, images, order, batch_size, seed):
        import tensorflow as tf

        from tfgan_zoo.recipes import compile_args, resolve
        from tfgan_zoo.registry import get_model
        from tfgan_zoo.training import with_learning_rate

        recipe = resolve(VARIANT, DATASET, BUDGET)
        cls = get_model(VARIANT, kind="gan")
        self.model = cls.for_data(images.shape[1:], None, seed=seed, **recipe.model)
        args = compile_args(cls, recipe)
        self.model.compile(**with_learning_rate(args, recipe.steps, schedule=recipe.schedule))
        images = tf.constant(images)
        self.data = (
            tf.data.Dataset.from_tensor_slices(order)
            .batch(batch_size, drop_remainder=True)
            .map(lambda index: tf.gather(images, index))
            .prefetch(tf.data.AUTOTUNE)
        )
        self.batches = len(order) // batch_size

    def serve(self):
        """'window N' (the first one starts `fit`, N steps a turn) -> training seconds
        of the turn; 'samples PATH COUNT SEED' between turns; anything else stops."""
        import keras
        import numpy as np

        from tfgan_zoo.metrics.evaluate import generate

        model = self.model
        print("ready", flush=True)
        first = sys.stdin.readline().split()
        if first[:1] != ["window"]:
            return
        steps = int(first[1])

        class Turns(keras.callbacks.Callback):
            started = time.perf_counter()  # the first turn counts fit's set-up and tracing

            def on_epoch_end(self, epoch, logs=None):
                reply(dict(seconds=time.perf_counter() - self.started))
                for line in sys.stdin:
                    words = line.split()
                    if words[:1] == ["samples"]:
                        np.save(words[1], generate(model, int(words[2]), int(words[3]))[0])
                        reply(dict(path=words[1]))
                    elif words[:1] == ["window"] and int(words[1]) == steps:
                        self.started = time.perf_counter()
                        return
                    else:
                        break
                model.stop_training = True

        model.fit(
            self.data,
            steps_per_epoch=steps,
            epochs=self.batches // steps,
            verbose=0,
            validate_data=False,
            callbacks=[Turns()],
        )


def reply(result):
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
        TFTrainer(images, order, spec["batch_size"], spec["seed"]).serve()
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
        seed=args.seed,
        decay_steps=recipe.steps if recipe.schedule == "cosine" else None,
        ema_decay=recipe.compile.get("ema_decay"),
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
            result = worker.request(f"window {args.every}")
            # PyTorch's worker reports images/s over the turn's steps.
            seconds = result.get("seconds") or args.every * recipe.batch_size / result["rate"]
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
                    recipe=f"{VARIANT} on {DATASET}, fashion_dcgan's zoo row: {recipe}",
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
