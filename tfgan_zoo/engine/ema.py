"""An exponential moving average of the generator's weights, for sampling.

Sampling from averaged weights (Karras et al. 2018; Yazıcı et al. 2019) gives
smoother, better samples than the latest G, which moves with every D update.
Training continues from the raw G: the average is a separate copy, as StyleGAN
and BigGAN keep it (the optimizer's `use_ema` would instead overwrite G).
The averages are weights of the GAN, so `.keras` files and checkpoints keep them.
The decay warms up as min(decay, (1 + t) / (10 + t)) after t updates (the rule
of `tf.train.ExponentialMovingAverage` with `num_updates`): a 0.999 average
would otherwise hold mostly the random initial G for thousands of steps, which
is all of a short run (StyleGAN ramps its average up for the same reason).
With a start step s (BigGAN: 20k, from the authors' launch scripts) the average
instead copies G for updates t < s and then decays at exactly d: the copied,
partly trained G stands in for the warm-up.
Under tf.distribute they are updated from the first replica (all replicas hold
the same G after a step).
"""

import keras
import tensorflow as tf


class GeneratorEMA:
    def __init__(self, model, decay, start=None):
        self.set_decay(decay, start)
        self.generator = model.generator
        self.averages = [
            model.add_weight(
                name=f"ema_{i}",
                shape=w.shape,
                dtype=w.dtype,
                trainable=False,
                initializer=keras.initializers.Zeros(),
                aggregation="only_first_replica",
            )
            for i, w in enumerate(model.generator.weights)
        ]
        for average, weight in zip(self.averages, self.generator.weights):
            average.assign(weight)
        # The network that samples: G's architecture, loaded with the averages on demand.
        self.network = keras.models.clone_model(model.generator)

    def set_decay(self, decay, start=None):
        if not 0.0 <= float(decay) < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {decay}.")
        if start is not None and int(start) < 0:
            raise ValueError(f"ema_start must be >= 0 or None, got {start}.")
        self.decay = float(decay)
        self.start = None if start is None else int(start)

    def decay_at(self, updates):
        """The decay used by update number `updates` (1 for the first): with no
        start, min(d, (1 + t) / (10 + t)); with start s, 0 (copy G) for t < s, else d."""
        if self.start is not None:
            before = tf.cast(updates, tf.int64) < self.start
            return tf.where(before, 0.0, self.decay)
        updates = tf.cast(updates, tf.float32)
        return tf.minimum(self.decay, (1.0 + updates) / (10.0 + updates))

    def update(self, updates, variables=None):
        """One step of avg <- d * avg + (1 - d) * w with d = `decay_at(updates)`,
        for G's trainable weights (those in `variables` when given: a weight the
        step cannot move keeps its average); batch-norm statistics (non-trainable)
        are copied as they are."""
        decay = self.decay_at(updates)
        moved = None if variables is None else {id(v) for v in variables}
        for average, weight in zip(self.averages, self.generator.weights):
            if weight.trainable and moved is not None and id(weight) not in moved:
                continue
            if weight.trainable:
                average.assign(decay * average + (1.0 - decay) * weight)
            else:
                average.assign(weight)

    def synced_network(self):
        """The sampling network holding the current averages."""
        for target, average in zip(self.network.weights, self.averages):
            target.assign(average)
        return self.network


def network_weights(model):
    """`model.get_weights()` without the EMA averages that compiling with
    `ema_decay` adds (`GeneratorEMA`): what an uncompiled copy holds. The copy
    trains on from G and D as they were; an average of its own, if it is
    compiled with one, starts again from that G."""
    ema = getattr(model, "ema", None)
    averages = {id(average) for average in ema.averages} if ema is not None else set()
    return [weight.numpy() for weight in model.weights if id(weight) not in averages]
