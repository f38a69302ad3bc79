"""An exponential moving average of the generator's weights, for sampling.

Sampling from averaged weights (Karras et al. 2018; Yazıcı et al. 2019) gives
smoother, better samples than the latest G, which moves with every D update.
Training continues from the raw G: the average is a separate copy, as StyleGAN
and BigGAN keep it (the optimizer's `use_ema` would instead overwrite G).
The averages are weights of the GAN, so `.keras` files and checkpoints keep them.
Under tf.distribute they are updated from the first replica (all replicas hold
the same G after a step).
"""
import keras


class GeneratorEMA:
    def __init__(self, model, decay):
        self.set_decay(decay)
        self.generator = model.generator
        self.averages = [
            model.add_weight(name=f"ema_{i}", shape=w.shape, dtype=w.dtype, trainable=False,
                             initializer=keras.initializers.Zeros(),
                             aggregation="only_first_replica")
            for i, w in enumerate(model.generator.weights)]
        for average, weight in zip(self.averages, self.generator.weights):
            average.assign(weight)
        # The network that samples: G's architecture, loaded with the averages on demand.
        self.network = keras.models.clone_model(model.generator)

    def set_decay(self, decay):
        if not 0.0 <= float(decay) < 1.0:
            raise ValueError(f"ema_decay must be in [0, 1), got {decay}.")
        self.decay = float(decay)

    def update(self):
        """One step of avg <- decay * avg + (1 - decay) * w; batch-norm statistics
        (non-trainable) are copied as they are."""
        for average, weight in zip(self.averages, self.generator.weights):
            if weight.trainable:
                average.assign(self.decay * average + (1.0 - self.decay) * weight)
            else:
                average.assign(weight)

    def synced_network(self):
        """The sampling network holding the current averages."""
        for target, average in zip(self.network.weights, self.averages):
            target.assign(average)
        return self.network
