"""Training recipes: one table of settings, keyed by (model, dataset, budget).

A row is plain data: constructor kwargs, compile kwargs (optimizers as specs
such as {"optimizer": "adam", "learning_rate": 2e-4, "beta_1": 0.5}), the batch
fed to each generator step (the engine splits it into `d_steps` D batches, so a
paper's m per critic step with n_critic = 5 is 5m here), epochs and steps.
Dataset "*" is a row for every dataset. Layers, last wins:

    class `default_compile_args` (and BASE's batch size and epochs)
      < (model, "*", budget) < (model, dataset, budget) < explicit overrides

Budgets:
  default    what `tfgan-zoo train` does without --recipe: the class defaults,
             batch 64, 5 epochs, and tuned rows for the 2D mixtures.
  paper      the paper's settings, for long runs; each row cites its source.
  cpu-short  short CPU runs: the learning tests and tools/bench_modern.py.
  zoo        the pretrained zoo entries (tools/train_zoo.py, models/*/card.json).

`python -m tfgan_zoo.recipes` (or `tfgan-zoo list --recipes`) prints the table.
"""

import dataclasses
import difflib
from dataclasses import dataclass, field

BUDGETS = ("default", "paper", "cpu-short", "zoo")


@dataclass(frozen=True)
class Recipe:
    model: dict = field(default_factory=dict)  # constructor kwargs
    compile: dict = field(default_factory=dict)  # compile kwargs; optimizers as specs
    batch_size: int | None = None  # examples per generator step (all D steps together)
    epochs: int | None = None
    steps_per_epoch: int | None = None  # None: one pass over the data
    # Both rates over the run (`tfgan_zoo.schedules`): None (constant), "cosine"
    # (to 0), or linear_decay(f) (held for a fraction f, then linearly to 0).
    schedule: str | dict | None = None
    source: str = ""  # where the numbers come from

    @property
    def steps(self):
        """Generator steps of the whole run (None when an epoch is a data pass)."""
        if self.steps_per_epoch is None:
            return None
        return self.steps_per_epoch * (self.epochs or 1)


def adam(learning_rate, beta_1=0.9, beta_2=0.999, **extra):
    return dict(
        optimizer="adam", learning_rate=learning_rate, beta_1=beta_1, beta_2=beta_2, **extra
    )


def linear_decay(constant_fraction):
    """The schedule that holds the rate for `constant_fraction` of the run, then
    decays it linearly to 0 at the end."""
    from tfgan_zoo.schedules import LINEAR_DECAY

    return dict(name=LINEAR_DECAY, constant_fraction=constant_fraction)


def both(spec, **compile_args):
    """Compile kwargs with the same optimizer spec for G and D."""
    return dict(g_optimizer=spec, d_optimizer=dict(spec), **compile_args)


# Run settings under every row: today's `tfgan-zoo train` batch and length.
BASE = Recipe(batch_size=64, epochs=5)

_PAPER_STYLEGAN = Recipe(
    compile=both(
        adam(1e-3, 0.0, 0.99, epsilon=1e-8), loss="non_saturating", penalty="r1", penalty_weight=5.0
    ),
    batch_size=64,
    source="Karras et al. 2019 (StyleGAN), appendix C, and the authors' "
    "released config: Adam(1e-3, beta = (0, 0.99), eps 1e-8) below 128x128 (1.5e-3 "
    "at 128, up to 3e-3 at 1024), non-saturating loss with R1 gamma = 10 for FFHQ "
    "(weight gamma/2 = 5), minibatch 64 at 32x32. The class defaults (2e-3, "
    "gamma = 2) are not the paper's: they learnt faster on Fashion-MNIST.",
)

