"""Recipes: one table of training settings, layered class defaults < generic row
< specific row < explicit overrides, read by the CLI, the zoo and the benchmarks."""

import importlib.util
import json
import re
import types
from pathlib import Path

import keras
import pytest
from helpers.cli import user_error

from tfgan_zoo import recipes, training
from tfgan_zoo.cli import main
from tfgan_zoo.recipes import Recipe, adam, linear_decay
from tfgan_zoo.registry import get_model, model_names
from tfgan_zoo.schedules import ConstantThenLinearDecay, learning_rate_schedule

REPO = Path(__file__).resolve().parent.parent


def _tool(name):
    spec = importlib.util.spec_from_file_location(name, REPO / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _optimizer(optimizer):
    config = optimizer.get_config()
    rate = config["learning_rate"]
    rate = rate if isinstance(rate, dict) else float(rate)
    return (type(optimizer).__name__, rate, config.get("beta_1"), config.get("beta_2"))


def test_specific_row_beats_generic_override_beats_both_class_fills_the_rest(monkeypatch):
    # Generic dcgan paper row: Adam(2e-4, 0.5) for both, batch 128.
    monkeypatch.setitem(
        recipes.RECIPES,
        ("dcgan", "fashion_mnist", "paper"),
        Recipe(compile=dict(g_optimizer=adam(1e-3, 0.5), label_smoothing=0.1), batch_size=32),
    )
    layered = recipes.resolve("dcgan", "fashion_mnist", "paper")
    assert layered.batch_size == 32 and layered.epochs == 5  # specific row; BASE's epochs
    assert recipes.resolve("dcgan", "grid", "paper").batch_size == 128  # generic only
    args = recipes.compile_args(get_model("dcgan"), layered)
    assert _optimizer(args["g_optimizer"]) == ("Adam", pytest.approx(1e-3), 0.5, 0.999)
    assert _optimizer(args["d_optimizer"]) == ("Adam", pytest.approx(2e-4), 0.5, 0.999)
    assert args["label_smoothing"] == 0.1
    # Class defaults fill what no row sets.
    assert (args["loss"], args["penalty"], args["ema_decay"]) == ("non_saturating", None, None)

    # Explicit (command-line) values beat both rows.
    settings = training.resolve_settings(
        "dcgan", "fashion_mnist", dict(batch_size=16, lr=5e-4, label_smoothing=None), recipe="paper"
    )
    assert settings["batch_size"] == 16 and settings["epochs"] == 5
    model = get_model("dcgan").for_data((28, 28, 1), None, seed=0, base_filters=4)
    training.compile_model(model, settings)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(5e-4)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(5e-4)
    assert model.get_compile_config()["label_smoothing"] == 0.1


def test_wgan_paper_row_and_class_defaults():
    recipe = recipes.resolve("wgan", "grid", "paper")
    args = recipes.compile_args(get_model("wgan"), recipe)
    assert _optimizer(args["g_optimizer"])[:2] == ("RMSprop", pytest.approx(5e-5))
    # PyTorch's RMSprop alpha (0.99), which the paper's code used; Keras' default is 0.9.
    assert [float(args[key].rho) for key in ("g_optimizer", "d_optimizer")] == [0.99, 0.99]
    assert (args["d_steps"], args["clip_value"], recipe.batch_size) == (5, 0.01, 5 * 64)
    assert args["label_smoothing"] == 0.0  # the engine's default


def test_paper_rows_of_progan_and_stylegan():
    progan = recipes.resolve("progan", "fashion_mnist", "paper")
    assert progan.model == dict(images_per_phase=800_000) and progan.batch_size == 16
    assert "800k" in progan.source and "600k" in progan.source
    style = recipes.resolve("stylegan", "fashion_mnist", "paper")
    args = recipes.compile_args(get_model("stylegan"), style)
    assert _optimizer(args["g_optimizer"]) == ("Adam", pytest.approx(1e-3), 0.0, 0.99)
    assert (args["penalty"], args["penalty_weight"]) == ("r1", 5.0)  # γ = 10 (FFHQ)


def test_default_recipe_is_todays_command_line():
    assert training.resolve_settings("stylegan", "fashion_mnist", {}) == dict(
        training.TRAIN_DEFAULTS,
        recipe="default",
        model={},
        compile={},
        batch_size=64,
        epochs=5,
        steps_per_epoch=None,
        schedule=None,
    )
    grid = training.resolve_settings("vanilla", "grid", {})
    assert grid["model"] == dict(latent_dim=2, hidden=(128, 128, 128), data_scale=4.0)
    assert (grid["batch_size"], grid["epochs"], grid["steps_per_epoch"]) == (256, 8, 1000)
    args = recipes.compile_args(get_model("stylegan"), grid["compile"])
    assert _optimizer(args["g_optimizer"]) == ("Adam", pytest.approx(2e-3), 0.0, 0.99)


def test_the_default_batch_is_64_per_critic_step():
    """A WGAN (5 critic steps per G step) reads 5 x 64 per G step unless a row or
    the user sets the batch; a batch of 64 would not split into 5 D batches."""
    settings = training.resolve_settings
    assert settings("wgan", "fashion_mnist", {})["batch_size"] == 320
    assert settings("wgan_gp", "my/folder", dict(d_steps=2))["batch_size"] == 128
    assert settings("wgan", "fashion_mnist", dict(batch_size=50))["batch_size"] == 50
    assert settings("wgan", "fashion_mnist", {}, recipe="paper")["batch_size"] == 5 * 64
    assert settings("dcgan", "fashion_mnist", {})["batch_size"] == 64


@pytest.mark.parametrize("budget", ["paper", "cpu-short"])
def test_every_gan_has_a_row_or_a_reason(budget):
    missing = [
        name
        for name in model_names("gan")
        if not any(m == name and b == budget for (m, _, b) in recipes.RECIPES)
        and (name, budget) not in recipes.NO_ROW
    ]
    assert missing == []
    for (model, _, row_budget), row in recipes.RECIPES.items():
        assert row_budget in recipes.BUDGETS
        if row_budget == "paper":
            assert row.source, model  # a paper row cites its numbers


def test_unknown_budget_suggests_close_names():
    with pytest.raises(ValueError, match=r"Unknown recipe 'papr'\. Did you mean 'paper'"):
        recipes.resolve("dcgan", "fashion_mnist", "papr")
    with pytest.raises(ValueError, match="No 'zoo' recipe for 'cgan' on 'ring'"):
        recipes.resolve("cgan", "ring", "zoo")


def test_cpu_short_rows_are_the_learning_tests_settings():
    """The numbers the learning tests trained with before the table existed."""

    def both(name):
        args = recipes.compile_args(
            get_model(name), recipes.resolve(name, "fashion_mnist", "cpu-short")
        )
        g, d = args["g_optimizer"].get_config(), args["d_optimizer"].get_config()
        assert {k: v for k, v in g.items() if k != "name"} == {
            k: v for k, v in d.items() if k != "name"
        }
        return args, (round(float(g["learning_rate"]), 8), g["beta_1"], g["beta_2"], g["epsilon"])

    for name in ("stylegan", "info_stylegan", "semi_stylegan"):
        assert both(name)[1] == (1e-2, 0.0, 0.99, 1e-7)
    assert recipes.resolve("stylegan", "fashion_mnist", "cpu-short").batch_size == 32
    args, adam_args = both("progan")
    assert adam_args == (1e-2, 0.0, 0.99, 1e-8)
    assert recipes.resolve("progan", "fashion_mnist", "cpu-short").model["images_per_phase"] == 450
    assert (args["loss"], args["penalty"], args["penalty_weight"], args["ema_decay"]) == (
        "non_saturating",
        "r1",
        1.0,
        0.9,
    )
    args, adam_args = both("biggan")
    assert adam_args == (1e-3, 0.0, 0.999, 1e-7)
    assert (args["loss"], args["d_steps"]) == ("hinge", 2)  # class defaults


def test_every_zoo_entry_trains_from_its_zoo_row_and_its_card_records_it():
    """tools/train_zoo.py trains each entry as `tfgan-zoo train MODEL --dataset DATA
    --recipe zoo` does: a zoo row exists for every entry, fixes the run's length,
    and the card records the settings the table gives today."""
    train_zoo = _tool("train_zoo")
    assert {spec["model"] for spec in train_zoo.ENTRIES.values()} == set(model_names())
    for name, spec in train_zoo.ENTRIES.items():
        row = recipes.resolve(spec["model"], spec["dataset"], "zoo")
        assert row.steps, name  # a fixed number of generator steps
        card_path = REPO / "models" / name / "card.json"
        if not card_path.exists():
            continue
        card = json.loads(card_path.read_text())["training"]
        settings = training.resolve_settings(spec["model"], spec["dataset"], {}, "zoo")
        expected = {k: v for k, v in settings.items() if k != "compile"}
        assert card["settings"] == json.loads(json.dumps(expected)), name
        assert card["generator_steps"] == row.steps, name


def test_bench_modern_reads_the_cpu_short_rows():
    bench = _tool("bench_modern")
    model, compile_args, batch = bench.settings("stylegan")
    assert (model, batch) == (dict(filters=(32, 32, 16, 8), w_dim=32), 32)
    assert _optimizer(compile_args["g_optimizer"]) == ("Adam", pytest.approx(1e-2), 0.0, 0.99)
    model, compile_args, batch = bench.settings("biggan")
    assert (model, batch) == (dict(base_filters=32), 64)


# Optimizer constructors with a literal rate, and literal learning_rate= / lr=.
RATE_LITERAL = re.compile(
    r"\b(Adam|AdamW|RMSprop|SGD|Nadam|Adagrad)\(\s*[0-9.]"
    r"|\b(learning_rate|lr)\s*=\s*[0-9.]"
    r"|\.parameters\(\),\s*[0-9.]"
)
# Files that set rates outside the recipes, and why.
ALLOWED = {
    "tools/bench_torch_dcgan.py": "PyTorch peer of the throughput benchmark; runs without "
    "tfgan_zoo installed",
    "tests/helpers/distributed_setup.py": "SGD(0.1) keeps the replica comparisons linear "
    "in the gradients; not a training recipe",
}


def test_no_learning_rates_outside_the_recipes():
    found = []
    for path in sorted([*REPO.glob("tools/*.py"), *REPO.glob("tests/helpers/*.py")]):
        relative = path.relative_to(REPO).as_posix()
        if relative in ALLOWED:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RATE_LITERAL.search(line.split("#")[0]):  # comments may quote rates
                found.append(f"{relative}:{number}: {line.strip()}")
    assert found == []


def test_unknown_recipe_on_the_command_line(tmp_path, capsys):
    out = tmp_path / "r"
    user_error(
        capsys,
        ["train", "dcgan", "--recipe", "papr", "--out", str(out)],
        r"Unknown recipe 'papr'\. Did you mean 'paper'\?",
    )
    user_error(
        capsys,
        ["train", "cgan", "--dataset", "ring", "--recipe", "zoo", "--out", str(out)],
        r"No 'zoo' recipe for 'cgan' on 'ring'",
    )
    assert not out.exists()


def test_list_recipes_prints_the_table(capsys):
    main(["list", "--recipes"])
    lines = capsys.readouterr().out.splitlines()
    assert any(
        re.match(r"paper\s+wgan_gp\s+\*\s+batch_size=320 .*learning_rate=0.0001", line)
        for line in lines
    ), lines


@pytest.mark.slow
def test_train_recipe_paper_reaches_the_model(tmp_path):
    out = tmp_path / "dcgan"
    main(
        [
            "train",
            "dcgan",
            "--recipe",
            "paper",
            "--epochs",
            "1",
            "--steps-per-epoch",
            "1",
            "--base-filters",
            "4",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    record = json.loads((out / "run.json").read_text())
    assert record["settings"]["recipe"] == "paper"
    assert record["settings"]["batch_size"] == 128  # Radford et al.'s minibatch
    assert record["settings"]["compile"]["g_optimizer"]["learning_rate"] == 2e-4
    model = keras.models.load_model(out / "model.keras")
    assert _optimizer(model.g_optimizer) == ("Adam", pytest.approx(2e-4), 0.5, 0.999)
    assert _optimizer(model.d_optimizer) == ("Adam", pytest.approx(2e-4), 0.5, 0.999)


def test_linear_decay_holds_the_rate_then_falls_linearly_to_zero():
    # Held for 600 of 1,000 steps, then 400 decaying: lr(t) = lr0 (1 - (t - 600) / 400).
    schedule = learning_rate_schedule(linear_decay(0.6), 2e-4, 1000)
    closed_form = {
        0: 2e-4,
        300: 2e-4,
        600: 2e-4,
        700: 1.5e-4,
        800: 1e-4,
        999: 5e-7,
        1000: 0.0,
        1500: 0.0,
    }
    for step, rate in closed_form.items():
        assert float(schedule(step)) == pytest.approx(rate, rel=1e-6, abs=1e-12), step
    again = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert isinstance(again, ConstantThenLinearDecay) and float(again(800)) == pytest.approx(1e-4)
    assert isinstance(
        learning_rate_schedule("cosine", 1e-3, 10), keras.optimizers.schedules.CosineDecay
    )
    assert learning_rate_schedule(None, 1e-3, 10) == 1e-3
    with pytest.raises(ValueError, match="Unknown learning-rate schedule"):
        learning_rate_schedule("step", 1e-3, 10)


def test_cyclegan_paper_recipe_compiles_100_epochs_held_then_100_decaying():
    """What `tfgan-zoo train cyclegan --recipe paper` compiles (train -> _start ->
    compile_model), for a stand-in epoch of 10 steps."""
    settings = training.resolve_settings("cyclegan", "sneaker2boot", {}, recipe="paper")
    assert (settings["batch_size"], settings["epochs"]) == (1, 200)
    assert settings["schedule"] == dict(name="linear-decay", constant_fraction=0.5)
    assert settings["model"] == dict(cycle_weight=10.0, pool_size=50)
    data = types.SimpleNamespace(data_shape=(16, 16, 1), num_classes=None)
    model = training.build_model(
        "cyclegan",
        data,
        0,
        dict(settings, model=dict(settings["model"], base_filters=4, blocks=1, d_base_filters=4)),
    )
    training.compile_model(model, settings, generator_steps=settings["epochs"] * 10)
    assert model.adversarial_loss.name == "least_squares"
    for optimizer in (model.g_optimizer, model.d_optimizer):  # one D step per G step
        assert _optimizer(optimizer)[2:] == (0.5, 0.999)
        for step, rate in ((0, 2e-4), (1000, 2e-4), (1500, 1e-4), (2000, 0.0)):
            optimizer.iterations.assign(step)
            assert float(optimizer.learning_rate) == pytest.approx(rate, rel=1e-6, abs=1e-12)


@pytest.mark.parametrize(
    "variant,dataset,batch,epochs,schedule,model",
    [
        ("pix2pix", "edges", 4, 15, None, dict(l1_weight=100.0)),
        ("pix2pix", "inpaint", 1, 200, None, dict(l1_weight=100.0)),
        (
            "bicyclegan",
            "edges",
            1,
            200,
            linear_decay(0.5),
            dict(latent_dim=8, image_weight=10.0, kl_weight=0.01, latent_weight=0.5),
        ),
    ],
)
def test_translator_paper_rows(variant, dataset, batch, epochs, schedule, model):
    recipe = recipes.resolve(variant, dataset, "paper")
    assert (recipe.batch_size, recipe.epochs, recipe.schedule, recipe.model) == (
        batch,
        epochs,
        schedule,
        model,
    )
    args = recipes.compile_args(get_model(variant), recipe)
    for key in ("g_optimizer", "d_optimizer"):
        assert _optimizer(args[key]) == ("Adam", pytest.approx(2e-4), 0.5, 0.999)
    assert args["loss"] == ("non_saturating" if variant == "pix2pix" else "least_squares")
