"""`--dataset` forms: folders of images, tfds, arrays; sizes, channels and bad files.

Folders are built here from Fashion-MNIST items drawn as colour images on
coloured backgrounds, written as PNG and JPEG, with a corrupt file and a grey
image mixed in."""

import numpy as np
import pytest
from helpers.pictures import coloured_items
from PIL import Image

from tfgan_zoo.data import image_files, sources
from tfgan_zoo.data.pipeline import epoch_batches

SIDE = 32


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """two class folders of PNGs and JPEGs, one grey image, one corrupt file."""
    root = tmp_path_factory.mktemp("images")
    images, _ = coloured_items(12)
    for i, image in enumerate(images):
        sub = root / ("shirts" if i % 2 else "shoes")
        sub.mkdir(exist_ok=True)
        Image.fromarray(image).save(sub / f"{i:02d}.{'png' if i < 8 else 'jpg'}")
    Image.fromarray(images[0].mean(-1).astype(np.uint8)).save(root / "shoes" / "grey.png")
    (root / "shirts" / "broken.png").write_bytes(b"\x89PNG not really")
    (root / "shoes" / ".hidden.png").write_bytes(b"ignored")
    return root, images


def test_a_folder_decodes_every_readable_image_and_says_what_it_skipped(folder):
    root, images = folder
    found = sources.image_set(sources.parse(str(root)))
    # 12 items + the grey image; the broken file is skipped, the hidden one not listed.
    assert found.images.shape == (13, SIDE, SIDE, 3) and found.images.dtype == np.uint8
    assert found.labels is None
    assert any("skipped 1 unreadable image file(s)" in n and "broken.png" in n for n in found.notes)
    assert "converted 1 grey images to colour" in found.notes
    files = image_files.list_images(root)
    order = [p.name for p in files if p.name != "broken.png"]
    png = order.index("02.png")  # PNG pixels at the size asked for pass unchanged
    np.testing.assert_array_equal(found.images[png], images[2])
    jpeg = order.index("09.jpg")  # JPEG is lossy: close, not equal
    assert np.abs(found.images[jpeg].astype(int) - images[9]).mean() < 6


def test_class_subfolders_are_labels_in_sorted_order(folder):
    root, _ = folder
    found = sources.image_set(sources.parse(str(root)), labels="subfolders")
    assert found.class_names == ("shirts", "shoes")
    assert np.bincount(found.labels).tolist() == [6, 7]  # 6 shirts; 6 shoes + grey
    with pytest.raises(ValueError, match="--labels subfolders"):
        sources.image_set(sources.parse(str(root)), labels=True)


def test_size_and_channels_are_converted_and_power_of_two_is_checked(folder):
    root, images = folder
    spec = sources.parse(str(root))
    small = sources.image_set(spec, side=16, channels=1)
    assert small.images.shape == (13, 16, 16, 1)
    assert any("resized and centre-cropped 13 of 13 images to 16×16" in n for n in small.notes)
    # Halving a 32-pixel image with the antialiased bilinear (tent) filter: each output
    # pixel weighs the four nearest inputs per axis by (1, 3, 3, 1) / 8, renormalised at
    # the borders; in grey with the ITU-R 601 weights.
    grey = images[2].astype(float) @ np.array(image_files._GREY_WEIGHTS)
    halve = np.zeros((16, 32))
    for i in range(16):
        for k, weight in zip(range(2 * i - 1, 2 * i + 3), (1, 3, 3, 1)):
            if 0 <= k < 32:
                halve[i, k] = weight
    halve /= halve.sum(axis=1, keepdims=True)
    expected = halve @ grey @ halve.T
    order = [p.name for p in image_files.list_images(root) if p.name != "broken.png"]
    assert np.abs(small.images[order.index("02.png"), ..., 0] - expected).max() <= 1.0
    with pytest.raises(
        ValueError, match=r"power-of-two image size \(4, 8, 16.*got --image-size 48"
    ):
        sources.image_set(spec, side=48, power_of_two=True)


def test_a_wide_image_is_resized_on_its_short_side_and_centre_cropped(tmp_path):
    image = np.zeros((20, 40, 3), np.uint8)
    image[:, 10:30] = 255  # the central 20×20 square is white, the sides black
    Image.fromarray(image).save(tmp_path / "wide.png")
    found = sources.image_set(sources.parse(str(tmp_path)), side=10)
    assert found.images.shape == (1, 10, 10, 3)
    # Only the white centre survives the crop; the antialiasing filter reaches half an
    # output pixel past it, so the edge columns mix in some black.
    assert found.images[0, :, 1:-1].min() == 255 and found.images[0].min() > 200
    # Default size: the smallest short side, rounded down to a power of two if needed.
    assert sources.image_set(sources.parse(str(tmp_path))).images.shape[1] == 20
    assert sources.image_set(sources.parse(str(tmp_path)), power_of_two=True).images.shape[1] == 16


def test_sets_over_the_memory_budget_are_read_from_disk_in_the_same_order(
    folder, tmp_path, monkeypatch
):
    root, _ = folder
    in_memory = sources.image_set(sources.parse(str(root)), side=16)
    monkeypatch.setenv("TFGAN_ZOO_MEMORY_BUDGET_MB", "0")
    monkeypatch.setenv("TFGAN_ZOO_CACHE", str(tmp_path))
    on_disk = sources.image_set(sources.parse(str(root)), side=16)
    assert isinstance(on_disk.images, np.memmap)
    np.testing.assert_array_equal(on_disk.images, in_memory.images)
    # The next run reuses the decoded file instead of decoding again.
    monkeypatch.setattr(image_files, "_decode_file", None)
    again = sources.image_set(sources.parse(str(root)), side=16)
    np.testing.assert_array_equal(again.images, in_memory.images)
    # Batches are the same functions of (seed, epoch) from disk as from memory.
    batches = [
        [b.numpy() for b in epoch_batches(x, None, 4, 3, seed=5, start_epoch=2).take(6)]
        for x in (in_memory.images, on_disk.images)
    ]
    np.testing.assert_array_equal(batches[0], batches[1])


