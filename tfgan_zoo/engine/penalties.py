"""Discriminator regularisers as pure functions.

A `critic` is any callable mapping a batch of samples to one score per sample
(the engine passes D with its labels bound). Random numbers are arguments, not
drawn here, so each function is deterministic and testable; the engine draws
them from its stateless, per-replica noise streams.

Each function returns a batch mean; the engine scales by the replica count and
by the penalty weight.

With PacGAN packing (`pack` = m > 1) the critic scores each run of m consecutive
rows as one point of the packed space, so the penalised gradient is the gradient
with respect to the whole pack: its squared norm is the sum of its m rows'
squared norms, and the random interpolation and perturbation weights are drawn
once per pack. `pack=1` is the per-sample form of the papers.
"""

import keras
import tensorflow as tf

from tfgan_zoo.engine.replicas import all_reduce

# Keeps sqrt differentiable where a gradient is exactly zero.
_NORM_EPSILON = 1e-12


def _per_sample_shape(x):
    """[batch, 1, 1, ...]: broadcasts one number per sample over the sample axes."""
    return tf.concat([tf.shape(x)[:1], tf.ones([tf.rank(x) - 1], tf.int32)], axis=0)


def critic_input_gradients(critic, points):
    """d critic(points) / d points, one gradient per sample.

    Samples (packs) must not interact inside the critic (no batch normalisation),
    or the gradient of the summed scores is not the per-sample gradient; the
    engine refuses a penalty on a batch-normalised D for that reason.
    """
    with tf.GradientTape() as tape:
        tape.watch(points)
        total = tf.reduce_sum(critic(points))
    return tape.gradient(total, points)


def _squared_norms(gradients, pack=1):
    """Squared norm of the gradient per critic input: per sample, or per pack of
    `pack` consecutive samples (the gradient over the whole packed point)."""
    axes = tf.range(1, tf.rank(gradients))
    per_sample = tf.reduce_sum(tf.square(gradients), axis=axes)
    if pack == 1:
        return per_sample
    return tf.reduce_sum(tf.reshape(per_sample, [-1, pack]), axis=1)


def per_sample(values, pack=1):
    """One value per pack ([batch / pack]) repeated for each of its samples."""
    return values if pack == 1 else tf.repeat(values, pack, axis=0)


def gradient_norm_penalty(critic, points, target=1.0, pack=1):
    """E[(||grad critic(x)||_2 - target)^2] over `points` (over packs of them)."""
    norms = tf.sqrt(_squared_norms(critic_input_gradients(critic, points), pack) + _NORM_EPSILON)
    return tf.reduce_mean(tf.square(norms - target))


def interpolates(real, fake, epsilon, pack=1):
    """eps * real + (1 - eps) * fake with one eps per sample, or per pack
    (`epsilon` of shape [batch / pack])."""
    eps = tf.reshape(tf.cast(per_sample(epsilon, pack), real.dtype), _per_sample_shape(real))
    return eps * real + (1.0 - eps) * fake


def gradient_penalty(critic, real, fake, epsilon, pack=1):
    """WGAN-GP (Gulrajani et al. 2017): the gradient-norm penalty at random points
    on lines between real and fake samples; `epsilon` ~ U[0, 1], one per sample
    (per pack)."""
    return gradient_norm_penalty(critic, interpolates(real, fake, epsilon, pack), pack=pack)


def dragan_points(real, noise, alpha, data_std, scale=0.5, pack=1):
    """DRAGAN's perturbed reals (Kodali et al. 2017): x + alpha * scale * std * noise,
    with `noise` ~ U[0, 1] shaped like `real`, `alpha` ~ U[0, 1] per sample (per
    pack) and `data_std` the standard deviation of the batch's values."""
    alpha = tf.reshape(tf.cast(per_sample(alpha, pack), real.dtype), _per_sample_shape(real))
    return real + alpha * scale * data_std * noise


def dragan_penalty(critic, real, noise, alpha, data_std, scale=0.5, pack=1):
    """The gradient-norm penalty in a neighbourhood of the real data."""
    return gradient_norm_penalty(
        critic, dragan_points(real, noise, alpha, data_std, scale, pack), pack=pack
    )


def global_batch_std(x):
    """Standard deviation of all values of the global batch, also when each
    replica of a tf.distribute strategy holds only a part of it."""
    x = tf.stop_gradient(tf.cast(x, tf.float32))
    stats = tf.stack(
        [tf.cast(tf.size(x), tf.float32), tf.reduce_sum(x), tf.reduce_sum(tf.square(x))]
    )
    count, total, total_sq = tf.unstack(all_reduce(tf.distribute.ReduceOp.SUM, stats))
    mean = total / count
    return tf.sqrt(tf.maximum(total_sq / count - tf.square(mean), 0.0))


def r1_penalty(critic, real, pack=1):
    """R1 (Mescheder et al. 2018): E[||grad D(x)||^2] on real data (packs). The
    paper's gamma/2 factor is the penalty weight the engine applies."""
    return tf.reduce_mean(_squared_norms(critic_input_gradients(critic, real), pack))


def clip_weights(variables, clip_value):
    """WGAN's weight clipping: every variable into [-clip_value, clip_value]."""
    for variable in variables:
        variable.assign(tf.clip_by_value(variable, -clip_value, clip_value))


def _packs(real, pack):
    """[batch / pack]: the shape of one draw per pack."""
    return tf.shape(real)[:1] // pack


# Uniform signature for the engine: fn(critic, real, fake, uniform, pack) where
# `uniform(shape)` returns U[0, 1) draws from the engine's noise stream and `pack`
# is the number of samples D scores at once.
PENALTIES = {
    "gradient_penalty": lambda critic, real, fake, uniform, pack=1: gradient_penalty(
        critic, real, fake, uniform(_packs(real, pack)), pack
    ),
    "dragan": lambda critic, real, fake, uniform, pack=1: dragan_penalty(
        critic,
        real,
        uniform(tf.shape(real)),
        uniform(_packs(real, pack)),
        global_batch_std(real),
        pack=pack,
    ),
    "r1": lambda critic, real, fake, uniform, pack=1: r1_penalty(critic, real, pack),
}


def check_critics(penalty, critics):
    """Refuses a penalty on batch-normalised critics: each gradient above is one
    sample's (one pack's) only when samples do not interact inside D, and batch
    norm mixes the whole batch. `critics` maps a name to a network."""
    for name, network in critics.items():
        found = [
            layer.name
            for layer in network._flatten_layers(include_self=False)
            if isinstance(layer, keras.layers.BatchNormalization)
        ]
        if found:
            raise ValueError(
                f"penalty {penalty!r} needs one gradient per sample, but {name} has batch "
                f"normalisation ({found[0]}), which mixes the samples of a batch; use a D "
                "without it (wgan_gp and dragan use layer norm) or no penalty."
            )


def get_penalty(name):
    try:
        return PENALTIES[name]
    except KeyError:
        raise ValueError(
            f"Unknown penalty {name!r}; expected one of {sorted(PENALTIES)}."
        ) from None
