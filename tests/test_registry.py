"""One registry: every model class is recorded once, by name and kind, and the CLI,
training and the zoo find models through it."""

import ast
import inspect
from pathlib import Path

import pytest

import tfgan_zoo
from tfgan_zoo import registry
from tfgan_zoo.cli import main

GANS = [
    "began",
    "biggan",
    "cgan",
    "dcgan",
    "dragan",
    "info_stylegan",
    "infogan",
    "lsgan",
    "sngan",
    "progan",
    "semi_stylegan",
    "standard",
    "stylegan",
    "vanilla",
    "wgan",
    "wgan_gp",
]


def test_every_model_is_registered_with_its_kind():
    # At least these (a model added by docs/contributing.md needs no line here).
    assert set(registry.model_names("gan")) >= set(GANS)
    assert set(registry.model_names("translator")) >= {"bicyclegan", "cyclegan", "pix2pix"}
    assert set(registry.model_names("baseline")) >= {"autoencoder", "pixelcnn", "vae"}
    assert len(registry.registered()) >= 22
    for entry in registry.registered().values():
        assert entry.description, entry.name
        assert registry.kind_of(entry.cls) == entry.kind
        # Every registered class is exported by its package.
        package = tfgan_zoo.gans if entry.kind != "baseline" else tfgan_zoo.baselines
        assert getattr(package, entry.cls.__name__) is entry.cls
        assert entry.cls.__name__ in package.__all__


def test_lookups_name_the_kind_and_suggest_close_names():
    assert registry.get_model("stylegan") is tfgan_zoo.gans.StyleGAN
    with pytest.raises(ValueError, match=r"Unknown model 'stylegann'\. Did you mean 'stylegan'"):
        registry.get_model("stylegann")
    with pytest.raises(ValueError, match="'pix2pix' is a translator model, not a gan model"):
        registry.get_model("pix2pix", kind="gan")
    with pytest.raises(ValueError, match="kind must be one of"):
        registry.registered("discriminator")


def test_a_name_cannot_be_taken_twice():
    class Another:
        pass

    with pytest.raises(ValueError, match="'dcgan' is already registered to DCGAN"):
        registry.register_model("dcgan")(Another)
    assert registry.get_model("dcgan") is tfgan_zoo.gans.DCGAN


def test_list_shows_every_kind(capsys):
    main(["list"])
    out = capsys.readouterr().out
    for name in registry.registered():
        assert f"  {name} " in out, name
    for heading in ("GAN variants", "image-to-image translators", "non-adversarial baselines"):
        assert heading in out


def test_the_engine_imports_no_model_and_not_the_zoo():
    """Data flows one way: models import the engine, never the reverse; the engine
    uses only shared modules (serving's default signatures, for one)."""
    engine = Path(tfgan_zoo.__file__).parent / "engine"
    for path in engine.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [f"{node.module}.{a.name}" for a in node.names]
                )
                for name in names:
                    assert not name.startswith(
                        (
                            "tfgan_zoo.gans",
                            "tfgan_zoo.baselines",
                            "tfgan_zoo.families",
                            "tfgan_zoo.zoo",
                            "tfgan_zoo.registry",
                        )
                    ), f"{path.name} imports {name}"


def test_every_registered_model_loads_its_zoo_entries_by_class():
    from tfgan_zoo.baselines import VAE

    assert (
        registry.get_model("vae").from_preset.__func__
        is registry.get_model("dcgan").from_preset.__func__
    )
    with pytest.raises(ValueError, match="zoo entry 'fashion_dcgan' is a DCGAN, not a VAE"):
        VAE.from_preset("fashion_dcgan")


# Keys a config holds besides the constructor's arguments: Keras' own (the
# baselines' configs start from keras.Model's) and the engine's dtype policy.
CONFIG_EXTRAS = {"name", "precision", "trainable", "dtype"}
# Arguments kept under another attribute name: keras.Model owns `loss`, so the
# Autoencoder's is `loss_name`.
ATTRIBUTE_OF = {"loss": "loss_name"}


def _small(entry):
    """The registered model at 16×16, the smallest side every model builds at."""
    if entry.kind == "baseline":
        return entry.cls(image_shape=(16, 16, 1))
    if entry.kind == "gan" and entry.cls.conditional:
        return entry.cls.for_data((16, 16, 1), 10)
    return entry.cls.for_data((16, 16, 1))


@pytest.mark.parametrize("name", registry.model_names())
def test_the_config_holds_exactly_the_constructor_arguments(name):
    """One vocabulary (docs/architecture.md): get_config names the constructor's
    arguments and nothing else, the model keeps each as an attribute of that
    name, and a config rebuilds the model that gives it."""
    entry = registry.registered()[name]
    model = _small(entry)
    config = model.get_config()
    arguments = set(inspect.signature(entry.cls.__init__).parameters) - {"self", "kwargs"}
    assert set(config) - CONFIG_EXTRAS == arguments
    for argument in arguments if entry.kind != "translator" else ():  # not all kept yet
        alias = ATTRIBUTE_OF.get(argument)
        value = getattr(model, alias if alias and hasattr(model, alias) else argument)
        assert value == config[argument], argument
    assert entry.cls.from_config(config).get_config() == config
