"""The edges of `sample` and of loading: empty and negative counts, labels where
they do not belong, and `import tfgan_zoo` as all that loading a saved model needs."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tfgan_zoo.baselines import VAE, PixelCNN
from tfgan_zoo.gans import DCGAN, BigGAN, ConditionalGAN, StyleGAN, VanillaGAN


@pytest.fixture(scope="module")
def models():
    return dict(
        vanilla=VanillaGAN(data_shape=(2,), latent_dim=2, hidden=(8,), seed=0),
        cgan=ConditionalGAN(data_shape=(2,), num_classes=3, latent_dim=2, hidden=(8, 8, 8), seed=0),
        dcgan=DCGAN(image_shape=(28, 28, 1), base_filters=8, seed=0),
        stylegan=StyleGAN(seed=0),
        biggan=BigGAN(base_filters=8, seed=0),
        vae=VAE(latent_dim=4, base_filters=8, seed=0),
        pixelcnn=PixelCNN(base_filters=8, blocks=1),
    )


@pytest.mark.parametrize(
    "name, shape",
    [
        ("vanilla", (0, 2)),
        ("cgan", (0, 2)),
        ("dcgan", (0, 28, 28, 1)),
        ("stylegan", (0, 32, 32, 1)),
        ("biggan", (0, 28, 28, 1)),
        ("vae", (0, 28, 28, 1)),
        ("pixelcnn", (0, 28, 28, 1)),
    ],
)
def test_zero_samples_is_an_empty_array_of_the_sample_shape(models, name, shape):
    model = models[name]
    labels = [] if name == "vae" and model.num_classes else None
    empty = model.sample(0, labels=labels, seed=1)
    assert isinstance(empty, np.ndarray) and empty.shape == shape
    assert model.sample(2, seed=1).shape == (2, *shape[1:])


@pytest.mark.parametrize(
    "name", ["vanilla", "cgan", "dcgan", "stylegan", "biggan", "vae", "pixelcnn"]
)
@pytest.mark.parametrize("n", [-1, 2.5, True])
def test_a_bad_count_is_a_clear_value_error(models, name, n):
    with pytest.raises(ValueError, match=r"n must be a non-negative integer; got"):
        models[name].sample(n, seed=1)


@pytest.mark.parametrize("name", ["vanilla", "dcgan", "stylegan", "vae"])
def test_labels_for_an_unconditional_model_are_refused(models, name):
    with pytest.raises(ValueError, match="labels= is for conditional models"):
        models[name].sample(4, labels=1, seed=1)


def test_conditional_labels_are_checked(models):
    cgan = models["cgan"]
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\); got 0\.\.3"):
        cgan.sample(4, labels=[0, 1, 2, 3])
    with pytest.raises(ValueError, match="labels must be one int or 4 ints; got shape"):
        cgan.sample(4, labels=[0, 1])
    with pytest.raises(ValueError, match="labels must be integers"):
        cgan.sample(2, labels=[0.5, 1.0])
    # One label for all rows, and the default cycle through the classes.
    np.testing.assert_array_equal(
        cgan.sample(3, labels=2, seed=4), cgan.sample(3, labels=[2, 2, 2], seed=4)
    )
    np.testing.assert_array_equal(
        cgan.sample(4, seed=4), cgan.sample(4, labels=[0, 1, 2, 0], seed=4)
    )


@pytest.mark.slow
def test_import_tfgan_zoo_is_enough_to_load_a_saved_model(models, tmp_path):
    path = tmp_path / "model.keras"
    models["vanilla"].save(path)
    expected = models["vanilla"].sample(5, seed=3)
    np.save(tmp_path / "expected.npy", expected)
    script = textwrap.dedent(f"""
        import keras, numpy as np
        import tfgan_zoo
        model = keras.saving.load_model({str(path)!r})
        got = model.sample(5, seed=3)
        np.testing.assert_array_equal(got, np.load({str(tmp_path / "expected.npy")!r}))
        print(type(model).__name__)
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "VanillaGAN"
