"""The pretrained zoo: `load("fashion_dcgan")` gives a ready generator or GAN.

The catalogue is the top-level `models/` folder, installed with the package as
`tfgan_zoo.models`. Each entry is a folder:

  config.json      name, variant, constructor arguments, dataset, labels, and
                   every file with its sha256 (a local `path`, or a remote `url`
                   for weights too large for the wheel)
  card.json        the model card: data and licence, exact training command,
                   time and hardware, metrics with their protocol, file hashes
  *.weights.h5     generator and discriminator weights (GANs), or one
                   model.weights.h5 (baselines such as the VAE): arrays only

Loading never runs code from a file: the variant must be one this version
registers, its arguments must be plain JSON values, and the weight files (which
hold arrays, not layers) are hashed before Keras reads them. Remote files are
downloaded once into `$TFGAN_ZOO_CACHE/zoo/` (default `~/.cache/tfgan_zoo`).
"""

import difflib
import importlib.resources
import json
import operator
import os
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np

from tfgan_zoo.files import cache_dir, sha256_file  # noqa: F401  (public: zoo.sha256_file)

PARTS = ("generator", "discriminator")
COMPARISONS = {"<=": operator.le, ">=": operator.ge}


class ZooError(ValueError):
    """A catalogue entry that cannot be loaded, with the reason."""


class ChecksumError(ZooError):
    """A file whose sha256 differs from the one recorded in its entry."""


def catalogue_dir() -> Path:
    if os.environ.get("TFGAN_ZOO_MODELS"):
        return Path(os.environ["TFGAN_ZOO_MODELS"])
    try:
        return Path(str(importlib.resources.files("tfgan_zoo.models")))
    except ModuleNotFoundError:  # a source checkout that was not installed
        return Path(__file__).resolve().parent.parent / "models"


@dataclass
class Entry:
    name: str
    folder: Path
    config: dict
    card: dict

    @property
    def variant(self) -> str:
        return self.config["variant"]

    @property
    def metrics(self) -> dict:
        return self.card.get("metrics", {})

    @property
    def bars_missed(self) -> list[str]:
        """Each quality bar the card says this entry misses, as "fid 50.9 (bar <= 30)"."""
        return [
            f"{metric} {bar['value']:.3g} (bar {bar['target']})"
            for metric, bar in self.card.get("bars", {}).items()
            if not bar["met"]
        ]

    @property
    def size_bytes(self) -> int:
        """Bytes of its weight files: on disk, or as the config states for a `url` file."""
        total = 0
        for spec in self.config.get("files", {}).values():
            path = self.folder / spec.get("path", "")
            total += (
                path.stat().st_size if "path" in spec and path.is_file() else spec.get("size", 0)
            )
        return total


def bar_report(bars: dict, metrics: dict) -> dict:
    """{metric: {target, value, met}} for quality bars {metric: (comparison, target)}
    against a card's metrics."""
    report = {}
    for metric, (comparison, target) in bars.items():
        value = metrics[metric]["value"]
        report[metric] = dict(
            target=f"{comparison} {target:g}",
            value=value,
            met=bool(COMPARISONS[comparison](value, target)),
        )
    return report


def names(directory: str | Path | None = None) -> list[str]:
    directory = Path(directory) if directory else catalogue_dir()
    if not directory.is_dir():
        return []
    return sorted(p.name for p in directory.iterdir() if (p / "config.json").is_file())


def entry(name: str, directory: str | Path | None = None) -> Entry:
    directory = Path(directory) if directory else catalogue_dir()
    known = names(directory)
    if name not in known:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ZooError(f"No zoo entry {name!r}.{hint} Entries: {', '.join(known) or 'none'}.")
    folder = directory / name
    card_path = folder / "card.json"
    return Entry(
        name,
        folder,
        json.loads((folder / "config.json").read_text()),
        json.loads(card_path.read_text()) if card_path.is_file() else {},
    )


def entries(directory: str | Path | None = None) -> list[Entry]:
    return [entry(name, directory) for name in names(directory)]


def _cache_dir() -> Path:
    return cache_dir() / "zoo"


def _download(url, sha, timeout=60) -> Path:
    """The file at `url`, fetched once into the cache (named by its hash)."""
    target = _cache_dir() / f"{sha}.weights.h5"
    if target.is_file() and sha256_file(target) == sha:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply, open(tmp, "wb") as out:
            for block in iter(lambda: reply.read(1 << 20), b""):
                out.write(block)
        found = sha256_file(tmp)
        if found != sha:
            raise ChecksumError(
                f"{url}: downloaded sha256 {found} does not match the recorded {sha}; refusing it."
            )
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target


