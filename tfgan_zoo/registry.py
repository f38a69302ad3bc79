"""The one registry of models: every class is recorded once, by name and kind.

    @register_model("dcgan", kind="gan")
    class DCGAN(GAN): ...

Kinds: "gan" (noise -> sample), "translator" (image -> image, trained on pairs or
two domains), "baseline" (non-adversarial likelihood models) and "reenactor"
(few reference images of an identity + a target pose -> that identity in that
pose, trained on episodes: `tfgan_zoo.data.posed_items`). The command line,
training runs, the zoo and the tests read this registry and nothing else. A
registered class also gains `from_preset(name)`, which loads a zoo entry of it.
`import tfgan_zoo` registers every model; the functions here also load the model
packages on first use, so importing this module alone is enough.
"""

import difflib
from dataclasses import dataclass

KINDS = ("gan", "translator", "baseline", "reenactor")


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    cls: type
    kind: str

    @property
    def description(self) -> str:
        """The class's `description`, else the first line of its docstring."""
        return (
            getattr(self.cls, "description", None)
            or (self.cls.__doc__ or "").strip().split("\n")[0]
        )


_MODELS: dict = {}


def register_model(name: str, kind: str = "gan"):
    """Class decorator recording `cls` under `name` with its `kind`."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, found {kind!r}")

    def record(cls):
        known = _MODELS.get(name)
        if known is not None and known.cls.__qualname__ != cls.__qualname__:
            raise ValueError(
                f"model name {name!r} is already registered to {known.cls.__qualname__}"
            )
        _MODELS[name] = RegisteredModel(name, cls, kind)
        from tfgan_zoo.zoo import from_preset  # the zoo imports no model: no cycle

        cls.from_preset = classmethod(from_preset)
        return cls

    return record


def _load_models():
    # The family packages register their classes when imported.
    import tfgan_zoo.families  # noqa: F401


def registered(kind: str | None = None) -> dict:
    """{name: RegisteredModel}, sorted by name, of one kind or of all."""
    _load_models()
    if kind is not None and kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, found {kind!r}")
    return {
        name: entry for name, entry in sorted(_MODELS.items()) if kind is None or entry.kind == kind
    }


def export_registered(namespace: dict, names: list, kinds: tuple) -> None:
    """Adds every registered class of `kinds` to a package's `namespace` and its
    `__all__` list `names`, by class name, where it is not there yet."""
    for entry in registered().values():
        if entry.kind in kinds and entry.cls.__name__ not in names:
            namespace[entry.cls.__name__] = entry.cls
            names.append(entry.cls.__name__)


def model_names(kind: str | None = None) -> list:
    return list(registered(kind))


def get_model(name: str, kind: str | None = None) -> type:
    """The class registered as `name` (of `kind`, when given), or a ValueError
    that lists close names."""
    models = registered(kind)
    if name in models:
        return models[name].cls
    what = "model" if kind is None else f"{kind} model"
    other = registered().get(name)
    if other is not None:
        raise ValueError(f"{name!r} is a {other.kind} model, not a {kind} model")
    close = difflib.get_close_matches(name, list(models), n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise ValueError(f"Unknown {what} {name!r}.{hint} Known: {', '.join(models)}.")


def kind_of(cls) -> str:
    """The kind a class (or its nearest registered ancestor) was registered with."""
    _load_models()
    for base in cls.__mro__:
        for entry in _MODELS.values():
            if entry.cls is base:
                return entry.kind
    raise ValueError(f"{cls.__qualname__} is not a registered model")
