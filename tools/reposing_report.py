"""Scores of the talking-head model on held-out identities, beside the known-pose warp.

Trains `talking_heads` with its cpu-short recipe on 3,000 training identities
(posed Fashion-MNIST items, ankle boots held out), or loads a zoo entry
(`--entry`), then scores, on unseen items
of the seen classes and on unseen items of the held-out class, K = 1 and K = 8
with and without fine-tuning, the warp of the nearest reference by the known
pose, and the true posed images themselves (the ceiling of class kept: each
image is classified after the known warp back to upright). Writes a JSON table.

    python tools/reposing_report.py --seed 0 --json runs/reposing_report.json
    python tools/reposing_report.py --entry fashion_talking_heads --json docs/reposing_zoo.json
"""

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--identities", type=int, default=48, help="scored per set")
    parser.add_argument("--json", default=str(ROOT / "runs" / "reposing_report.json"))
    parser.add_argument(
        "--entry", help="score this zoo entry instead of training the cpu-short recipe"
    )
    args = parser.parse_args(argv)

    import keras
    import tensorflow as tf

    from tfgan_zoo import recipes
    from tfgan_zoo.data import posed_items as pi
    from tfgan_zoo.families.talking_heads import TalkingHeads
    from tfgan_zoo.metrics import reposing

    keras.utils.set_random_seed(args.seed)
    if args.entry:
        from tfgan_zoo import zoo

        model = zoo.load(args.entry)
        trained = dict(entry=args.entry, **zoo.entry(args.entry).card["training"])
    else:
        training = pi.fashion_identities("train").subset(slice(0, 3000))
        row = recipes.resolve("talking_heads", "fashion_mnist", "cpu-short")
        model = TalkingHeads(num_identities=len(training), seed=args.seed, **row.model)
        model.compile(**recipes.compile_args(TalkingHeads, row))
        started = time.time()
        episodes = pi.posed_episodes(training, model.references, row.batch_size, seed=args.seed)
        model.fit(episodes, steps_per_epoch=row.steps_per_epoch, epochs=1, verbose=0)
        trained = dict(
            recipe="cpu-short",
            training_identities=len(training),
            seconds=round(time.time() - started, 1),
        )
    tuning = dict(reposing.FINE_TUNING)
    steps = tuning.pop("steps")
    table = {}
    for split in ("test", "test_held_out"):
        unseen = pi.fashion_identities(split).subset(slice(0, args.identities))
        episode = pi.fixed_episodes(unseen, 1, seed=reposing.EPISODE_SEED)
        truth, poses = episode[0], episode[5][:, -1]
        table[split] = {
            "truth": reposing.reposing_report(truth, truth, unseen.classes, poses),
            "warp_k1": reposing.baseline_scores(unseen, 1, seed=reposing.EPISODE_SEED),
            "warp_k8": reposing.baseline_scores(unseen, 8, seed=reposing.EPISODE_SEED),
        }
        for k in (1, 8):
            table[split][f"k{k}"] = reposing.reposing_scores(
                model, unseen, k, seed=reposing.EPISODE_SEED
            )
            table[split][f"k{k}_tuned"] = reposing.reposing_scores(
                model, unseen, k, steps, seed=reposing.EPISODE_SEED, **tuning
            )
        for name, scores in table[split].items():
            print(split, name, {key: round(value, 3) for key, value in scores.items()})
    record = dict(
        command=" ".join(["python", "tools/reposing_report.py", *(argv or sys.argv[1:])]),
        seed=args.seed,
        training=trained,
        fine_tuning=reposing.FINE_TUNING,
        machine=f"{platform.machine()}, {platform.processor() or 'cpu'}",
        tensorflow=tf.__version__,
        scores=table,
    )
    Path(args.json).write_text(json.dumps(record, indent=2) + "\n")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