_CPU_STYLEGAN = Recipe(
    model=dict(filters=(32, 32, 16, 8), w_dim=32),
    compile=both(adam(1e-2, 0.0, 0.99)),
    batch_size=32,
    epochs=1,
    steps_per_epoch=600,
    source="equalized weights are N(0, 1): a short run needs a larger step than the "
    "paper's (FID after 400 steps on Fashion-MNIST at full width: 1e-2 200, 5e-3 "
    "~240, 2e-3 ~290; tests/test_stylegan.py). Half-width networks (w_dim 32) take "
    "about a third of the time a step of (64, 64, 32, 16) / 64 (Semi-StyleGAN, 20 "
    "steps: 11 s against 35-42 s on a busy 2 vCPU), so the learning tests fit the "
    "suite's budget; they learn less (FID ratio 0.58-0.71 in 600 steps, "
    "tests/test_stylegan.py)",
)

_CPU_PROGAN_COMPILE = both(
    adam(1e-2, 0.0, 0.99, epsilon=1e-8),
    loss="non_saturating",
    penalty="r1",
    penalty_weight=1.0,
    ema_decay=0.9,
)


def _zoo(steps, batch_size, model=None, compile=None, epoch_steps=500):  # noqa: A002
    """A zoo row: `steps` generator steps of `batch_size`, in epochs of
    `epoch_steps`, both rates decayed to 0 by a cosine."""
    return Recipe(
        model=model or {},
        compile=compile or {},
        batch_size=batch_size,
        epochs=steps // epoch_steps,
        steps_per_epoch=epoch_steps,
        schedule="cosine",
    )


# The 2D-grid run that tests/test_learning.py checks (>= 20 of 25 modes).
_GRID_VANILLA = Recipe(
    model=dict(latent_dim=2, hidden=(128, 128, 128), data_scale=4.0),
    batch_size=256,
    epochs=8,
    steps_per_epoch=1000,
)

# The zoo's DCGAN and cGAN: 28,140 steps (six of 0.1.0's 4,690-step runs), both
# rates decayed by a cosine, samples from an EMA of G.
_FASHION_DCGAN_ZOO = _zoo(
    28_140,
    64,
    model=dict(latent_dim=64, base_filters=32),
    compile=dict(ema_decay=0.999),
    epoch_steps=4690,
)

