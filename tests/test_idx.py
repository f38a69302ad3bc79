import gzip

import numpy as np
import pytest

from tfgan_zoo.data.idx import read_idx, write_idx


@pytest.mark.parametrize("name", ["images.idx", "images.idx.gz"])
def test_round_trip_uint8_3d(tmp_path, name):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    path = write_idx(tmp_path / name, array)
    loaded = read_idx(path)
    assert loaded.dtype == np.uint8
    assert loaded.shape == (2, 3, 4)
    np.testing.assert_array_equal(loaded, array)


@pytest.mark.parametrize("name", ["labels.idx", "labels.idx.gz"])
def test_round_trip_uint8_1d(tmp_path, name):
    array = np.array([9, 0, 3, 255], dtype=np.uint8)
    loaded = read_idx(write_idx(tmp_path / name, array))
    assert loaded.shape == (4,)
    np.testing.assert_array_equal(loaded, array)


def test_header_layout_is_big_endian(tmp_path):
    path = write_idx(tmp_path / "x.idx", np.zeros((2, 300), np.uint8))
    raw = path.read_bytes()
    assert raw[:4] == bytes([0, 0, 0x08, 2])
    assert raw[4:12] == bytes([0, 0, 0, 2, 0, 0, 0x01, 0x2C])
    assert len(raw) == 12 + 600


def test_gz_suffix_writes_gzip(tmp_path):
    path = write_idx(tmp_path / "x.idx.gz", np.ones(5, np.uint8))
    assert path.read_bytes()[:2] == b"\x1f\x8b"
    assert gzip.decompress(path.read_bytes())[:4] == bytes([0, 0, 8, 1])


def test_round_trip_int32_and_float32(tmp_path):
    ints = np.array([[-1, 70000]], dtype=np.int32)
    floats = np.array([0.5, -2.25], dtype=np.float32)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "i.idx", ints)), ints)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "f.idx", floats)), floats)


def test_bad_magic_names_file(tmp_path):
    path = tmp_path / "not-idx.bin"
    path.write_bytes(b"\x50\x4b\x03\x04" + bytes(16))
    with pytest.raises(ValueError, match="not-idx.bin") as info:
        read_idx(path)
    assert "magic" in str(info.value)
    assert "50 4b 03 04" in str(info.value)


def test_truncated_data_raises(tmp_path):
    path = write_idx(tmp_path / "short.idx", np.zeros((4, 5), np.uint8))
    path.write_bytes(path.read_bytes()[:-3])
    with pytest.raises(ValueError, match=r"short.idx.*truncated.*expected 20 data bytes.*found 17"):
        read_idx(path)


def test_truncated_header_raises(tmp_path):
    path = tmp_path / "header.idx.gz"
    path.write_bytes(gzip.compress(bytes([0, 0, 8, 3, 0, 0])))
    with pytest.raises(ValueError, match=r"header.idx.gz.*truncated.*expected 16 header bytes"):
        read_idx(path)
