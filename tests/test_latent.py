import keras
import numpy as np
import pytest
from PIL import Image

from tfgan_zoo.data.pipeline import unscale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.gans import StandardGAN
from tfgan_zoo.images import BORDER
from tfgan_zoo.latent import (
    arithmetic_grid,
    arithmetic_latents,
    interpolation_grid,
    interpolation_latents,
    latent_arithmetic,
    lerp,
    slerp,
    write_arithmetic,
    write_interpolation,
)

LATENT, SIDE = 4, 6


def _angle(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return np.arccos(np.clip(a @ b / np.linalg.norm(a) / np.linalg.norm(b), -1, 1))


def _dense_gan(num_classes=None):
    """A tiny GAN whose untrained generator output varies strongly with z
    (a StandardGAN's untrained output is ~0 everywhere, i.e. flat grey tiles)."""
    keras.utils.set_random_seed(0)
    init = keras.initializers.RandomNormal(stddev=0.7, seed=1)
    z = keras.Input((LATENT,))
    inputs, h = [z], z
    if num_classes is not None:
        label = keras.Input((), dtype="int32")
        inputs.append(label)
        h = keras.layers.Add()([z, keras.layers.Embedding(num_classes, LATENT)(label)])
    out = keras.layers.Dense(SIDE * SIDE, activation="tanh", kernel_initializer=init)(h)
    generator = keras.Model(
        inputs if num_classes else z, keras.layers.Reshape((SIDE, SIDE, 1))(out)
    )
    x = keras.Input((SIDE, SIDE, 1))
    d_inputs = [x] + ([keras.Input((), dtype="int32")] if num_classes else [])
    score = keras.layers.Dense(1)(keras.layers.Flatten()(x))
    discriminator = keras.Model(d_inputs if num_classes else x, score)
    return GAN(generator, discriminator, num_classes=num_classes, seed=0)


def _tile(grid, row, col, size=SIDE):
    top, left = BORDER + row * (size + BORDER), BORDER + col * (size + BORDER)
    return grid[top : top + size, left : left + size]


def _images(model, z, labels=None):
    if labels is not None:
        labels = np.asarray(labels, np.int32)
    return unscale_images(keras.ops.convert_to_numpy(model.generate(np.asarray(z), labels)))


# ------------------------------------------------------------------ paths
def test_lerp_midpoint_is_mean_and_endpoints_exact():
    z0, z1 = np.array([1.0, -2.0, 3.0], np.float32), np.array([3.0, 4.0, -1.0], np.float32)
    path = lerp(z0, z1, 5)
    assert path.shape == (5, 3) and path.dtype == np.float32
    np.testing.assert_array_equal(path[2], (z0 + z1) / 2)
    np.testing.assert_array_equal(path[[0, -1]], [z0, z1])
    np.testing.assert_allclose(np.diff(path, axis=0), np.tile((z1 - z0) / 4, (4, 1)), atol=1e-6)


def test_slerp_keeps_norm_and_turns_at_constant_rate():
    rng = np.random.default_rng(0)
    z0 = rng.standard_normal(16).astype(np.float32)
    z1 = rng.standard_normal(16)
    z1 = (z1 / np.linalg.norm(z1) * np.linalg.norm(z0)).astype(np.float32)
    path = slerp(z0, z1, 9)
    np.testing.assert_array_equal(path[[0, -1]], [z0, z1])
    norms = np.linalg.norm(path.astype(np.float64), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(z0), rtol=1e-5)
    steps = [_angle(a, b) for a, b in zip(path[:-1], path[1:])]
    np.testing.assert_allclose(steps, _angle(z0, z1) / 8, rtol=1e-4)


def test_slerp_closed_form_and_linear_norm():
    # Orthogonal axes: the midpoint is at 45 degrees, with the mean norm (1 + 3) / 2.
    path = slerp([1.0, 0.0], [0.0, 3.0], 3)
    np.testing.assert_allclose(path[1], 2.0 * np.array([1, 1]) / np.sqrt(2), rtol=1e-6)
    path = slerp([2.0, 0.0, 0.0], [0.0, 0.0, 6.0], 5)
    np.testing.assert_allclose(np.linalg.norm(path, axis=1), [2, 3, 4, 5, 6], rtol=1e-6)


@pytest.mark.parametrize("z1", [[2.0, 4.0, -2.0], [-1.0, -2.0, 1.0], [1.0, 2.0, -1.0 + 1e-9]])
def test_slerp_falls_back_to_lerp_for_parallel_vectors(z1):
    z0 = [1.0, 2.0, -1.0]
    path = slerp(z0, z1, 6)
    assert np.all(np.isfinite(path))
    np.testing.assert_array_equal(path, lerp(z0, z1, 6))
    np.testing.assert_array_equal(slerp([0.0, 0.0], [1.0, 1.0], 3), lerp([0.0, 0.0], [1.0, 1.0], 3))


@pytest.mark.parametrize("walk", [lerp, slerp])
def test_paths_reject_bad_input(walk):
    with pytest.raises(ValueError, match="steps must be an integer >= 2"):
        walk([1.0, 0.0], [0.0, 1.0], 1)
    with pytest.raises(ValueError, match="same shape"):
        walk([1.0, 0.0], [0.0, 1.0, 0.0], 4)
    with pytest.raises(ValueError, match="1-D latent vector"):
        walk([[1.0, 0.0]], [[0.0, 1.0]], 4)
    with pytest.raises(ValueError, match="NaN"):
        walk([np.nan, 0.0], [0.0, 1.0], 4)


# ------------------------------------------------------------------ arithmetic
def test_latent_arithmetic_closed_form():
    z_a = np.array([[1.0, 2.0], [3.0, 4.0]])  # mean [2, 3]
    z_b = np.array([[0.0, 1.0]])  # mean [0, 1]
    z_c = np.array([[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]])  # mean [2, 2]
    result = latent_arithmetic(z_a, z_b, z_c)
    assert result.dtype == np.float32
    np.testing.assert_array_equal(result, [4.0, 4.0])
    with pytest.raises(ValueError, match="one latent size"):
        latent_arithmetic(z_a, z_b, np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"\[n, D\] latents with n >= 1"):
        latent_arithmetic(z_a, np.zeros((0, 2)), z_c)


def test_arithmetic_latents_are_seeded_perturbations():
    z = np.ones((1, 4))
    latents = arithmetic_latents(z, z, z, perturbations=2000, std=0.25, seed=3)
    assert latents.shape == (2001, 4)
    np.testing.assert_array_equal(latents[0], np.ones(4))
    assert abs(np.std(latents[1:] - 1.0) - 0.25) < 0.01
    np.testing.assert_array_equal(latents, arithmetic_latents(z, z, z, 2000, 0.25, seed=3))


def test_arithmetic_grid_layout():
    model = _dense_gan()
    rng = np.random.default_rng(1)
    z_a, z_b, z_c = (rng.standard_normal((n, LATENT)).astype(np.float32) for n in (3, 2, 4))
    grid = arithmetic_grid(model, z_a, z_b, z_c, perturbations=5)
    columns = 6  # the longest row: the result and its 5 perturbations
    assert grid.shape == (4 * SIDE + 5 * BORDER, columns * SIDE + (columns + 1) * BORDER, 1)
    for row, z in enumerate((z_a, z_b, z_c)):
        images = _images(model, z)
        for col in range(len(z)):
            np.testing.assert_array_equal(_tile(grid, row, col), images[col])
        assert (_tile(grid, row, len(z)) == 255).all()  # white padding
    result = _images(model, latent_arithmetic(z_a, z_b, z_c)[None])[0]
    np.testing.assert_array_equal(_tile(grid, 3, 0), result)
    with pytest.raises(ValueError, match="model expects 4"):
        arithmetic_grid(model, z_a, z_b, np.zeros((2, 5)))
    with pytest.raises(ValueError, match="unconditional"):
        arithmetic_grid(model, z_a, z_b, z_c, label=1)


# ------------------------------------------------------------------ grids
def test_interpolation_grid_size_with_standard_gan():
    model = StandardGAN(data_shape=(28, 28, 1), latent_dim=8, base_filters=8, seed=0)
    grid = interpolation_grid(model, pairs=2, steps=3)
    assert grid.dtype == np.uint8
    assert grid.shape == (2 * 28 + 3 * BORDER, 3 * 28 + 4 * BORDER, 1)


def test_interpolation_grid_rows_run_from_z0_to_z1():
    model = _dense_gan()
    grid = interpolation_grid(model, pairs=3, steps=5, seed=4)
    assert grid.shape == (3 * SIDE + 4 * BORDER, 5 * SIDE + 6 * BORDER, 1)
    z0, z1 = interpolation_latents(model, pairs=3, seed=4)
    starts, ends = _images(model, z0), _images(model, z1)
    for row in range(3):
        np.testing.assert_array_equal(_tile(grid, row, 0), starts[row])
        np.testing.assert_array_equal(_tile(grid, row, 4), ends[row])
    np.testing.assert_array_equal(grid, interpolation_grid(model, pairs=3, steps=5, seed=4))
    assert not np.array_equal(grid, interpolation_grid(model, pairs=3, steps=5, seed=5))
    linear = interpolation_grid(model, pairs=3, steps=5, seed=4, method="lerp")
    np.testing.assert_array_equal(_tile(linear, 1, 4), ends[1])
    assert not np.array_equal(_tile(linear, 1, 2), _tile(grid, 1, 2))
    with pytest.raises(ValueError, match="method"):
        interpolation_grid(model, method="cubic")
    with pytest.raises(ValueError, match="steps"):
        interpolation_grid(model, steps=1)
    with pytest.raises(ValueError, match="unconditional"):
        interpolation_grid(model, pairs=2, labels=[0, 1])


def test_interpolation_grid_keeps_one_label_per_row():
    model = _dense_gan(num_classes=3)
    z0, _ = interpolation_latents(model, pairs=4, seed=0)
    default = interpolation_grid(model, pairs=4, steps=2)
    chosen = interpolation_grid(model, pairs=4, steps=2, labels=np.array([2, 2, 1, 0]))
    for row, (default_label, label) in enumerate(zip([0, 1, 2, 0], [2, 2, 1, 0])):
        np.testing.assert_array_equal(
            _tile(default, row, 0), _images(model, z0[row : row + 1], [default_label])[0]
        )
        np.testing.assert_array_equal(
            _tile(chosen, row, 0), _images(model, z0[row : row + 1], [label])[0]
        )
    assert not np.array_equal(_tile(default, 0, 0), _tile(chosen, 0, 0))  # labels matter
    with pytest.raises(ValueError, match="labels must be 4 integers"):
        interpolation_grid(model, pairs=4, labels=[0, 1])
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        interpolation_grid(model, pairs=2, labels=[0, 3])


def test_writers_save_the_grids(tmp_path):
    model = _dense_gan()
    path = write_interpolation(model, tmp_path / "walk.png", pairs=2, steps=3, seed=1)
    saved = np.asarray(Image.open(path))
    np.testing.assert_array_equal(
        saved, interpolation_grid(model, pairs=2, steps=3, seed=1)[..., 0]
    )
    z = np.eye(LATENT, dtype=np.float32)[:2]
    path = write_arithmetic(model, tmp_path / "sum.png", z, z[:1], z, perturbations=3)
    saved = np.asarray(Image.open(path))
    np.testing.assert_array_equal(
        saved, arithmetic_grid(model, z, z[:1], z, perturbations=3)[..., 0]
    )


def test_traversal_latents_sweep_one_coordinate_per_row():
    from tfgan_zoo.latent import traversal_latents

    z = traversal_latents(4, dims=[1, 3], values=[-1.0, 0.0, 2.0], base=[0.5, 0.5, 0.5, 0.5])
    assert z.shape == (6, 4)
    np.testing.assert_array_equal(z[:3, 1], [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(z[3:, 3], [-1.0, 0.0, 2.0])
    np.testing.assert_array_equal(z[:3, [0, 2, 3]], 0.5)
    with pytest.raises(ValueError, match="dims must be in"):
        traversal_latents(4, dims=[4], values=[0.0])


def test_traversal_grid_tiles_match_the_generator():
    from tfgan_zoo.baselines import VAE
    from tfgan_zoo.latent import traversal_grid, traversal_latents

    model = VAE(latent_dim=4, base_filters=4, seed=0)
    grid = traversal_grid(model, dims=[0, 2], values=[-2.0, 0.0, 2.0])
    assert grid.shape == (2 * 28 + 3 * 2, 3 * 28 + 4 * 2, 1)
    z = traversal_latents(4, [0, 2], [-2.0, 0.0, 2.0])
    last = unscale_images(keras.ops.convert_to_numpy(model.generate(z[-1:])))[0]
    np.testing.assert_array_equal(grid[-2 - 28 : -2, -2 - 28 : -2], last)
