"""Writes one small `.keras` file per registered model, with inputs and the outputs
they gave when saved, to tests/data/compat/<version>/. tests/test_compat.py loads
every set ever written and checks the outputs, so a file saved by an older version
keeps loading after its class is reorganised or renamed.

    python tools/make_compat_fixtures.py
"""

import json
import sys
from pathlib import Path

import numpy as np
import tensorflow as tf

import tfgan_zoo
from tfgan_zoo.registry import registered

SIDE = 16
ROOT = Path(__file__).resolve().parents[1] / "tests" / "data" / "compat"


def reference_run(name, model, kind):
    """{input and output arrays} that do not depend on the model's noise streams."""
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (2, SIDE, SIDE, 1)).astype(np.float32)
    if name == "cyclegan":
        return dict(
            images=images, ab=np.asarray(model.g_ab(images)), ba=np.asarray(model.g_ba(images))
        )
    if name == "pix2pix":
        return dict(images=images, out=np.asarray(model.generator(images)))
    if name == "bicyclegan":
        z = rng.standard_normal((2, model.latent_dim)).astype(np.float32)
        return dict(images=images, z=z, out=np.asarray(model.generator([images, z])))
    if name == "autoencoder":
        return dict(images=images, out=np.asarray(model(images)))
    if name == "pixelcnn":
        pixels = rng.integers(0, 256, (2, SIDE, SIDE, 1)).astype(np.float32)
        return dict(pixels=pixels, out=np.asarray(model(pixels)))
    z = np.asarray(model.sample_latent(2, tf.constant([0, 0], tf.int64)))
    labels = np.array([1, 3], np.int32) if getattr(model, "num_classes", None) else None
    out = model.generate(tf.constant(z), None if labels is None else tf.constant(labels))
    run = dict(z=z, out=np.asarray(out))
    if labels is not None:
        run["labels"] = labels
    return run


# Small widths, under the argument names of the version that writes the set.
WIDTHS = {
    "autoencoder": dict(base_filters=4),
    "began": dict(base_filters=8),
    "bicyclegan": dict(base_filters=8),
    "biggan": dict(base_filters=8, embedding_dim=8),
    "cgan": dict(base_filters=8),
    "cyclegan": dict(base_filters=4, d_base_filters=8),
    "dcgan": dict(base_filters=8),
    "dragan": dict(base_filters=8),
    "info_stylegan": dict(filters=(16, 8, 8), w_dim=16),
    "infogan": dict(base_filters=8),
    "lsgan": dict(base_filters=8),
    "pix2pix": dict(base_filters=8),
    "progan": dict(filters=(16, 8, 8)),
    "semi_stylegan": dict(filters=(16, 8, 8), w_dim=16),
    "standard": dict(base_filters=8),
    "stylegan": dict(filters=(16, 8, 8), w_dim=16),
    "vae": dict(base_filters=8),
    "vanilla": dict(hidden=(16, 16)),
    "wgan": dict(base_filters=8),
    "wgan_gp": dict(base_filters=8),
}


def build(entry):
    shape = (SIDE, SIDE, 1)
    widths = WIDTHS.get(entry.name, {})
    if entry.kind == "baseline":
        if entry.name == "pixelcnn":
            model = entry.cls(levels=4, base_filters=8, blocks=1)
            model.build((None, *shape))
            return model
        return entry.cls(image_shape=shape, **widths)
    num_classes = 10 if entry.kind == "gan" and entry.cls.conditional else None
    return entry.cls.for_data(shape, num_classes, **widths)


def main():
    out = ROOT / tfgan_zoo.__version__
    out.mkdir(parents=True, exist_ok=True)
    index = {}
    for name, entry in registered().items():
        tf.keras.utils.set_random_seed(0)
        model = build(entry)
        run = reference_run(name, model, entry.kind)
        model.save(out / f"{name}.keras")
        np.savez_compressed(out / f"{name}.npz", **run)
        index[name] = entry.cls.__name__
        print(name, {k: v.shape for k, v in run.items()}, file=sys.stderr)
    (out / "index.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
