"""Check that `tfgan-zoo eval NAME` reproduces every zoo card within its tolerance.

Runs the command for each entry (or --only some), compares each metric with
the card, prints a table and writes it to docs/zoo_reproduce.json with the
command that produced it. The test suite checks one entry of each protocol
(tests/test_zoo_entries.py); this checks them all.

    python tools/check_zoo_cards.py
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tfgan_zoo import zoo  # noqa: E402
from tfgan_zoo.cli import main  # noqa: E402
from tfgan_zoo.metrics.entry_scores import within_tolerance  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def check(name):
    """{metric: {card, now, within}} and the seconds `tfgan-zoo eval NAME` took."""
    card = zoo.entry(name).card
    tolerance = card["reproduce"]["tolerance"]
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "eval.json"
        started = time.perf_counter()
        main(["eval", name, "--json", str(out)])
        seconds = time.perf_counter() - started
        measured = json.loads(out.read_text())["metrics"]
    rows = {}
    for metric, stated in card["metrics"].items():
        now = measured.get(metric, {}).get("value")
        rows[metric] = dict(
            card=stated["value"], now=now, within=within_tolerance(now, stated["value"], tolerance)
        )
    return rows, seconds


def main_tool():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated entry names (default: all)")
    parser.add_argument("--json", default=str(REPO / "docs" / "zoo_reproduce.json"))
    args = parser.parse_args()
    names = args.only.split(",") if args.only else zoo.names()
    results = {}
    print("| entry | metric | card | now | within |\n|---|---|---|---|---|")
    for name in names:
        rows, seconds = check(name)
        results[name] = dict(metrics=rows, eval_seconds=round(seconds, 1))
        for metric, row in rows.items():
            print(
                f"| {name} | {metric} | {row['card']:.4g} | {row['now']:.4g} | "
                f"{'yes' if row['within'] else 'NO'} |",
                flush=True,
            )
    payload = dict(
        command="python tools/check_zoo_cards.py" + (f" --only {args.only}" if args.only else ""),
        hardware=f"{os.cpu_count()} vCPU {platform.machine()}",
        entries=results,
    )
    Path(args.json).write_text(json.dumps(payload, indent=2) + "\n")
    failed = [n for n, r in results.items() if not all(m["within"] for m in r["metrics"].values())]
    print(f"wrote {args.json}; {len(names) - len(failed)} of {len(names)} reproduced")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main_tool()