RECIPES = {
    # --- default: `tfgan-zoo train` without --recipe (class defaults elsewhere)
    ("vanilla", "grid", "default"): _GRID_VANILLA,
    ("vanilla", "ring", "default"): Recipe(
        model=dict(latent_dim=2, hidden=(128, 128, 128)),
        batch_size=256,
        epochs=4,
        steps_per_epoch=1000,
    ),
    ("cgan", "grid", "default"): Recipe(
        model=dict(latent_dim=2, hidden=(128, 128, 128)),
        batch_size=256,
        epochs=2,
        steps_per_epoch=1000,
    ),
    ("cgan", "ring", "default"): Recipe(
        model=dict(latent_dim=2, hidden=(128, 128, 128)),
        batch_size=256,
        epochs=2,
        steps_per_epoch=1000,
    ),
    # --- paper
    ("vanilla", "*", "paper"): Recipe(
        compile=both(adam(2e-4, 0.5), loss="non_saturating", d_steps=1),
        source="Goodfellow et al. 2014, Algorithm 1 with k = 1 and the non-saturating G "
        "loss; its SGD with momentum has no single rate for this network, so "
        "DCGAN's Adam(2e-4, beta_1 = 0.5) stands in",
    ),
    ("cgan", "*", "paper"): Recipe(
        compile=both(adam(2e-4, 0.5), d_steps=1),
        batch_size=100,
        source="Mirza & Osindero 2014: minibatches of 100. Their SGD (rate 0.1 decayed to "
        "1e-6, momentum 0.5 -> 0.7) was tuned for maxout MLPs; this conv cGAN keeps "
        "DCGAN's Adam(2e-4, beta_1 = 0.5)",
    ),
    ("dcgan", "*", "paper"): Recipe(
        compile=both(adam(2e-4, 0.5), d_steps=1),
        batch_size=128,
        source="Radford et al. 2016: Adam(2e-4, beta_1 = 0.5), minibatch 128",
    ),
    ("wgan", "*", "paper"): Recipe(
        compile=both(
            dict(optimizer="rmsprop", learning_rate=5e-5, rho=0.99),
            loss="wasserstein",
            d_steps=5,
            clip_value=0.01,
        ),
        batch_size=5 * 64,
        source="Arjovsky et al. 2017, Algorithm 1: RMSProp alpha = 5e-5, c = 0.01, m = 64, "
        "n_critic = 5; the authors' code (martinarjovsky/WassersteinGAN) uses "
        "PyTorch's RMSprop, whose squared-gradient average decays at 0.99 (Keras' "
        "rho; its default is 0.9)",
    ),
    ("wgan_gp", "*", "paper"): Recipe(
        compile=both(
            adam(1e-4, 0.0, 0.9),
            loss="wasserstein",
            d_steps=5,
            penalty="gradient_penalty",
            penalty_weight=10.0,
        ),
        batch_size=5 * 64,
        source="Gulrajani et al. 2017, Algorithm 1: lambda = 10, n_critic = 5, "
        "Adam(1e-4, beta = (0, 0.9)), m = 64",
    ),
    ("sngan", "*", "paper"): Recipe(
        compile=both(adam(2e-4, 0.5, 0.999), loss="hinge", d_steps=1),
        batch_size=64,
        source="Miyato et al. 2018, Table 1 setting C: Adam(2e-4, beta = (0.5, 0.999)), "
        "n_dis = 1, minibatch 64; hinge loss (their Eq. 16-17)",
    ),
    ("lsgan", "*", "paper"): Recipe(
        compile=both(adam(2e-4, 0.5), loss="least_squares"),
        source="Mao et al. 2017: least-squares loss (a, b, c = 0, 1, 1), Adam beta_1 = 0.5 "
        "at 2e-4 (their rate for the small grayscale character set; 1e-3 for LSUN)",
    ),
    ("dragan", "*", "paper"): Recipe(
        compile=both(adam(1e-4, 0.5, 0.9), penalty="dragan", penalty_weight=10.0),
        source="Kodali et al. 2017: lambda = 10 and Adam(1e-4, beta = (0.5, 0.9)), as the "
        "class defaults",
    ),
    ("began", "*", "paper"): Recipe(
        compile=both(adam(1e-4, 0.5), loss="began"),
        batch_size=16,
        source="Berthelot et al. 2017: Adam at 1e-4 (halved when convergence stalls, not "
        "done here), minibatch 16",
    ),
    ("infogan", "*", "paper"): Recipe(
        compile=dict(g_optimizer=adam(1e-3, 0.5), d_optimizer=adam(2e-4, 0.5)),
        batch_size=100,
        source="Chen et al. 2016, appendix C (MNIST): Adam, rate 1e-3 for G and 2e-4 for D, "
        "minibatch 100; the authors' code (openai/InfoGAN, launchers/run_mnist_exp.py "
        "and infogan_trainer.py) uses the same rates with beta_1 = 0.5",
    ),
    ("biggan", "*", "paper"): Recipe(
        compile=dict(
            g_optimizer=adam(5e-5, 0.0, 0.999),
            d_optimizer=adam(2e-4, 0.0, 0.999),
            loss="hinge",
            d_steps=2,
            ema_decay=0.9999,
            ema_start=20000,
        ),
        batch_size=2 * 2048,
        source="Brock et al. 2019, appendix C: Adam beta = (0, 0.999), G 5e-5 and D 2e-4 "
        "(1e-4 / 4e-4 are SAGAN's), two D steps per G step, batch 2048, hinge loss, "
        "G's moving average at 0.9999; the average starts at step 20k in the "
        "authors' BigGAN-PyTorch (scripts/launch_BigGAN_bs256x8.sh, --ema_start 20000)",
    ),
    ("progan", "*", "paper"): Recipe(
        compile=both(
            adam(1e-3, 0.0, 0.99, epsilon=1e-8),
            loss="wasserstein",
            penalty="gradient_penalty",
            penalty_weight=10.0,
            d_steps=1,
            ema_decay=0.999,
        ),
        model=dict(images_per_phase=800_000),
        batch_size=16,
        source="Karras et al. 2018, section A.1: 800k real images per stable and per "
        "fade-in phase (the authors' released config uses 600k), WGAN-GP "
        "(lambda = 10) plus drift 0.001, n_critic = 1, Adam(1e-3, beta = (0, 0.99), "
        "eps 1e-8) reset at each level change, minibatch 16 up to 128x128, G's "
        "moving average at 0.999",
    ),
    ("stylegan", "*", "paper"): _PAPER_STYLEGAN,
    # Translators: batch 1, Adam(2e-4, beta_1 = 0.5) in all three papers.
    ("pix2pix", "*", "paper"): Recipe(
        model=dict(l1_weight=100.0),
        compile=both(adam(2e-4, 0.5), loss="non_saturating"),
        batch_size=1,
        epochs=200,
        source="Isola et al. 2017, Sec. 3.3 and 4: cGAN + lambda = 100 L1, Adam(2e-4, beta_1 "
        "= 0.5), minibatch 1 and 200 epochs (facades, maps, Cityscapes); their Torch "
        "code (phillipi/pix2pix, train.lua) holds the rate constant. Its PyTorch port "
        "(junyanz/pytorch-CycleGAN-and-pix2pix) holds it 100 epochs and decays it "
        "over 100 more: add schedule=linear_decay(0.5) for that",
    ),
    ("pix2pix", "edges", "paper"): Recipe(
        batch_size=4,
        epochs=15,
        source="Isola et al. 2017, Sec. 4: edges2shoes and edges2handbags trained 15 "
        "epochs with minibatch 4",
    ),
    ("cyclegan", "*", "paper"): Recipe(
        model=dict(cycle_weight=10.0, pool_size=50),
        compile=both(adam(2e-4, 0.5), loss="least_squares"),
        batch_size=1,
        epochs=200,
        schedule=linear_decay(0.5),
        source="Zhu et al. 2017 (CycleGAN), Sec. 4 and appendix 7.1: least-squares loss, "
        "lambda = 10, a history of 50 images per D, Adam(2e-4, beta_1 = 0.5), batch 1, "
        "the rate held for 100 epochs and decayed linearly to 0 over the next 100. "
        "The identity loss (0.5 lambda) was for photo <-> painting only: pass "
        "identity_weight=0.5 there",
    ),
    ("bicyclegan", "*", "paper"): Recipe(
        model=dict(latent_dim=8, image_weight=10.0, kl_weight=0.01, latent_weight=0.5),
        compile=both(adam(2e-4, 0.5), loss="least_squares"),
        batch_size=1,
        epochs=200,
        schedule=linear_decay(0.5),
        source="Zhu et al. 2017 (BicycleGAN), Sec. 3-4, and junyanz/BicycleGAN "
        "(options/train_options.py): least-squares loss, lambda = 10, lambda_KL = "
        "0.01, lambda_latent = 0.5, |z| = 8, Adam(2e-4, beta_1 = 0.5), 100 epochs at "
        "the rate then 100 decaying linearly. The code's batch of 2 gives each cycle "
        "one pair; here both cycles share a batch, so 1 is one pair per cycle",
    ),
    # Info- and Semi-StyleGAN train as StyleGAN does; their papers' numbers beyond
    # StyleGAN's (code weights) are model arguments, not recipe rows.
    ("info_stylegan", "*", "paper"): _PAPER_STYLEGAN,
    ("semi_stylegan", "*", "paper"): _PAPER_STYLEGAN,
    # --- cpu-short: what the learning tests and tools/bench_modern.py train with
    ("vanilla", "grid", "cpu-short"): _GRID_VANILLA,
    ("dcgan", "*", "cpu-short"): Recipe(
        batch_size=64,
        epochs=1,
        steps_per_epoch=1200,
        source="class defaults; tools/bench_modern.py",
    ),
    ("infogan", "*", "cpu-short"): Recipe(
        model=dict(base_filters=32, hidden=()),
        batch_size=64,
        epochs=1,
        steps_per_epoch=300,
        source="class defaults without the paper's fully connected layers: in 300 steps "
        "(seed 0) G with FC-512 ignored its code (class-histogram TV 0.00, FID ratio "
        "0.79), FC-128 reached TV 0.11 (0.79), none 0.24 (0.60); "
        "tests/test_infogan.py",
    ),
    ("cgan", "*", "cpu-short"): Recipe(
        model=dict(latent_dim=32, base_filters=32),
        batch_size=64,
        epochs=1,
        steps_per_epoch=375,
        source="class defaults; tests/test_metrics_fashion.py",
    ),
    ("began", "*", "cpu-short"): Recipe(
        model=dict(latent_dim=32, base_filters=16),
        batch_size=32,
        epochs=3,
        steps_per_epoch=25,
        source="class defaults; tests/test_began.py",
    ),
    ("biggan", "*", "cpu-short"): Recipe(
        model=dict(base_filters=32),
        compile=both(adam(1e-3, 0.0, 0.999)),
        batch_size=64,
        epochs=1,
        steps_per_epoch=150,
        source="the paper's 5e-5 / 2e-4 suit its batch of 2048; at batch 64 this budget "
        "learns its classes at 1e-3 for both (tests/test_biggan.py; 100 steps at "
        "1e-3, or 120 at 2e-3, left the truncated samples near chance)",
    ),
    ("progan", "*", "cpu-short"): Recipe(
        model=dict(filters=(32, 32, 16, 8), latent_dim=64, images_per_phase=450),
        compile=_CPU_PROGAN_COMPILE,
        batch_size=32,
        epochs=1,
        steps_per_epoch=260,
        source="260 steps, 450 images a phase: 32x32 is stable from step 85 "
        "(tests/test_progan.py). FID after 300 steps on padded Fashion-MNIST (from "
        "322 untrained): WGAN-GP "
        "+ Adam(1e-3) 285-430 after 300-600 steps, + Adam(1e-2) 307; non-saturating "
        "+ R1 267 at 1e-3, 231 at 5e-3, 188-194 at 1e-2. Equalized weights are "
        "N(0, 1), so a step of lr moves them lr relative to their size, several "
        "times slower than a DCGAN's (tests/test_progan.py)",
    ),
    ("pix2pix", "*", "cpu-short"): Recipe(
        model=dict(base_filters=16),
        compile=both(adam(1e-3, 0.5)),
        batch_size=32,
        epochs=1,
        steps_per_epoch=350,
        source="tests/test_translation.py: at 2e-4 the U-Nets need ~1,000 steps (held-out "
        "L1 0.131); at 1e-3, 350 steps reach 0.124-0.141 on edges (seeds 0-2)",
    ),
    ("cyclegan", "*", "cpu-short"): Recipe(
        model=dict(base_filters=8, blocks=2),
        batch_size=8,
        epochs=1,
        steps_per_epoch=250,
        source="class defaults; tests/test_translation.py (250 steps class 67-98 % of G(a) "
        "as ankle boots and 14-79 % of F(b) as sneakers; in 150 F(b) fell to 7.8 %)",
    ),
    ("bicyclegan", "*", "cpu-short"): Recipe(
        model=dict(base_filters=16),
        compile=both(adam(5e-4, 0.5)),
        batch_size=32,
        epochs=1,
        steps_per_epoch=200,
        source="tests/test_translation.py: with Eq. 8's summed GAN terms, 2e-4 needs ~300 "
        "steps to class 58-74 % of outputs right; 5e-4 classes 50-69 % in 200 "
        "(seeds 0-2)",
    ),
    ("stylegan", "*", "cpu-short"): _CPU_STYLEGAN,
    # The codes need the steps too: at 300 (Info-) and 400 (Semi-StyleGAN) steps the
    # learning tests' codes had not separated at some seeds on some CPUs
    # (tests/test_semi_stylegan.py); Info-StyleGAN's hold at 500, Semi-StyleGAN's at the
    # row's 600.
    ("info_stylegan", "*", "cpu-short"): dataclasses.replace(_CPU_STYLEGAN, steps_per_epoch=500),
    ("semi_stylegan", "*", "cpu-short"): _CPU_STYLEGAN,
    # --- zoo: the settings models/*/card.json record (batch = 64 per D step)
    # WGAN-GP, the VAE, PixelCNN and PacGAN: the settings their entries were trained
    # with in 0.1.0 (the corrections since do not touch them; re-measured by
    # `tools/train_zoo.py --rescore`).
    # DCGAN: 0.1.0's 4,690 steps at a constant rate scored FID 95.4. Run on at that rate
    # (--metrics-every 1), FID of 1,000 samples after each 4,690 steps read 95 / 69 / 56 /
    # 53: falling slowly. This row decays both rates by a cosine over six times the steps
    # and samples from an EMA of G: FID 47.7 (bar 40), recall 0.73 (was 0.52).
    ("dcgan", "fashion_mnist", "zoo"): _FASHION_DCGAN_ZOO,
    # cGAN: 0.1.0's 4,690 constant-rate steps scored FID 50.9 and conditional accuracy
    # 0.857 (bars 30, 0.9); a cosine decay alone over 6,000 steps, FID 64.0 and 0.828.
    # DCGAN's row: FID 12.0, 0.912.
    ("cgan", "fashion_mnist", "zoo"): _FASHION_DCGAN_ZOO,
    ("wgan_gp", "fashion_mnist", "zoo"): Recipe(
        model=dict(latent_dim=64, base_filters=32),
        batch_size=5 * 64,
        epochs=1,
        steps_per_epoch=1500,
    ),
    ("vae", "fashion_mnist", "zoo"): Recipe(
        model=dict(latent_dim=32, base_filters=32),
        compile=dict(optimizer=adam(1e-3)),
        batch_size=64,
        epochs=1,
        steps_per_epoch=4690,
    ),
    ("pixelcnn", "fashion_mnist", "zoo"): Recipe(
        model=dict(levels=8, base_filters=32, blocks=4),
        compile=dict(optimizer=adam(1e-3)),
        batch_size=64,
        epochs=1,
        steps_per_epoch=2000,
    ),
    ("standard", "grid", "zoo"): Recipe(
        model=dict(data_shape=(2,), latent_dim=2, hidden=(128, 128, 128), data_scale=4.0, pack=2),
        batch_size=256,
        epochs=1,
        steps_per_epoch=96000,
        schedule="cosine",
        source="the late small steps of the cosine decay sharpen the modes",
    ),
    # Entries trained with tools/train_zoo.py (each about 5-10 minutes on 2 vCPUs):
    # the cpu-short networks and rates, longer, with a cosine decay to 0 so that
    # rates tuned for short runs settle; epochs of 500 steps so a killed run resumes.
    ("vanilla", "ring", "zoo"): _zoo(
        8000, 256, model=dict(latent_dim=2, hidden=(128, 128, 128)), epoch_steps=1000
    ),
    ("lsgan", "fashion_mnist", "zoo"): _zoo(1500, 64, model=dict(base_filters=32)),
    ("sngan", "fashion_mnist", "zoo"): _zoo(1500, 64, model=dict(base_filters=32)),
    ("dragan", "fashion_mnist", "zoo"): _zoo(1000, 64, model=dict(base_filters=32)),
    ("wgan", "fashion_mnist", "zoo"): _zoo(
        600, 5 * 64, model=dict(base_filters=32), epoch_steps=300
    ),
    ("began", "fashion_mnist", "zoo"): _zoo(2000, 32, model=dict(latent_dim=32, base_filters=16)),
    ("infogan", "fashion_mnist", "zoo"): _zoo(3000, 64, model=dict(base_filters=32, hidden=())),
    ("biggan", "fashion_mnist", "zoo"): _zoo(
        1500, 64, model=dict(base_filters=32), compile=both(adam(1e-3, 0.0, 0.999))
    ),
    ("progan", "fashion_mnist", "zoo"): _zoo(
        3000,
        32,
        model=dict(filters=(32, 32, 16, 8), latent_dim=64, images_per_phase=12000),
        compile=_CPU_PROGAN_COMPILE,
    ),
    ("stylegan", "fashion_mnist", "zoo"): _zoo(1500, 32, compile=both(adam(5e-3, 0.0, 0.99))),
    ("info_stylegan", "fashion_mnist", "zoo"): _zoo(
        1000, 32, model=_CPU_STYLEGAN.model, compile=both(adam(5e-3, 0.0, 0.99))
    ),
    ("semi_stylegan", "fashion_mnist", "zoo"): _zoo(1500, 32, compile=both(adam(5e-3, 0.0, 0.99))),
    ("pix2pix", "edges", "zoo"): _zoo(
        4000, 32, model=dict(base_filters=16), compile=both(adam(1e-3, 0.5))
    ),
    ("bicyclegan", "edges", "zoo"): _zoo(
        2000, 32, model=dict(base_filters=16), compile=both(adam(5e-4, 0.5))
    ),
    ("cyclegan", "sneaker2boot", "zoo"): _zoo(2000, 8, model=dict(base_filters=8, blocks=2)),
    ("autoencoder", "fashion_mnist", "zoo"): Recipe(
        compile=dict(optimizer=adam(1e-3)), batch_size=64, epochs=6, steps_per_epoch=500
    ),
    # Episodes of 8 references + 1 target from 54,000 posed items (ankle boots held
    # out); the identity table (54,000 x 32) is 7 MB of the entry. Depth over length:
    # SSIM (K = 8 fine-tuned) 0.669 with four residual blocks of 32 filters after 3,000
    # episodes, 0.647 with two, 0.651 with two of 16 after 8,000 (G's earlier
    # transposed-convolution up-sampling; the residual one gave 0.697 at four of 32).
    ("talking_heads", "fashion_mnist", "zoo"): _zoo(
        8000,
        8,
        model=dict(base_filters=32, blocks=4, embedding_dim=32, references=8),
        compile=both(adam(5e-4, 0.5)),
    ),
    ("talking_heads", "*", "paper"): Recipe(
        model=dict(references=8, match_weight=80.0, feature_matching_weight=10.0),
        compile=dict(
            g_optimizer=adam(5e-5, 0.5), d_optimizer=adam(2e-4, 0.5), loss="hinge", d_steps=1
        ),
        batch_size=48,
        source="Zakharov et al. 2019, section 4: K = 8 frames per episode, Adam at 5e-5 for "
        "the embedder and generator and 2e-4 for the discriminator, L_MCH weight 80, "
        "feature matching weight 10, hinge loss. The batch (48) is not given in the paper.",
    ),
    ("talking_heads", "*", "cpu-short"): Recipe(
        model=dict(base_filters=16, embedding_dim=32, references=8),
        compile=both(adam(5e-4, 0.5)),
        batch_size=8,
        epochs=1,
        steps_per_epoch=1500,
        source="tests/test_talking_heads.py: the learning test's settings",
    ),
}

