"""Run the learning tests once per seed and tabulate what they assert on.

Each learning test (`@pytest.mark.learning`) takes its seeds from
`tests/helpers/learning.py` (TFGAN_ZOO_TEST_SEED) and records the numbers it
asserts on, with their bounds, to the file named by TFGAN_ZOO_LEARNING_LOG.
This tool sets both, runs

    python -m pytest -q -m learning tests [FILES] [-k EXPR] [-n 2 --dist loadfile]

once per seed, and prints, per test and metric, the value at each seed, the
minimum and maximum over seeds and the asserted bound; pytest's per-test
outcome and time come from its JUnit XML. The table goes to --json (default
docs/learning_spread.json) with the command that produced it.

    python tools/learning_spread.py                       # seeds 0 1 2, every learning test
    python tools/learning_spread.py --seeds 0 1 2 3 tests/test_biggan.py
    python tools/learning_spread.py --append tests/test_infogan.py   # merge into the JSON

With --append, results for the tests run now replace those already in the JSON
(per test and seed); everything else in it is kept, except tests no longer in
their file, and the command is added to its list of commands. `--append
--seeds` with no seed runs nothing and re-tabulates the JSON.

Per test, `outcome` is pytest's verdict at each seed under the assertions of
that run; per metric, `holds` says whether the value at every seed meets the
bound recorded last, so bounds changed after a run are checked against the
spread the JSON holds.
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pytest_command(files, keyword, xdist, junit):
    command = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-m",
        "learning",
        "-p",
        "no:cacheprovider",
        f"--junitxml={junit}",
    ]
    if xdist:
        command += ["-n", "2", "--dist", "loadfile"]
    if keyword:
        command += ["-k", keyword]
    return command + (list(files) or ["tests"])


def read_junit(path):
    """{node id: (outcome, seconds)} from pytest's JUnit XML."""
    outcomes = {}
    if not Path(path).exists():
        return outcomes
    for case in ElementTree.parse(path).getroot().iter("testcase"):
        if not case.get("classname"):  # a collection error, not a test
            continue
        module = case.get("classname", "").replace(".", "/")
        node = f"{module}.py::{case.get('name')}"
        outcome = "passed"
        for child in case:
            if child.tag in ("failure", "error"):
                outcome = "failed" if child.tag == "failure" else "error"
            elif child.tag == "skipped":
                outcome = "skipped"
        outcomes[node] = (outcome, float(case.get("time", 0.0)))
    return outcomes


def read_log(path):
    lines = []
    if Path(path).exists():
        for line in Path(path).read_text().splitlines():
            if line.strip():
                lines.append(json.loads(line))
    return lines


def run_seed(seed, files, keyword, xdist, work):
    log, junit = work / f"seed_{seed}.jsonl", work / f"seed_{seed}.xml"
    for path in (log, junit):
        if path.exists():
            path.unlink()
    command = pytest_command(files, keyword, xdist, junit)
    env = dict(os.environ, TFGAN_ZOO_TEST_SEED=str(seed), TFGAN_ZOO_LEARNING_LOG=str(log))
    print(f"seed {seed}: {shlex.join(command)}", flush=True)
    start = time.time()
    returncode = subprocess.run(command, cwd=ROOT, env=env).returncode
    seconds = time.time() - start
    print(f"seed {seed}: exit {returncode} after {seconds:.0f} s", flush=True)
    shown = ["python"] + [a for a in command[1:] if not a.startswith("--junitxml")]
    return (
        dict(seed=seed, returncode=returncode, seconds=round(seconds, 1), pytest=shlex.join(shown)),
        read_log(log),
        read_junit(junit),
    )


def merge(tests, seed, records, outcomes):
    """Fold one seed's records and outcomes into tests[node]."""
    for node, (outcome, seconds) in outcomes.items():
        entry = tests.setdefault(node, dict(outcome={}, seconds={}, metrics={}))
        entry["outcome"][str(seed)] = outcome
        entry["seconds"][str(seed)] = round(seconds, 1)
    for line in records:
        entry = tests.setdefault(line["test"], dict(outcome={}, seconds={}, metrics={}))
        for name, value in line["numbers"].items():
            metric = entry["metrics"].setdefault(name, dict(values={}))
            metric["values"][str(line["seed"])] = value
            if name in line.get("thresholds", {}):
                metric["threshold"] = line["thresholds"][name]
            else:  # the latest run asserts nothing on it
                metric.pop("threshold", None)


def prune(tests):
    """Drop the tests whose function is no longer in its file (renamed or removed)."""
    for node in list(tests):
        path, _, name = node.partition("::")
        function = name.split("[")[0]
        if not (ROOT / path).exists() or f"def {function}(" not in (ROOT / path).read_text():
            print(f"dropping {node}: no longer in {path}")
            del tests[node]


