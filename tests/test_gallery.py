"""The gallery: every zoo entry has its pictures and headline, and the command the
page states beside a picture reproduces it: the same pixels, but for a few a level
apart on a CPU whose kernels round a float at a pixel boundary the other way."""

import re
import shlex
from pathlib import Path

import numpy as np
import pytest
from helpers.pixels import assert_same_pixels
from PIL import Image

from tfgan_zoo import zoo
from tfgan_zoo.cli import main

REPO = Path(__file__).resolve().parent.parent
PAGE = REPO / "docs" / "gallery.md"
COMMAND = re.compile(r"`tfgan-zoo (sample [^`]+)`")
# One picture of each kind: a sample grid, an interpolation strip, translator rows,
# 2D points. tools/make_gallery.py writes them all the same way.
CHECKED = (
    "fashion_dcgan.png",
    "fashion_stylegan_interpolation.png",
    "edges_pix2pix.png",
    "grid_pacgan.png",
)


def _commands():
    return {
        shlex.split(c)[-1].split("/")[-1]: shlex.split(c) for c in COMMAND.findall(PAGE.read_text())
    }


def test_every_entry_has_a_section_with_pictures_and_its_headline():
    text = PAGE.read_text()
    pictures = _commands()
    for item in zoo.entries():
        section = text.split(f"## `{item.name}`")[1].split("\n## ")[0]
        assert "Headline: " in section, item.name
        for missed in item.bars_missed:  # a missed bar is shown, never hidden
            assert missed in section, item.name
        assert f"{item.name}.png" in pictures, item.name
        assert (REPO / "docs" / "gallery" / f"{item.name}.png").is_file()
    for argv in pictures.values():
        assert (REPO / argv[-1]).is_file(), argv


@pytest.mark.slow
@pytest.mark.parametrize("picture", CHECKED)
def test_the_stated_command_reproduces_the_picture(picture, tmp_path):
    argv = _commands()[picture]
    out = tmp_path / picture
    main(argv[:-1] + [str(out)])
    assert_same_pixels(_pixels(out), _pixels(REPO / argv[-1]), picture)


def _pixels(path):
    return np.asarray(Image.open(path))