# GAN models that have no row in a budget, and why.
NO_ROW = {
    ("sngan", "cpu-short"): "class defaults (tests/test_sngan.py trains it briefly)",
    ("standard", "paper"): "StandardGAN is the configurable base of the named variants; "
    "use their paper rows (vanilla, wgan, lsgan, ...)",
    ("standard", "cpu-short"): "the configurable base: class defaults, or a named variant",
    ("lsgan", "cpu-short"): "class defaults (tests/test_loss_family.py trains it briefly)",
    ("wgan", "cpu-short"): "class defaults (tests/test_loss_family.py trains it briefly)",
    ("wgan_gp", "cpu-short"): "class defaults (tests/test_loss_family.py trains it briefly)",
    ("dragan", "cpu-short"): "class defaults (tests/test_loss_family.py trains it briefly)",
    ("vanilla", "cpu-short"): "only the 2D grid row: image runs take class defaults",
}


def _check_budget(budget):
    if budget not in BUDGETS:
        close = difflib.get_close_matches(budget, BUDGETS, n=3, cutoff=0.4)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise ValueError(f"Unknown recipe {budget!r}.{hint} Known: {', '.join(BUDGETS)}.")


def rows(model, dataset, budget):
    """The rows that apply, generic first."""
    _check_budget(budget)
    return [
        row
        for row in (RECIPES.get((model, "*", budget)), RECIPES.get((model, dataset, budget)))
        if row is not None
    ]


