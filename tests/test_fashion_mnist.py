import sys
import types

import numpy as np
import pytest

from tfgan_zoo.data import fashion_mnist
from tfgan_zoo.data.fashion_mnist import (
    CLASS_NAMES,
    find_local_dir,
    is_available,
    load_fashion_mnist,
)
from tfgan_zoo.data.idx import write_idx


def _write_fixture(directory, train_labels=(0, 1, 2, 9), test_labels=(5, 7)):
    """Tiny Fashion-MNIST lookalike where each image is filled with 10 * its index."""
    for prefix, labels in (("train", train_labels), ("t10k", test_labels)):
        labels = np.asarray(labels, np.uint8)
        images = (10 * np.arange(len(labels), dtype=np.uint8))[:, None, None] * np.ones(
            (1, 28, 28), np.uint8
        )
        write_idx(directory / f"{prefix}-images-idx3-ubyte.gz", images)
        write_idx(directory / f"{prefix}-labels-idx1-ubyte", labels)
    return directory


def test_class_names():
    assert len(CLASS_NAMES) == 10
    assert CLASS_NAMES[0] == "T-shirt/top" and CLASS_NAMES[9] == "Ankle boot"


def test_debian_train_split():
    images, labels = load_fashion_mnist("train", source="local")
    assert images.shape == (60000, 28, 28, 1) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.int64
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [6000] * 10)
    assert images.max() == 255 and images.min() == 0


def test_debian_test_split():
    images, labels = load_fashion_mnist("test")
    assert images.shape == (10000, 28, 28, 1)
    np.testing.assert_array_equal(np.bincount(labels, minlength=10), [1000] * 10)


def test_fixture_directory(tmp_path):
    _write_fixture(tmp_path)
    assert find_local_dir(tmp_path) == tmp_path and is_available(tmp_path)
    images, labels = load_fashion_mnist("train", data_dir=tmp_path)
    assert images.shape == (4, 28, 28, 1) and images.dtype == np.uint8
    np.testing.assert_array_equal(images[:, 5, 7, 0], [0, 10, 20, 30])
    np.testing.assert_array_equal(labels, [0, 1, 2, 9])
    assert labels.dtype == np.int64
    _, test_labels = load_fashion_mnist("test", data_dir=tmp_path, source="local")
    np.testing.assert_array_equal(test_labels, [5, 7])


def test_each_load_returns_its_own_arrays_and_reads_a_rewritten_file_again(tmp_path):
    # Decoded files stay in memory (a training run reads its split twice): one
    # caller's writes must not reach the next load, and a changed file is read anew.
    _write_fixture(tmp_path)
    images, labels = load_fashion_mnist("train", data_dir=tmp_path)
    images[:], labels[:] = 255, 0
    images, labels = load_fashion_mnist("train", data_dir=tmp_path)
    np.testing.assert_array_equal(images[:, 5, 7, 0], [0, 10, 20, 30])
    np.testing.assert_array_equal(labels, [0, 1, 2, 9])
    _write_fixture(tmp_path, train_labels=(4, 4, 4))
    images, labels = load_fashion_mnist("train", data_dir=tmp_path)
    np.testing.assert_array_equal(labels, [4, 4, 4])
    np.testing.assert_array_equal(images[:, 5, 7, 0], [0, 10, 20])


def test_env_var_dir_is_searched_first(tmp_path, monkeypatch):
    _write_fixture(tmp_path / "fashion-mnist", train_labels=(3, 3, 3))
    monkeypatch.setenv("TFGAN_ZOO_DATA_DIR", str(tmp_path))
    assert fashion_mnist.default_dirs()[0] == tmp_path / "fashion-mnist"
    _, labels = load_fashion_mnist("train", source="local")
    np.testing.assert_array_equal(labels, [3, 3, 3])


def test_empty_dir_raises_with_install_hint(tmp_path):
    assert find_local_dir(tmp_path) is None and not is_available(tmp_path)
    for source in ("local", "auto"):
        with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist") as info:
            load_fashion_mnist(data_dir=tmp_path, source=source)
        assert "TFGAN_ZOO_DATA_DIR" in str(info.value)


def test_labels_out_of_range_raise(tmp_path):
    _write_fixture(tmp_path, train_labels=(0, 10))
    with pytest.raises(ValueError, match=r"labels in \[0, 10\).*\[0, 10\]"):
        load_fashion_mnist("train", data_dir=tmp_path)


def test_count_mismatch_raises(tmp_path):
    _write_fixture(tmp_path)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(ValueError, match=r"one label per image \(4\)"):
        load_fashion_mnist("train", data_dir=tmp_path)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="split"):
        load_fashion_mnist("validation")
    with pytest.raises(ValueError, match="source"):
        load_fashion_mnist(source="web")


def test_tfds_missing_points_to_extra(monkeypatch):
    # A None entry in sys.modules makes the import fail, whether or not tfds is installed.
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.raises(ImportError, match=r"tfgan-zoo\[tfds\]"):
        load_fashion_mnist(source="tfds")


def _fake_tfds(calls):
    """A stand-in tensorflow_datasets module that records how `load` was called."""
    module = types.ModuleType("tensorflow_datasets")

    def load(name, **kwargs):
        calls.append((name, kwargs))
        return np.full((3, 28, 28, 1), 7, np.uint8), np.array([1, 2, 3])

    module.load = load
    module.as_numpy = lambda tree: tree
    return module


def test_auto_falls_back_to_tfds_with_warning(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("TFGAN_ZOO_DATA_DIR", raising=False)
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "missing")
    calls = []
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", _fake_tfds(calls))
    images, labels = load_fashion_mnist("test")
    assert calls == [
        (
            "fashion_mnist",
            {"split": "test", "batch_size": -1, "try_gcs": False, "as_supervised": True},
        )
    ]
    assert images.shape == (3, 28, 28, 1) and labels.dtype == np.int64
    assert "needs network" in capsys.readouterr().err


def test_auto_without_local_or_tfds_gives_local_error(tmp_path, monkeypatch):
    monkeypatch.delenv("TFGAN_ZOO_DATA_DIR", raising=False)
    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "missing")
    monkeypatch.setitem(sys.modules, "tensorflow_datasets", None)
    with pytest.raises(FileNotFoundError, match="apt-get install dataset-fashion-mnist"):
        load_fashion_mnist("train")