def test_empty_and_unreadable_folders_say_so(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="holds no image files"):
        sources.image_set(sources.parse(str(tmp_path / "empty")))
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "a.jpg").write_bytes(b"nope")
    with pytest.raises(ValueError, match="none of the 1 image files"):
        sources.image_set(sources.parse(str(tmp_path / "bad")))


def test_dataset_values_parse_or_fail_in_one_line(tmp_path):
    assert sources.parse("fashion_mnist") == sources.DatasetSpec("built-in", "fashion_mnist")
    assert sources.parse("tfds:cycle_gan/horse2zebra:testA") == sources.DatasetSpec(
        "tfds", "cycle_gan/horse2zebra", "testA"
    )
    assert sources.parse("tfds:cifar10").split == "train"
    with pytest.raises(ValueError, match="Did you mean 'fashion_mnist'"):
        sources.parse("fashion_mnst")
    with pytest.raises(FileNotFoundError, match="no such file"):
        sources.parse(str(tmp_path / "missing.npz"))


def test_arrays_from_npz_and_npy(tmp_path):
    images, labels = coloured_items(6, side=8)
    np.savez(tmp_path / "set.npz", images=images, labels=labels)
    found = sources.image_set(sources.parse(str(tmp_path / "set.npz")), labels=True)
    np.testing.assert_array_equal(found.images, images)
    np.testing.assert_array_equal(found.labels, labels)
    np.save(tmp_path / "floats.npy", images[..., :1] / 127.5 - 1.0)  # [-1, 1] floats
    grey = sources.image_set(sources.parse(str(tmp_path / "floats.npy")))
    np.testing.assert_array_equal(grey.images, images[..., :1])
    np.savez(tmp_path / "wrong.npz", pictures=images)
    with pytest.raises(ValueError, match="under 'images' or 'x'"):
        sources.image_set(sources.parse(str(tmp_path / "wrong.npz")))
    np.save(tmp_path / "range.npy", images.astype("float32"))
    with pytest.raises(ValueError, match=r"must lie in \[-1, 1\]"):
        sources.image_set(sources.parse(str(tmp_path / "range.npy")))
    with pytest.raises(ValueError, match="needs labels"):
        sources.image_set(sources.parse(str(tmp_path / "floats.npy")), labels=True)


def test_tfds_datasets_give_images_and_labels_and_clear_errors(tmp_path):
    tfds = pytest.importorskip("tensorflow_datasets")
    with tfds.testing.mock_data(num_examples=7, policy=tfds.testing.MockPolicy.USE_CODE):
        found = sources.image_set(sources.parse("tfds:mnist"), side=16, channels=3, labels=True)
    assert found.images.shape == (7, 16, 16, 3) and found.num_classes == 10
    assert found.labels.min() >= 0 and found.labels.max() < 10
    with pytest.raises(ValueError, match="no tensorflow-datasets dataset 'mnistt'.*mnist"):
        sources._tfds_examples("mnistt", "train")
    with pytest.raises(FileNotFoundError, match="is not on this machine.*TFDS_DATA_DIR"):
        sources._tfds_examples("mnist", "train", data_dir=str(tmp_path))


def test_paired_folders_side_by_side_or_matched_by_name(tmp_path):
    sources_, targets = coloured_items(4, side=8, seed=1)[0], coloured_items(4, side=8)[0]
    (tmp_path / "pairs").mkdir()
    for i in range(4):
        Image.fromarray(np.concatenate([sources_[i], targets[i]], axis=1)).save(
            tmp_path / "pairs" / f"{i}.png"
        )
    first, second, _ = sources.image_pairs(sources.parse(str(tmp_path / "pairs")))
    np.testing.assert_array_equal(first, sources_)
    np.testing.assert_array_equal(second, targets)
    swapped = sources.image_pairs(sources.parse(str(tmp_path / "pairs")), order="right-to-left")
    np.testing.assert_array_equal(swapped[0], targets)

    for side, images in (("A", sources_), ("B", targets)):
        (tmp_path / "ab" / side).mkdir(parents=True)
        for i in range(4):
            Image.fromarray(images[i]).save(tmp_path / "ab" / side / f"{i}.png")
    first, second, _ = sources.image_pairs(sources.parse(str(tmp_path / "ab")))
    np.testing.assert_array_equal(first, sources_)
    np.testing.assert_array_equal(second, targets)
    (tmp_path / "ab" / "B" / "3.png").rename(tmp_path / "ab" / "B" / "x.png")
    with pytest.raises(ValueError, match="2 have no partner: 3, x"):
        sources.image_pairs(sources.parse(str(tmp_path / "ab")))


def test_unpaired_folders_are_two_domains(tmp_path):
    a, b = coloured_items(3, side=8)[0], coloured_items(5, side=8, seed=2)[0]
    for name, images in (("trainA", a), ("trainB", b)):
        (tmp_path / name).mkdir()
        for i, image in enumerate(images):
            Image.fromarray(image).save(tmp_path / name / f"{i}.png")
    first, second, _ = sources.image_domains(sources.parse(str(tmp_path)))
    np.testing.assert_array_equal(first, a)
    np.testing.assert_array_equal(second, b)
    (tmp_path / "extra").mkdir()
    with pytest.raises(ValueError, match="exactly two subfolders, one per domain; found 3"):
        sources.image_domains(sources.parse(str(tmp_path)))