def layer(below, above):
    """`above` over `below`: dict fields merge key by key, other fields are
    replaced where `above` sets them."""
    if isinstance(above, dict):
        above = Recipe(**above)
    changes = {}
    for f in dataclasses.fields(Recipe):
        value = getattr(above, f.name)
        if isinstance(value, dict) and isinstance(getattr(below, f.name), dict):
            changes[f.name] = {**getattr(below, f.name), **value}  # model, compile
        elif value not in (None, ""):
            changes[f.name] = value
    return dataclasses.replace(below, **changes)


def resolve(model, dataset, budget="default", overrides=None):
    """The layered recipe for `model` on `dataset`: BASE < generic row < specific
    row < `overrides` (a Recipe or a dict of its fields). Budgets other than
    "default" must have a row for the model."""
    found = rows(model, dataset, budget)
    if not found and budget != "default":
        have = sorted({b for (m, _, b) in RECIPES if m == model})
        raise ValueError(
            f"No {budget!r} recipe for {model!r} on {dataset!r}"
            + (f" ({NO_ROW[model, budget]})" if (model, budget) in NO_ROW else "")
            + f"; its recipes: {', '.join(have) or 'none'}."
        )
    recipe = BASE
    for row in found + ([overrides] if overrides else []):
        recipe = layer(recipe, row)
    return recipe


