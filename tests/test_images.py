import numpy as np
import pytest
from PIL import Image

from tfgan_zoo.images import BORDER, image_grid, save_png, scatter_png


def test_grid_shape_and_border():
    images = np.zeros((6, 4, 4, 1), np.uint8)
    grid = image_grid(images, nrow=3)
    # 2 rows x 3 columns of 4x4 tiles, a 2-px border around every tile.
    assert BORDER == 2
    assert grid.shape == (2 * 4 + 3 * 2, 3 * 4 + 4 * 2, 1) == (14, 20, 1)
    assert grid.dtype == np.uint8
    assert (grid[:2] == 255).all() and (grid[:, :2] == 255).all()
    assert (grid[6:8] == 255).all()  # the border between the two rows
    assert (grid[2:6, 2:6] == 0).all()


def test_grid_tiles_hold_unscaled_images():
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, size=(5, 3, 2, 3), dtype=np.uint8)
    floats = pixels.astype(np.float32) / 127.5 - 1.0
    grid = image_grid(floats, nrow=2)
    assert grid.shape == (3 * 3 + 4 * 2, 2 * 2 + 3 * 2, 3)
    # Image 3 sits in row 1, column 1.
    top, left = 2 + 1 * (3 + 2), 2 + 1 * (2 + 2)
    np.testing.assert_array_equal(grid[top : top + 3, left : left + 2], pixels[3])
    np.testing.assert_array_equal(image_grid(pixels, nrow=2), grid)
    # The sixth cell is empty, filled with the border colour.
    assert (grid[12:15, 6:8] == 255).all()


def test_grid_default_is_square():
    assert image_grid(np.zeros((9, 2, 2, 1), np.uint8)).shape == (3 * 2 + 4 * 2,) * 2 + (1,)
    with pytest.raises(ValueError, match="1 or 3"):
        image_grid(np.zeros((2, 2, 2, 2), np.uint8))


def test_save_png_round_trip(tmp_path):
    gray = np.arange(12, dtype=np.uint8).reshape(3, 4, 1) * 20
    rgb = np.random.default_rng(1).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    gray_path = save_png(gray, tmp_path / "new" / "dir" / "gray.png")
    rgb_path = save_png(rgb, str(tmp_path / "rgb.png"))
    with Image.open(gray_path) as image:
        assert image.mode == "L"
        np.testing.assert_array_equal(np.asarray(image), gray[..., 0])
    with Image.open(rgb_path) as image:
        np.testing.assert_array_equal(np.asarray(image), rgb)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "rgb.png"]  # no .tmp left


def test_save_png_rejects_floats(tmp_path):
    with pytest.raises(ValueError, match="uint8"):
        save_png(np.zeros((2, 2), np.float32), tmp_path / "x.png")


def test_scatter_png(tmp_path):
    points = np.array([[1.0, 1.0], [-1.0, -1.0], [0.5, -0.5]])
    extent = (-2.0, 2.0, -2.0, 2.0)
    path = scatter_png(
        points,
        tmp_path / "plots" / "scatter.png",
        centres=[[0.0, 1.5]],
        size=101,
        extent=extent,
        labels=[0, 1, 3],
    )
    with Image.open(path) as image:
        assert image.size == (101, 101)
        canvas = np.asarray(image.convert("RGB"))
    # (1, 1) maps to column (1 + 2) / 4 * 100 = 75 and row (2 - 1) / 4 * 100 = 25.
    assert tuple(canvas[25, 75]) == (31, 119, 180)
    assert tuple(canvas[75, 25]) == (255, 127, 14)
    assert tuple(canvas[62, 62]) == (214, 39, 40)
    assert tuple(canvas[0, 100]) == (255, 255, 255)
    assert tuple(canvas[100, 0]) == (255, 255, 255)
    # The centre (0, 1.5) at row 12, column 50 is a hollow circle: ring dark, middle not.
    assert tuple(canvas[12, 50 + 5]) == (0, 0, 0)
    assert tuple(canvas[12 + 1, 50 + 1]) != (0, 0, 0)


def test_scatter_auto_extent_keeps_points_inside(tmp_path):
    points = np.array([[10.0, 20.0], [12.0, 21.0]])
    path = scatter_png(points, tmp_path / "auto.png", size=64)
    canvas = np.asarray(Image.open(path).convert("RGB"))
    assert canvas.shape == (64, 64, 3)
    assert (canvas != 255).any(axis=-1).sum() >= 2 * 4  # two 2x2 dots
    assert tuple(canvas[0, 0]) == (255, 255, 255) and tuple(canvas[63, 63]) == (255, 255, 255)