def holds(value, bound, others):
    """Whether `value` meets a recorded bound ("< 0.5", ">= 20", "in (0.4, 0.6)",
    "< other_metric"); None when the bound is not one of these forms."""
    op, _, rest = bound.partition(" ")
    if op == "in":
        low, high = (float(x) for x in rest.strip("()").split(","))
        return low < value < high
    try:
        limit = float(rest)
    except ValueError:
        if rest not in others:
            return None
        limit = others[rest]
    compare = {"<": value < limit, "<=": value <= limit, ">": value > limit, ">=": value >= limit}
    return compare.get(op)


def summarise(tests):
    """min and max over seeds, and whether every seed meets the latest bound:
    `outcome` is pytest's verdict under the assertions of the time of each run,
    `holds` checks each recorded value against the bound recorded last."""
    for entry in tests.values():
        for metric in entry["metrics"].values():
            values = list(metric["values"].values())
            metric["min"], metric["max"] = min(values), max(values)
            if "threshold" in metric:
                verdicts = [
                    holds(
                        value,
                        metric["threshold"],
                        {
                            name: other["values"].get(seed)
                            for name, other in entry["metrics"].items()
                        },
                    )
                    for seed, value in metric["values"].items()
                ]
                metric["holds"] = None if None in verdicts else all(verdicts)
            else:
                metric.pop("holds", None)


def number(value):
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def print_table(tests, seeds):
    for node in sorted(tests):
        entry = tests[node]
        outcomes = " ".join(f"{s}:{entry['outcome'].get(str(s), '-')}" for s in seeds)
        seconds = " ".join(number(entry["seconds"].get(str(s), float("nan"))) for s in seeds)
        print(f"\n{node}\n  outcome {outcomes}; seconds {seconds}")
        width = max([len(name) for name in entry["metrics"]] + [6])
        print(
            f"  {'metric':{width}}  "
            + "  ".join(f"{'seed ' + str(s):>9}" for s in seeds)
            + f"  {'min':>9}  {'max':>9}  asserted (all seeds meet it?)"
        )
        for name, metric in entry["metrics"].items():
            values = "  ".join(
                f"{number(metric['values'].get(str(s), float('nan'))):>9}" for s in seeds
            )
            print(
                f"  {name:{width}}  {values}  {number(metric['min']):>9}  "
                f"{number(metric['max']):>9}  {metric.get('threshold', '')}"
                + (
                    f" ({'yes' if metric['holds'] else 'NO'})"
                    if metric.get("holds") is not None
                    else ""
                )
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="test files or node ids (default: tests)")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="*",
        default=[0, 1, 2],
        help="seeds to run (none, with --append: only re-tabulate the JSON)",
    )
    parser.add_argument("-k", dest="keyword", help="pytest -k expression")
    parser.add_argument("--xdist", action="store_true", help="run with -n 2 --dist loadfile")
    parser.add_argument("--json", default=str(ROOT / "docs" / "learning_spread.json"))
    parser.add_argument(
        "--append",
        action="store_true",
        help="merge into an existing --json instead of replacing it",
    )
    parser.add_argument("--work", help="folder for the per-seed logs (default: a temporary one)")
    args = parser.parse_args(argv)

    work = Path(args.work or tempfile.mkdtemp(prefix="learning_spread_"))
    work.mkdir(parents=True, exist_ok=True)
    command = shlex.join(
        ["python", "tools/learning_spread.py"] + sys.argv[1:]
        if argv is None
        else ["python", "tools/learning_spread.py"] + argv
    )
    report = dict(commands=[], runs=[], tests={})
    if args.append and Path(args.json).exists():
        report = json.loads(Path(args.json).read_text())
    report["commands"].append(command)

    for seed in args.seeds:
        run, records, outcomes = run_seed(seed, args.files, args.keyword, args.xdist, work)
        report["runs"].append(run)
        for node in list(outcomes) + [line["test"] for line in records]:
            entry = report["tests"].get(node)
            if entry:  # a test run again: drop its old numbers for this seed
                entry["outcome"].pop(str(seed), None)
                entry["seconds"].pop(str(seed), None)
                for metric in entry["metrics"].values():
                    metric["values"].pop(str(seed), None)
        merge(report["tests"], seed, records, outcomes)
    prune(report["tests"])
    summarise(report["tests"])

    seeds = sorted(
        {int(s) for entry in report["tests"].values() for s in entry["outcome"]} | set(args.seeds)
    )
    print_table(report["tests"], seeds)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    print(f"\nwrote {args.json}")
    latest = report["runs"][len(report["runs"]) - len(args.seeds) :]
    return max([run["returncode"] for run in latest] + [0])


if __name__ == "__main__":
    sys.exit(main())