def verified_file(item: Entry, part: str) -> Path:
    """Local path of `part`'s weights after checking its sha256 (download if remote)."""
    spec = item.config.get("files", {}).get(part)
    if spec is None:
        raise ZooError(f"Zoo entry {item.name!r} has no {part} weights.")
    sha = spec["sha256"]
    if "url" in spec:
        return _download(spec["url"], sha)
    path = item.folder / spec["path"]
    if not path.is_file():
        raise ZooError(
            f"Zoo entry {item.name!r}: missing file {path}. Reinstall tfgan_zoo or "
            f"retrain it with `python tools/train_zoo.py --only {item.name}`."
        )
    found = sha256_file(path)
    if found != sha:
        raise ChecksumError(
            f"Zoo entry {item.name!r}: {path.name} has sha256 {found}, but "
            f"{sha} is recorded; refusing to load it (the file is corrupt or "
            "was changed)."
        )
    return path


def _plain(value, where):
    # Only JSON scalars and lists reach a constructor: a nested object could be
    # a serialized layer or function, which we never deserialize from a file.
    if isinstance(value, list):
        return [_plain(v, where) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise ZooError(
        f"{where}: only plain values are allowed in a zoo config, found {type(value).__name__}"
    )


def build(item: Entry):
    """The entry's model with fresh weights (variant and arguments checked)."""
    from tfgan_zoo.registry import registered

    known = registered()
    if item.variant not in known:
        raise ZooError(
            f"Zoo entry {item.name!r} needs variant {item.variant!r}, which this "
            f"version of tfgan_zoo does not have (known: {sorted(known)}); "
            "upgrade tfgan_zoo."
        )
    kwargs = {
        key: _plain(value, f"{item.name}: model.{key}")
        for key, value in item.config.get("model", {}).items()
    }
    # A GAN's `precision` key selects its dtype policy.
    return built(known[item.variant].cls.from_config(kwargs))


def built(model):
    """`model` with its variables made: models that build lazily (the autoencoder)
    are called once on zeros of their data's shape, so weights can be loaded."""
    if not model.built:
        model(np.zeros((1, *model.data_shape), np.float32))
    return model


def from_preset(cls, name: str, compile: bool = True):  # noqa: A002  (Keras' load_model argument)
    """`Model.from_preset(name)`, Keras-style: the zoo entry `name`, which must be
    a `cls`. The registry gives every registered model class this classmethod, so
    the engine itself never imports the zoo."""
    model = load(name, compile=compile)
    if not isinstance(model, cls):
        raise ValueError(
            f"zoo entry {name!r} is a {type(model).__name__}, not a "
            f"{cls.__name__}; use tfgan_zoo.zoo.load({name!r})."
        )
    return model


def load(
    name: str,
    part: str = "gan",
    compile: bool = True,  # noqa: A002  (as Keras' load_model names it)
    directory: str | Path | None = None,
) -> keras.Model:
    """A pretrained zoo model, verified before any weights are read.

    part="gan" (default): the whole model (a GAN with generator and discriminator
    weights, or a baseline such as the VAE), compiled with its defaults, ready
    for `sample` or for `fit` (fine-tuning). part="generator": just the
    generator network that samples: the moving average of G where the entry
    keeps one (`ema_decay`), as `sample` and the card use; a VAE's decoder.
    """
    if part not in ("gan", "generator"):
        raise ValueError(f"part must be 'gan' or 'generator', got {part!r}")
    item = entry(name, directory)
    files = item.config.get("files", {})
    if "model" in files:  # one weights file for the whole model
        path = verified_file(item, "model")
        model = build(item)
        if _is_gan(model):  # its EMA copies exist once compiled: compile as it was saved
            model.compile(**_compile_config(item))
        with warnings.catch_warnings():
            # The file holds no optimizer state, by design: Keras notes each skipped optimizer.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            model.load_weights(path)
        if part == "generator":
            if not hasattr(model, "generator"):
                raise ZooError(
                    f"Zoo entry {item.name!r} ({item.variant}) has no generator "
                    "network; load part='gan' and call its sample()."
                )
            # The network the card measured: an entry trained with an EMA samples from it.
            return model.inference_network() if _is_gan(model) else model.generator
        if compile and not _is_gan(model):
            model.compile(optimizer=keras.optimizers.Adam(1e-3))
        model.zoo_entry = item.name
        return model
    wanted = ["generator"] if part == "generator" else [p for p in PARTS if p in files]
    paths = {p: verified_file(item, p) for p in wanted}  # every hash before any loading
    model = build(item)
    for p, path in paths.items():
        getattr(model, p).load_weights(path)
    if part == "generator":
        return model.generator
    if compile:
        model.compile()
    model.zoo_entry = item.name
    return model


def _is_gan(model) -> bool:
    from tfgan_zoo.engine import GAN

    return isinstance(model, GAN)


def _compile_config(item: Entry) -> dict:
    """The compile arguments a whole-model file was saved under (EMA settings):
    plain values only, like the model's."""
    return {
        key: _plain(value, f"{item.name}: compile.{key}")
        for key, value in item.config.get("compile", {}).items()
    }
