"""Adversarial losses as pure functions of discriminator outputs.

Every function takes raw discriminator outputs (logits, never probabilities:
`softplus` forms stay finite where `log(sigmoid(x))` underflows) and returns the
scalar mean over the batch it is given. The engine divides by the number of
replicas itself, so these stay plain, testable formulas.

Identities used: -log(sigmoid(x)) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x).
"""

from dataclasses import dataclass
from typing import Callable

from keras import ops


def minimax_discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    """-E[t log D(x)] - E[(1 - t) log(1 - D(x))] - E[log(1 - D(G(z)))], t = 1 - smoothing.

    One-sided label smoothing (Salimans et al. 2016) softens only the real target;
    the fake target stays 0, so D is never rewarded for trusting a fake.
    """
    target = 1.0 - label_smoothing
    real_loss = target * ops.softplus(-real_logits) + (1.0 - target) * ops.softplus(real_logits)
    fake_loss = ops.softplus(fake_logits)
    return ops.mean(real_loss) + ops.mean(fake_loss)


def minimax_generator_loss(fake_logits):
    """The saturating loss of the minimax game: G minimises E[log(1 - D(G(z)))].

    Its gradient vanishes when D confidently rejects fakes (early training), which
    is why Goodfellow et al. (2014) propose the non-saturating loss instead.
    """
    return -ops.mean(ops.softplus(fake_logits))


def non_saturating_generator_loss(fake_logits):
    """G maximises E[log D(G(z))], i.e. minimises E[-log D(G(z))]."""
    return ops.mean(ops.softplus(-fake_logits))


def wasserstein_critic_loss(real_scores, fake_scores):
    """WGAN critic (Arjovsky et al. 2017): minimise E[D(G(z))] - E[D(x)]."""
    return ops.mean(fake_scores) - ops.mean(real_scores)


def wasserstein_generator_loss(fake_scores):
    """WGAN generator: minimise -E[D(G(z))]."""
    return -ops.mean(fake_scores)


def hinge_discriminator_loss(real_scores, fake_scores):
    """Hinge loss (Lim & Ye 2017; SN-GAN): E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    return ops.mean(ops.relu(1.0 - real_scores)) + ops.mean(ops.relu(1.0 + fake_scores))


def least_squares_discriminator_loss(real_scores, fake_scores):
    """LSGAN (Mao et al. 2017), a-b-c coding 0-1-1: 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2]."""
    return 0.5 * ops.mean(ops.square(real_scores - 1.0)) + 0.5 * ops.mean(ops.square(fake_scores))


def least_squares_generator_loss(fake_scores):
    """LSGAN generator: 1/2 E[(D(G(z)) - 1)^2]."""
    return 0.5 * ops.mean(ops.square(fake_scores - 1.0))


def began_discriminator_loss(real_errors, fake_errors, k=0.0):
    """BEGAN (Berthelot et al. 2017): D's scores are auto-encoder reconstruction
    errors L(.); D minimises L(x) - k_t L(G(z))."""
    return ops.mean(real_errors) - k * ops.mean(fake_errors)


def began_generator_loss(fake_errors):
    """BEGAN generator: minimise L(G(z))."""
    return ops.mean(fake_errors)


def began_k_update(k, real_error, fake_error, gamma, lambda_k):
    """The equilibrium controller: k + lambda_k (gamma L(x) - L(G(z))), clipped to [0, 1]."""
    return ops.clip(
        ops.convert_to_tensor(k + lambda_k * (gamma * real_error - fake_error)), 0.0, 1.0
    )


def began_convergence(real_error, fake_error, gamma):
    """M_global = L(x) + |gamma L(x) - L(G(z))|: falls as training converges."""
    return real_error + ops.abs(gamma * real_error - fake_error)


def sigmoid_score(logits):
    """D's probability that a sample is real: what `d_real`/`d_fake` report."""
    return ops.sigmoid(logits)


def raw_score(scores):
    """Critics and least-squares discriminators output scores, not logits."""
    return scores


@dataclass(frozen=True)
class AdversarialLoss:
    """A named pair of losses the engine plugs into its train step.

    `score` maps raw D outputs to the number logged as `d_real`/`d_fake`
    (a probability for classifier losses, the raw critic value otherwise).
    `uses_label_smoothing` says whether `discriminator` takes `label_smoothing`.
    """

    name: str
    discriminator: Callable
    generator: Callable
    score: Callable = sigmoid_score
    uses_label_smoothing: bool = False


LOSSES = {
    "minimax": AdversarialLoss(
        "minimax", minimax_discriminator_loss, minimax_generator_loss, uses_label_smoothing=True
    ),
    "non_saturating": AdversarialLoss(
        "non_saturating",
        minimax_discriminator_loss,
        non_saturating_generator_loss,
        uses_label_smoothing=True,
    ),
    "wasserstein": AdversarialLoss(
        "wasserstein", wasserstein_critic_loss, wasserstein_generator_loss, score=raw_score
    ),
    # The hinge generator loss is the Wasserstein one (-E[D(G(z))]).
    "hinge": AdversarialLoss(
        "hinge", hinge_discriminator_loss, wasserstein_generator_loss, score=raw_score
    ),
    "least_squares": AdversarialLoss(
        "least_squares",
        least_squares_discriminator_loss,
        least_squares_generator_loss,
        score=raw_score,
    ),
    # k = 0 here; the BEGAN variant passes its controller's k_t.
    "began": AdversarialLoss(
        "began", began_discriminator_loss, began_generator_loss, score=raw_score
    ),
}


def register_loss(loss):
    """Adds an `AdversarialLoss` to `LOSSES`, so `compile(loss=name)` and reloading
    a `.keras` file saved with it find it by name."""
    if loss.name in LOSSES and LOSSES[loss.name] is not loss:
        raise ValueError(f"a loss named {loss.name!r} is registered already.")
    LOSSES[loss.name] = loss
    return loss


def get_loss(name):
    """Looks up an `AdversarialLoss` by name (or passes one through)."""
    if isinstance(name, AdversarialLoss):
        return name
    try:
        return LOSSES[name]
    except KeyError:
        raise ValueError(
            f"Unknown adversarial loss {name!r}; expected one of {sorted(LOSSES)}."
        ) from None
