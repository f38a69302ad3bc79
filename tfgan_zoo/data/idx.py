"""Read and write IDX files, the format of MNIST and Fashion-MNIST.

Layout: two zero bytes, a dtype code byte, a byte with the number of
dimensions, then one big-endian int32 per dimension, then the data in
big-endian row-major order. Files ending in ``.gz`` are gzip-compressed.
"""

import gzip
import struct
from pathlib import Path

import numpy as np

# IDX dtype codes; multi-byte types are big-endian on disk.
_CODE_TO_DTYPE = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_KIND_TO_CODE = {(dt.kind, dt.itemsize): code for code, dt in _CODE_TO_DTYPE.items()}


def _open(path, mode):
    return gzip.open(path, mode) if str(path).endswith(".gz") else open(path, mode)


def read_idx(path) -> np.ndarray:
    """Return the array stored in the IDX file at `path` (native byte order)."""
    path = Path(path)
    with _open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 4:
        raise ValueError(
            f"{path}: truncated IDX file: expected a 4-byte header, found {len(raw)} bytes"
        )
    zero0, zero1, code, ndim = raw[:4]
    if zero0 != 0 or zero1 != 0 or code not in _CODE_TO_DTYPE:
        raise ValueError(
            f"{path}: bad IDX magic number: expected 00 00 <dtype code in "
            f"{sorted(hex(c) for c in _CODE_TO_DTYPE)}> <ndim>, found {raw[:4].hex(' ')}"
        )
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(
            f"{path}: truncated IDX file: expected {header_size} header bytes "
            f"for {ndim} dimensions, found {len(raw)}"
        )
    shape = struct.unpack(f">{ndim}i", raw[4:header_size])
    dtype = _CODE_TO_DTYPE[code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(raw) - header_size
    if found != expected:
        kind = "truncated" if found < expected else "oversized"
        raise ValueError(
            f"{path}: {kind} IDX file: expected {expected} data bytes for "
            f"shape {shape} of {dtype.name}, found {found}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def write_idx(path, array) -> Path:
    """Write `array` to `path` as IDX, gzip-compressed if `path` ends with ``.gz``."""
    array = np.asarray(array)
    key = (array.dtype.kind, array.dtype.itemsize)
    if key not in _KIND_TO_CODE:
        raise ValueError(
            f"{path}: dtype {array.dtype} has no IDX code; expected one of "
            f"{[dt.name for dt in _CODE_TO_DTYPE.values()]}"
        )
    code = _KIND_TO_CODE[key]
    if array.ndim > 255:
        raise ValueError(f"{path}: IDX supports at most 255 dimensions, found {array.ndim}")
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}i", *array.shape)
    body = np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with _open(path, "wb") as f:
        f.write(header + body)
    return path


__all__ = ["read_idx", "write_idx"]
