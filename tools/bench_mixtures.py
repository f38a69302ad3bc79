"""The 2D mode-collapse yardstick: every loss family on the ring and the grid.

For each (family, mixture, seed): train from scratch for a fixed number of
generator steps, draw 2,500 samples, and score them (modes covered, % high
quality within 3σ of a centre, reverse KL of the mode histogram to uniform).
Prints one markdown table of means ± standard deviations over seeds, next to
published rows, and optionally writes every run as JSON.

    python tools/bench_mixtures.py --seeds 5 [--families wgan_gp,dragan] [--json out.json]
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from tfgan_zoo.data import points_dataset, sample_mixture  # noqa: E402
from tfgan_zoo.gans import DRAGAN, LSGAN, WGAN, WGANGP, StandardGAN  # noqa: E402
from tfgan_zoo.metrics import evaluate_mixture  # noqa: E402
from tfgan_zoo.training import with_learning_rate  # noqa: E402

# family -> (variant class, compile overrides, model overrides). Networks are the
# same for all: 3 x `width` MLPs, 2-D latent; the variant's paper defaults otherwise.
FAMILIES = {
    "gan_ns": (StandardGAN, {}, {}),
    "gan_minimax": (StandardGAN, dict(loss="minimax"), {}),
    "wgan": (WGAN, {}, {}),
    "wgan_gp": (WGANGP, {}, {}),
    "lsgan": (LSGAN, {}, {}),
    "dragan": (DRAGAN, {}, {}),
    "hinge_r1": (StandardGAN, dict(loss="hinge", penalty="r1", penalty_weight=5.0), {}),
    "pacgan2": (StandardGAN, {}, dict(pack=2)),  # non-saturating loss, D sees pairs
}
MIXTURES = {"ring": dict(data_scale=1.0), "grid": dict(data_scale=4.0)}
PUBLISHED = [  # (method, mixture, modes, high-quality %), from the papers via STACK_NOTES
    ("PacGAN4 (Lin et al. 2018)", "grid", "24.8", "93.6"),
    ("VEEGAN (Srivastava et al. 2017)", "grid", "24.6", "40"),
    ("WGAN-GP (in PacGAN's table)", "grid", "24.2", "28.7"),
    ("GAN (VEEGAN/PacGAN tables)", "grid", "3.3-17.3", "-"),
    ("PacGAN2 (Lin et al. 2018)", "ring", "7.9", "95.6"),
]


def run_one(family, mixture, seed, steps, batch_size, width, lr, cosine):
    cls, overrides, model_overrides = FAMILIES[family]
    keras.utils.set_random_seed(seed)
    model = cls(
        data_shape=(2,),
        latent_dim=2,
        hidden=(width,) * 3,
        seed=seed,
        **MIXTURES[mixture],
        **model_overrides,
    )
    model.compile(
        **with_learning_rate(dict(cls.default_compile_args(), **overrides), steps, lr, cosine)
    )
    points, _ = sample_mixture(mixture, 200_000, seed=seed)
    data = points_dataset(points, batch_size=batch_size * model.d_steps, seed=seed, repeat=True)
    start = time.perf_counter()
    model.fit(data, steps_per_epoch=steps, epochs=1, verbose=0)
    seconds = time.perf_counter() - start
    score = evaluate_mixture(model.sample(2500, seed=10_000 + seed), mixture)
    return dict(
        family=family, mixture=mixture, seed=seed, steps=steps, seconds=seconds, **score.as_dict()
    )


def summarise(runs):
    rows = []
    for family in FAMILIES:
        for mixture in MIXTURES:
            sel = [r for r in runs if r["family"] == family and r["mixture"] == mixture]
            if not sel:
                continue
            modes = np.array([r["modes_covered"] for r in sel], float)
            hq = 100 * np.array([r["high_quality_fraction"] for r in sel])
            rkl = np.array([r["reverse_kl"] for r in sel])
            secs = np.mean([r["seconds"] for r in sel])
            rows.append(
                f"| {family} | {mixture} | {len(sel)} | {modes.mean():.1f} ± "
                f"{modes.std():.1f} / {sel[0]['num_modes']} | {hq.mean():.1f} ± "
                f"{hq.std():.1f} | {rkl.mean():.3f} ± {rkl.std():.3f} | {secs:.0f} |"
            )
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", default=",".join(FAMILIES))
    parser.add_argument("--mixtures", default="ring,grid")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument(
        "--merge", nargs="*", default=[], help="JSON files of earlier runs to include in the table"
    )
    parser.add_argument("--steps", type=int, default=8000, help="generator steps per run")
    parser.add_argument("--batch-size", type=int, default=256, help="per D step")
    parser.add_argument("--width", type=int, default=128)
    parser.add_argument("--lr", type=float, help="override both learning rates")
    parser.add_argument(
        "--cosine", action="store_true", help="cosine-decay both learning rates to 0 over the run"
    )
    parser.add_argument("--json", help="also write every run to this file")
    args = parser.parse_args()
    runs = [run for path in args.merge for run in json.load(open(path))]
    for family in args.families.split(","):
        for mixture in args.mixtures.split(","):
            for seed in range(args.first_seed, args.first_seed + args.seeds):
                runs.append(
                    run_one(
                        family,
                        mixture,
                        seed,
                        args.steps,
                        args.batch_size,
                        args.width,
                        args.lr,
                        args.cosine,
                    )
                )
                print(json.dumps(runs[-1]), flush=True)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(runs, f, indent=1)
    schedule = "cosine-decayed" if args.cosine else "constant"
    print(
        f"\n{args.steps} generator steps, batch {args.batch_size} per D step, 3x{args.width} "
        f"MLPs, 2-D latent, {schedule} learning rates; 2,500 samples scored per run "
        "(3σ rule).\n"
    )
    print("| family | mixture | seeds | modes | high quality % | reverse KL | s/run |")
    print("|---|---|---|---|---|---|---|")
    print("\n".join(summarise(runs)))
    for method, mixture, modes, hq in PUBLISHED:
        print(f"| {method} | {mixture} | - | {modes} | {hq} | - | - |")


if __name__ == "__main__":
    main()
