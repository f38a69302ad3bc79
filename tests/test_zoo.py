"""The zoo loader: verified before deserializing, clear errors, remote entries."""

import json
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import keras
import numpy as np
import pytest

from tfgan_zoo import zoo
from tfgan_zoo.gans import DCGAN, ConditionalGAN


def _write_entry(directory, name, model, variant, kwargs):
    folder = directory / name
    folder.mkdir(parents=True)
    files = {}
    for part in ("generator", "discriminator"):
        getattr(model, part).save_weights(folder / f"{part}.weights.h5")
        files[part] = dict(
            path=f"{part}.weights.h5", sha256=zoo.sha256_file(folder / f"{part}.weights.h5")
        )
    config = dict(name=name, variant=variant, model=kwargs, dataset="fashion_mnist", files=files)
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "card.json").write_text(json.dumps({"metrics": {"fid": {"value": 1.5}}}))
    return folder


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    directory = tmp_path_factory.mktemp("models")
    kwargs = dict(latent_dim=8, base_filters=8, seed=5)
    dcgan = DCGAN(**kwargs)
    _write_entry(directory, "tiny_dcgan", dcgan, "dcgan", kwargs)
    ckwargs = dict(latent_dim=8, base_filters=8, seed=6)
    _write_entry(directory, "tiny_cgan", ConditionalGAN(**ckwargs), "cgan", ckwargs)
    return directory, dcgan


@pytest.fixture
def copy(catalogue, tmp_path):
    """A private copy of the catalogue that a test may damage."""
    shutil.copytree(catalogue[0], tmp_path / "models")
    return tmp_path / "models"


def test_load_restores_the_trained_weights(catalogue):
    directory, original = catalogue
    gan = zoo.load("tiny_dcgan", directory=directory)
    np.testing.assert_array_equal(gan.sample(4, seed=1), original.sample(4, seed=1))
    for part in ("generator", "discriminator"):
        for a, b in zip(getattr(gan, part).get_weights(), getattr(original, part).get_weights()):
            np.testing.assert_array_equal(a, b)
    generator = zoo.load("tiny_dcgan", part="generator", directory=directory)
    z = np.random.default_rng(0).normal(size=(2, 8)).astype(np.float32)
    np.testing.assert_array_equal(
        keras.ops.convert_to_numpy(generator(z)), keras.ops.convert_to_numpy(original.generator(z))
    )


def test_the_generator_part_of_an_entry_with_an_ema_is_the_average(tmp_path):
    """An entry trained with `ema_decay` ships one whole-model file; its
    part="generator" is the network `sample` and the card use (the average,
    which after 4 steps differs from G), not the raw G."""
    keras.utils.set_random_seed(0)
    kwargs = dict(latent_dim=8, base_filters=8, seed=5)
    model = DCGAN(**kwargs)
    model.compile(ema_decay=0.5, g_optimizer=keras.optimizers.Adam(0.01))
    images = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    model.fit(images, batch_size=16, epochs=1, verbose=0)
    folder = tmp_path / "ema_dcgan"
    folder.mkdir()
    model.save_weights(folder / "model.weights.h5")
    files = dict(
        model=dict(path="model.weights.h5", sha256=zoo.sha256_file(folder / "model.weights.h5"))
    )
    config = dict(
        name="ema_dcgan", variant="dcgan", model=kwargs, files=files, compile=dict(ema_decay=0.5)
    )
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "card.json").write_text(json.dumps({"metrics": {"fid": {"value": 1.5}}}))
    generator = zoo.load("ema_dcgan", part="generator", directory=tmp_path)
    z = np.random.default_rng(0).normal(size=(4, 8)).astype(np.float32)
    ours = keras.ops.convert_to_numpy(generator(z))
    np.testing.assert_array_equal(ours, keras.ops.convert_to_numpy(model.inference_network()(z)))
    assert np.abs(ours - keras.ops.convert_to_numpy(model.generator(z))).max() > 1e-3


def test_a_loaded_gan_fine_tunes_with_fit(catalogue):
    gan = zoo.load("tiny_cgan", directory=catalogue[0])
    before = [w.copy() for w in gan.generator.get_weights()]
    images = np.zeros((32, 28, 28, 1), np.float32)
    gan.fit(images, np.arange(32) % 10, batch_size=16, epochs=1, verbose=0)
    assert int(gan.g_optimizer.iterations) == 2
    assert any(not np.array_equal(a, b) for a, b in zip(before, gan.generator.get_weights()))


def test_from_preset_checks_the_variant(catalogue, monkeypatch):
    monkeypatch.setenv("TFGAN_ZOO_MODELS", str(catalogue[0]))
    assert isinstance(DCGAN.from_preset("tiny_dcgan"), DCGAN)
    with pytest.raises(ValueError, match="is a ConditionalGAN, not a DCGAN"):
        DCGAN.from_preset("tiny_cgan")


