"""Regenerate every zoo picture and docs/gallery.md from the shipped entries.

Each picture is written by `tfgan-zoo sample NAME ARGS`, and the page states
those arguments, so anyone can reproduce a picture exactly:

  - a sample grid (GANs and baselines: 64 images, seed 0; 2D models: 2,500 points)
  - an interpolation strip (latent models: 2 rows of 10, spherical, seed 0), or for
    a translator or autoencoder the rows input | output (| target)
  - the card's headline metric and any quality bar it misses

and the catalogue table of docs/zoo.md from the cards.

    python tools/make_gallery.py            # every entry
    python tools/make_gallery.py --only fashion_dcgan
"""

import argparse
import contextlib
import io
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from tfgan_zoo import training, zoo  # noqa: E402
from tfgan_zoo.cli import _headline, main  # noqa: E402
from tfgan_zoo.registry import get_model  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
FOLDER = "docs/gallery"


def picture_commands(item):
    """[(title, file name, `tfgan-zoo sample` arguments)] for zoo entry `item`."""
    name = item.name
    points = item.config.get("dataset") in ("grid", "ring")
    maps_inputs = get_model(item.variant).maps_inputs
    if points:
        return [("samples", f"{name}.png", ["--seed", "0"])]
    if hasattr(get_model(item.variant), "reenact"):
        title = "4 of 8 references | target pose | output | truth (training items, not fine-tuned)"
        return [(title, f"{name}.png", ["--n", "24", "--seed", "0"])]
    if maps_inputs:
        paired = training.translation_kind(item.variant) == "paired"
        title = "sources | outputs | targets" if paired else "inputs | outputs"
        return [(title, f"{name}.png", ["--n", "16", "--seed", "0"])]
    if item.variant == "pixelcnn":  # no latent space, and it samples one pixel at a time
        return [("samples", f"{name}.png", ["--n", "32", "--seed", "0"])]
    interpolation = ["--interpolate", "slerp", "--pairs", "2", "--steps", "10", "--seed", "0"]
    return [
        ("samples", f"{name}.png", ["--n", "64", "--seed", "0"]),
        ("interpolation", f"{name}_interpolation.png", interpolation),
    ]


def sample_argv(name, file_name, args):
    return ["sample", name, *args, "--out", f"{FOLDER}/{file_name}"]


def render(item, root=REPO):
    """Writes the entry's pictures under `root`; returns its gallery section."""
    lines = [f"## `{item.name}`", "", item.config.get("description", ""), ""]
    headline = _headline(item.metrics)
    missed = item.bars_missed
    lines.append(
        f"Headline: {headline}" + (f"; misses its bar: {'; '.join(missed)}" if missed else "")
    )
    lines.append("")
    for title, file_name, args in picture_commands(item):
        argv = sample_argv(item.name, file_name, args)
        with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
            main(argv)
        lines += [
            f"![{item.name} {title}](gallery/{file_name})",
            "",
            f"{title}: `tfgan-zoo {' '.join(argv)}`",
            "",
        ]
    return "\n".join(lines)


def catalogue_table():
    """The docs/zoo.md table: every entry with its headline, bar, budget and size."""
    lines = [
        "| entry | model | headline (card) | quality bar | G steps | train s | MB |",
        "|---|---|---|---|---|---|---|",
    ]
    for item in zoo.entries():
        bars = item.card.get("bars", {})
        bar = "; ".join(
            f"{m} {b['target']}: {'met' if b['met'] else 'missed'}" for m, b in bars.items()
        )
        training_card = item.card.get("training", {})
        lines.append(
            f"| `{item.name}` | {item.variant} | {_headline(item.metrics)} | {bar or '-'} | "
            f"{training_card.get('generator_steps', '-'):,} | "
            f"{training_card.get('seconds') or 0:.0f} | {item.size_bytes / 1e6:.1f} |"
        )
    return "\n".join(lines)


def write_catalogue_table(page):
    """Replaces the table between the markers in `page` (docs/zoo.md)."""
    text = page.read_text()
    start, end = "<!-- entries: tools/make_gallery.py -->", "<!-- /entries -->"
    head, rest = text.split(start)
    _, tail = rest.split(end)
    page.write_text(f"{head}{start}\n{catalogue_table()}\n{end}{tail}")


HEADER = """# Gallery

Every picture below comes from a shipped zoo entry (`tfgan-zoo list`) and is
reproduced by the `tfgan-zoo sample` command under it, run from the repository
root: exactly on the Intel Xeon that made them; on an AMD EPYC, 1-2 pixels a
picture come out one level apart (its kernels round a float that lies at a
pixel boundary the other way). `python tools/make_gallery.py` regenerates them
all and this page. Metrics are the entry cards' (see [the zoo](zoo.md) for their protocol);
an entry that misses its quality bar says so here too.
"""


def main_tool():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated entry names (default: all)")
    args = parser.parse_args()
    (REPO / FOLDER).mkdir(parents=True, exist_ok=True)
    chosen = args.only.split(",") if args.only else zoo.names()
    sections = {}
    for name in zoo.names():
        item = zoo.entry(name)
        if name in chosen:
            sections[name] = render(item)
            print(f"rendered {name}", flush=True)
    page = REPO / "docs" / "gallery.md"
    if args.only and page.exists():  # keep the other entries' sections
        old = page.read_text().split("\n## ")[1:]
        for section in old:
            name = section.split("`")[1]
            sections.setdefault(name, "## " + section.rstrip())
    ordered = [sections[name] for name in zoo.names() if name in sections]
    page.write_text(HEADER + "\n" + "\n\n".join(s.rstrip() for s in ordered) + "\n")
    write_catalogue_table(REPO / "docs" / "zoo.md")
    print(f"wrote {page} and the table in docs/zoo.md")


if __name__ == "__main__":
    main_tool()