def build_optimizer(spec):
    """A Keras optimizer from a spec: {"optimizer": "adam", "learning_rate": ...}."""
    import keras

    spec = dict(spec)
    return keras.optimizers.get({"class_name": spec.pop("optimizer"), "config": spec})


def compile_args(cls, recipe_or_compile):
    """Compile kwargs for model class `cls`: its `default_compile_args` under the
    recipe's compile data, optimizer specs built into fresh optimizers."""
    data = getattr(recipe_or_compile, "compile", recipe_or_compile) or {}
    args = cls.default_compile_args() if hasattr(cls, "default_compile_args") else {}
    for key, value in data.items():
        is_spec = isinstance(value, dict) and "optimizer" in value
        args[key] = build_optimizer(value) if is_spec else value
    return args


def table(budget=None):
    """The table as text lines: one row per key."""
    lines = []
    for (model, dataset, row_budget), row in RECIPES.items():
        if budget not in (None, row_budget):
            continue
        parts = [
            f"{k}={v}"
            for k, v in (
                ("batch_size", row.batch_size),
                ("epochs", row.epochs),
                ("steps_per_epoch", row.steps_per_epoch),
                ("schedule", row.schedule),
            )
            if v is not None
        ]
        parts += [f"model.{k}={v}" for k, v in row.model.items()]
        parts += [f"{k}={_short(v)}" for k, v in row.compile.items()]
        lines.append(f"{row_budget:<10} {model:<14} {dataset:<14} {' '.join(parts)}")
    return lines


def _short(value):
    if isinstance(value, dict) and "optimizer" in value:
        args = ",".join(f"{k}={v}" for k, v in value.items() if k != "optimizer")
        return f"{value['optimizer']}({args})"
    return str(value)


if __name__ == "__main__":
    print("\n".join(table()))