def test_a_changed_file_is_refused_before_deserialization(copy, monkeypatch):
    path = copy / "tiny_dcgan" / "discriminator.weights.h5"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    def must_not_run(*args, **kwargs):
        raise AssertionError("weights were read before the checksum check")

    monkeypatch.setattr(keras.Model, "load_weights", must_not_run)
    with pytest.raises(zoo.ChecksumError, match="discriminator.weights.h5 has sha256"):
        zoo.load("tiny_dcgan", directory=copy)


def test_missing_file_unknown_name_and_unknown_variant(copy):
    (copy / "tiny_dcgan" / "generator.weights.h5").unlink()
    with pytest.raises(zoo.ZooError, match="missing file"):
        zoo.load("tiny_dcgan", directory=copy)
    with pytest.raises(zoo.ZooError, match="Did you mean 'tiny_cgan'"):
        zoo.load("tiny_cgam", directory=copy)
    config_path = copy / "tiny_cgan" / "config.json"
    config = json.loads(config_path.read_text())
    config_path.write_text(json.dumps(dict(config, variant="stylegan9")))
    with pytest.raises(zoo.ZooError, match="needs variant 'stylegan9'.*upgrade"):
        zoo.load("tiny_cgan", directory=copy)


def test_config_objects_are_never_deserialized(copy):
    # A nested object could smuggle a serialized layer or function: refused.
    config_path = copy / "tiny_cgan" / "config.json"
    config = json.loads(config_path.read_text())
    config["model"]["latent_dim"] = {"class_name": "Lambda", "config": {"function": "..."}}
    config_path.write_text(json.dumps(config))
    with pytest.raises(zoo.ZooError, match="only plain values"):
        zoo.load("tiny_cgan", directory=copy)


@pytest.fixture
def file_server(tmp_path):
    served = tmp_path / "served"
    served.mkdir()
    requests = []

    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(served), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}", requests
    server.shutdown()


def test_a_remote_file_is_downloaded_once_and_verified(copy, file_server, tmp_path, monkeypatch):
    served, url, requests = file_server
    monkeypatch.setenv("TFGAN_ZOO_CACHE", str(tmp_path / "cache"))
    folder = copy / "tiny_dcgan"
    shutil.move(folder / "generator.weights.h5", served / "g.h5")
    config = json.loads((folder / "config.json").read_text())
    sha = config["files"]["generator"]["sha256"]
    config["files"]["generator"] = dict(url=f"{url}/g.h5", sha256=sha)
    (folder / "config.json").write_text(json.dumps(config))
    first = zoo.load("tiny_dcgan", directory=copy).sample(2, seed=0)
    second = zoo.load("tiny_dcgan", directory=copy).sample(2, seed=0)
    np.testing.assert_array_equal(first, second)
    assert requests == ["/g.h5"]  # the second load used the cache
    assert (tmp_path / "cache" / "zoo" / f"{sha}.weights.h5").is_file()
    # A server that returns other bytes is refused, and nothing is cached.
    (served / "g.h5").write_bytes(b"not the weights")
    shutil.rmtree(tmp_path / "cache")
    with pytest.raises(zoo.ChecksumError, match="downloaded sha256"):
        zoo.load("tiny_dcgan", directory=copy)
    assert list((tmp_path / "cache" / "zoo").iterdir()) == []


def test_a_baseline_entry_is_one_verified_weights_file(tmp_path):
    from tfgan_zoo.baselines import VAE

    folder = tmp_path / "models" / "tiny_vae"
    folder.mkdir(parents=True)
    original = VAE(latent_dim=4, base_filters=4, seed=2)
    original.save_weights(folder / "model.weights.h5")
    spec = dict(path="model.weights.h5", sha256=zoo.sha256_file(folder / "model.weights.h5"))
    (folder / "config.json").write_text(
        json.dumps(
            dict(
                name="tiny_vae",
                variant="vae",
                model=dict(latent_dim=4, base_filters=4, seed=2),
                files={"model": spec},
            )
        )
    )
    vae = zoo.load("tiny_vae", directory=tmp_path / "models")
    np.testing.assert_array_equal(vae.sample(3, seed=1), original.sample(3, seed=1))
    assert zoo.load("tiny_vae", part="generator", directory=tmp_path / "models") is not None
    data = bytearray((folder / "model.weights.h5").read_bytes())
    data[-100] ^= 0xFF
    (folder / "model.weights.h5").write_bytes(bytes(data))
    with pytest.raises(zoo.ChecksumError):
        zoo.load("tiny_vae", directory=tmp_path / "models")
