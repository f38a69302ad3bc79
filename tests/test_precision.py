"""Mixed precision: bfloat16 and loss-scaled float16 training, saving and export."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.engine.precision import model_precision, precision_policy
from tfgan_zoo.gans import DCGAN, WGANGP
from tfgan_zoo.serving import export_generator, generate_uint8


def _images(n, seed=0):
    return np.random.default_rng(seed).uniform(-1, 1, (n, 8, 8, 1)).astype("float32")


def _dcgan(precision, cls=DCGAN, **kwargs):
    keras.utils.set_random_seed(0)
    with precision_policy(precision):
        model = cls.for_data((8, 8, 1), latent_dim=8, seed=0, **kwargs)
    model.compile()
    return model


def test_policy_is_scoped_and_last_layers_stay_float32():
    before = keras.mixed_precision.global_policy().name
    model = _dcgan("mixed_bfloat16")
    assert keras.mixed_precision.global_policy().name == before == "float32"
    assert model.precision == "mixed_bfloat16"
    assert model_precision(model.discriminator) == "mixed_bfloat16"
    convs = [l for l in model.generator.layers if isinstance(l, keras.layers.Conv2DTranspose)]
    assert convs[0].compute_dtype == "bfloat16" and convs[0].kernel.dtype == "float32"
    assert model.generator.get_layer("image").compute_dtype == "float32"
    assert model.discriminator.get_layer("logit").compute_dtype == "float32"
    assert model.sample(3).dtype == np.float32
    with pytest.raises(ValueError, match="precision must be one of"):
        with precision_policy("float8"):
            pass


def test_bfloat16_fit_updates_and_round_trips(tmp_path):
    model = _dcgan("mixed_bfloat16")
    start = [w.numpy().copy() for w in model.generator.trainable_weights]
    history = model.fit(_images(64), batch_size=16, epochs=1, verbose=0).history
    assert all(np.isfinite(v[-1]) for v in history.values())
    moved = max(
        np.abs(a - w.numpy()).max() for a, w in zip(start, model.generator.trainable_weights)
    )
    assert moved > 1e-4
    assert not isinstance(
        model.g_optimizer, keras.optimizers.LossScaleOptimizer
    )  # no underflow in bf16

    model.save(tmp_path / "bf16.keras")
    loaded = keras.saving.load_model(tmp_path / "bf16.keras")
    assert loaded.precision == "mixed_bfloat16"
    np.testing.assert_array_equal(loaded.sample(4, seed=2), model.sample(4, seed=2))
    # Training continues from the restored optimizer state.
    assert int(loaded.g_optimizer.iterations) == 4


@pytest.mark.slow
def test_float16_fit_is_loss_scaled_and_finite(tmp_path):
    # WGAN-GP: the penalty's double backprop runs under loss scaling too.
    model = _dcgan("mixed_float16", WGANGP, base_filters=8)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    start = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    history = model.fit(_images(200), batch_size=40, epochs=2, verbose=0).history
    for name, values in history.items():
        assert np.all(np.isfinite(values)), name
    # 5 batches x 2 epochs x 5 D steps = 50; dynamic scaling starts at 2^15 and
    # skips (and halves the scale on) a step whose scaled gradients overflow.
    skipped = 50 - int(model.d_optimizer.iterations)
    assert 0 <= skipped <= 5
    scale = float(model.d_optimizer.dynamic_scale.numpy())
    assert scale == 2.0**15 / 2**skipped
    moved = max(
        np.abs(a - w.numpy()).max() for a, w in zip(start, model.discriminator.trainable_weights)
    )
    assert moved > 1e-4

    model.save(tmp_path / "fp16.keras")
    loaded = keras.saving.load_model(tmp_path / "fp16.keras")
    assert loaded.precision == "mixed_float16"
    assert isinstance(loaded.d_optimizer, keras.optimizers.LossScaleOptimizer)  # not wrapped twice
    assert isinstance(loaded.d_optimizer.inner_optimizer, keras.optimizers.Adam)


def test_float16_loss_scale_skips_a_non_finite_step():
    model = _dcgan("mixed_float16")
    before = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    scale = float(model.d_optimizer.dynamic_scale.numpy())
    grads = [tf.fill(w.shape, np.inf) for w in model.discriminator.trainable_weights]
    model.d_optimizer.apply(grads, model.discriminator.trainable_weights)
    after = [w.numpy() for w in model.discriminator.trainable_weights]
    assert all(np.array_equal(a, b) for a, b in zip(before, after))
    assert float(model.d_optimizer.dynamic_scale.numpy()) == scale / 2


def test_mixed_precision_export_stays_float32_in_uint8_out(tmp_path):
    model = _dcgan("mixed_bfloat16")
    path = export_generator(model, tmp_path / "bf16")
    generate = tf.saved_model.load(str(path)).signatures["generate"]
    assert generate.structured_input_signature[1]["z"].dtype == tf.float32
    z = np.random.default_rng(3).standard_normal((5, 8)).astype("float32")
    images = generate(z=tf.constant(z))["images"]
    assert images.dtype == tf.uint8
    np.testing.assert_array_equal(images.numpy(), generate_uint8(model.generator, z).numpy())
