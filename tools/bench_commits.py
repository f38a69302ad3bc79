"""`fit` throughput of two commits, side by side: each commit's own
tools/bench_throughput.py (fit path, float32, XLA off) runs in a checkout of that
commit, alternating between the two for several rounds, so a slow phase of the
machine hits both. Prints images/s per variant and the ratio new / old; a
benchmark, not a test.

    python tools/bench_commits.py 45613dd HEAD --json docs/throughput_registry_change.json
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def checkout(rev, root):
    path = Path(root) / rev.replace("/", "_")
    subprocess.run(
        ["git", "-C", str(REPO), "worktree", "add", "--detach", str(path), rev],
        check=True,
        capture_output=True,
    )
    return path


def one_run(tree, variants, steps, repeats, out):
    env = dict(os.environ, PYTHONPATH=str(tree), TF_CPP_MIN_LOG_LEVEL="3")
    subprocess.run(
        [
            sys.executable,
            "tools/bench_throughput.py",
            "--paths",
            "fit",
            "--precisions",
            "float32",
            "--xla",
            "off",
            "--variants",
            variants,
            "--steps",
            str(steps),
            "--repeats",
            str(repeats),
            "--json",
            str(out),
        ],
        cwd=tree,
        env=env,
        check=True,
        capture_output=True,
    )
    rates = json.loads(Path(out).read_text())["rates"]
    return {key.split(" | ")[0]: statistics.median(values) for key, values in rates.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("old")
    parser.add_argument("new", nargs="?", default="HEAD")
    parser.add_argument("--variants", default="dcgan,cgan,lsgan,wgan_gp")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", help="also write the rates and ratios here")
    args = parser.parse_args()
    revs = [args.old, args.new]
    with tempfile.TemporaryDirectory() as root:
        trees = {rev: checkout(rev, root) for rev in revs}
        try:
            runs = {rev: [] for rev in revs}
            for round_ in range(args.rounds):
                order = revs if round_ % 2 == 0 else revs[::-1]
                for rev in order:
                    runs[rev].append(
                        one_run(
                            trees[rev],
                            args.variants,
                            args.steps,
                            args.repeats,
                            Path(root) / "rates.json",
                        )
                    )
                    print(f"round {round_ + 1}, {rev}: {runs[rev][-1]}", flush=True)
        finally:
            for tree in trees.values():
                subprocess.run(
                    ["git", "-C", str(REPO), "worktree", "remove", "--force", str(tree)],
                    capture_output=True,
                )
    print(
        f"\n`fit` images/s (float32, XLA off), median of {args.rounds} alternating runs "
        f"of each commit\n"
    )
    print(f"| variant | {args.old} | {args.new} | {args.new} / {args.old} |")
    print("|---|---|---|---|")
    table = {}
    for variant in args.variants.split(","):
        old = statistics.median(r[variant] for r in runs[args.old])
        new = statistics.median(r[variant] for r in runs[args.new])
        table[variant] = dict(old=old, new=new, ratio=new / old)
        print(f"| {variant} | {old:.0f} | {new:.0f} | {new / old:.3f} |")
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                dict(
                    command=" ".join(["python", "tools/bench_commits.py"] + sys.argv[1:]),
                    old=args.old,
                    new=args.new,
                    runs=runs,
                    table=table,
                ),
                indent=2,
            )
            + "\n"
        )


if __name__ == "__main__":
    main()
