"""File helpers shared by checkpoints, the zoo and the feature networks."""

import hashlib
import os
from pathlib import Path


def cache_dir(path=None) -> Path:
    """Where derived files are kept between runs: `path`, else $TFGAN_ZOO_CACHE,
    else ~/.cache/tfgan_zoo."""
    if path is not None:
        return Path(path)
    return Path(os.environ.get("TFGAN_ZOO_CACHE", Path.home() / ".cache" / "tfgan_zoo"))


def sha256_file(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_text_atomically(path, text: str) -> Path:
    """Readers see the old or the new file, never a partial one."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text)
    os.replace(tmp, path)
    return path
