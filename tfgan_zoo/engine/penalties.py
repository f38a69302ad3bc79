"""Discriminator regularisers as pure functions.

A `critic` is any callable mapping a batch of samples to one score per sample
(the engine passes D with its labels bound). Random numbers are arguments, not
drawn here, so each function is deterministic and testable; the engine draws
them from its stateless, per-replica noise streams.

Each function returns a batch mean; the engine scales by the replica count and
by the penalty weight.
"""
import tensorflow as tf

from tfgan_zoo.engine.replicas import all_reduce

# Keeps sqrt differentiable where a gradient is exactly zero.
_NORM_EPSILON = 1e-12


def _per_sample_shape(x):
    """[batch, 1, 1, ...]: broadcasts one number per sample over the sample axes."""
    return tf.concat([tf.shape(x)[:1], tf.ones([tf.rank(x) - 1], tf.int32)], axis=0)


def critic_input_gradients(critic, points):
    """d critic(points) / d points, one gradient per sample.

    Samples must not interact inside the critic (no batch normalisation), or
    the gradient of the summed scores is not the per-sample gradient.
    """
    with tf.GradientTape() as tape:
        tape.watch(points)
        total = tf.reduce_sum(critic(points))
    return tape.gradient(total, points)


def _squared_norms(gradients):
    axes = tf.range(1, tf.rank(gradients))
    return tf.reduce_sum(tf.square(gradients), axis=axes)


def gradient_norm_penalty(critic, points, target=1.0):
    """E[(||grad critic(x)||_2 - target)^2] over `points`."""
    norms = tf.sqrt(_squared_norms(critic_input_gradients(critic, points)) + _NORM_EPSILON)
    return tf.reduce_mean(tf.square(norms - target))


def interpolates(real, fake, epsilon):
    """eps * real + (1 - eps) * fake with one eps per sample (shape [batch])."""
    eps = tf.reshape(tf.cast(epsilon, real.dtype), _per_sample_shape(real))
    return eps * real + (1.0 - eps) * fake


def gradient_penalty(critic, real, fake, epsilon):
    """WGAN-GP (Gulrajani et al. 2017): the gradient-norm penalty at random points
    on lines between real and fake samples; `epsilon` ~ U[0, 1], one per sample."""
    return gradient_norm_penalty(critic, interpolates(real, fake, epsilon))


def dragan_points(real, noise, alpha, data_std, scale=0.5):
    """DRAGAN's perturbed reals (Kodali et al. 2017): x + alpha * scale * std * noise,
    with `noise` ~ U[0, 1] shaped like `real`, `alpha` ~ U[0, 1] per sample and
    `data_std` the standard deviation of the batch's values."""
    alpha = tf.reshape(tf.cast(alpha, real.dtype), _per_sample_shape(real))
    return real + alpha * scale * data_std * noise


def dragan_penalty(critic, real, noise, alpha, data_std, scale=0.5):
    """The gradient-norm penalty in a neighbourhood of the real data."""
    return gradient_norm_penalty(critic, dragan_points(real, noise, alpha, data_std, scale))


def global_batch_std(x):
    """Standard deviation of all values of the global batch, also when each
    replica of a tf.distribute strategy holds only a part of it."""
    x = tf.stop_gradient(tf.cast(x, tf.float32))
    stats = tf.stack([tf.cast(tf.size(x), tf.float32), tf.reduce_sum(x),
                      tf.reduce_sum(tf.square(x))])
    count, total, total_sq = tf.unstack(all_reduce(tf.distribute.ReduceOp.SUM, stats))
    mean = total / count
    return tf.sqrt(tf.maximum(total_sq / count - tf.square(mean), 0.0))


def r1_penalty(critic, real):
    """R1 (Mescheder et al. 2018): E[||grad D(x)||^2] on real data. The paper's
    gamma/2 factor is the penalty weight the engine applies."""
    return tf.reduce_mean(_squared_norms(critic_input_gradients(critic, real)))


def clip_weights(variables, clip_value):
    """WGAN's weight clipping: every variable into [-clip_value, clip_value]."""
    for variable in variables:
        variable.assign(tf.clip_by_value(variable, -clip_value, clip_value))


# Uniform signature for the engine: fn(critic, real, fake, uniform) where
# `uniform(shape)` returns U[0, 1) draws from the engine's noise stream.
PENALTIES = {
    "gradient_penalty": lambda critic, real, fake, uniform: gradient_penalty(
        critic, real, fake, uniform(tf.shape(real)[:1])),
    "dragan": lambda critic, real, fake, uniform: dragan_penalty(
        critic, real, uniform(tf.shape(real)), uniform(tf.shape(real)[:1]),
        global_batch_std(real)),
    "r1": lambda critic, real, fake, uniform: r1_penalty(critic, real),
}


def get_penalty(name):
    try:
        return PENALTIES[name]
    except KeyError:
        raise ValueError(
            f"Unknown penalty {name!r}; expected one of {sorted(PENALTIES)}.") from None
