"""Keras's BatchNormalization, able to normalise a training batch in one fused kernel.

Keras 3 normalises a batch with separate ops: a mean and a mean of squares, then
a scale and a shift. Under mixed precision it also casts the bfloat16 activations
to float32 and the result back. TensorFlow's FusedBatchNormV3 (oneDNN on CPUs)
does the same arithmetic in one pass. It reads and writes bfloat16 and computes
in float32 inside. Forward + backward at the shapes of the paper's 64×64 DCGAN
(batch 128, 4×4×1024 to 32×32×128), on one thread of an AMD EPYC
(`tools/bench_batch_norm.py`, docs/batch_norm_epyc.json):
- bfloat16: 12-94 ms as Keras's ops, 3.9-29 fused (2.6-3.3×), which makes the
  DCGAN's bfloat16 `fit` step 1.09-1.11× faster at 64×64 and 28×28;
- float32: 7.0-87 ms against 3.5-33 (1.5-2.7×).

`fused="auto"` takes the kernel where the compute dtype is bfloat16 or float16
(mixed precision). Float32 keeps Keras's ops unless asked (`fused=True`). The
project's float32 learning tests and zoo entries were measured with those ops,
and a different order of summation is a different training run. Either way the
kernel is used only where it computes what Keras's layer does:
- a training step of a trainable layer;
- channels-last 4-D inputs, no mask, no renormalisation, epsilon at least the
  kernel's smallest (1.001e-5);
- batches that are not synchronised over more than one replica (the kernel sees
  one replica's batch).
Inference (moving statistics) is Keras's: a scale and a shift.

The class is named as Keras's on purpose. Keras files address a layer's weights
by its class's name, so files of keras.layers.BatchNormalization load into it,
and back.
"""

import keras
import tensorflow as tf

REDUCED_PRECISION = ("bfloat16", "float16")
# The kernel raises a smaller epsilon to this (tf.nn.fused_batch_norm): below it,
# it would not compute what Keras's layer does.
KERNEL_MIN_EPSILON = 1.001e-5


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class BatchNormalization(keras.layers.BatchNormalization):
    """keras.layers.BatchNormalization plus `fused`: "auto" (the fused kernel in
    reduced precision, see the module), True (wherever it applies) or False
    (never)."""

    def __init__(self, *args, fused="auto", **kwargs):
        super().__init__(*args, **kwargs)
        if not (isinstance(fused, bool) or fused == "auto"):
            raise ValueError(f"fused must be 'auto', True or False, got {fused!r}.")
        self.fused = fused

    def uses_fused_kernel(self, inputs, training=True, mask=None):
        """Whether a call on `inputs` runs as the fused kernel."""
        if self.fused is False or not (training and self.trainable):
            return False
        if self.fused == "auto" and self.compute_dtype not in REDUCED_PRECISION:
            return False
        rank = len(inputs.shape)
        return (
            rank == 4
            and self.axis % rank == rank - 1
            and mask is None
            and not self.renorm
            and self.epsilon >= KERNEL_MIN_EPSILON
            and not (self.synchronized and _replicas() > 1)
        )

    def call(self, inputs, training=None, mask=None):
        if not self.uses_fused_kernel(inputs, training, mask):
            return super().call(inputs, training=training, mask=mask)
        channels = inputs.shape[-1]
        scale = self.gamma if self.scale else tf.ones((channels,))
        offset = self.beta if self.center else tf.zeros((channels,))
        outputs, mean, variance = tf.compat.v1.nn.fused_batch_norm(
            inputs, scale, offset, epsilon=self.epsilon, is_training=True
        )
        # The kernel returns the batch variance with Bessel's correction, n / (n - 1);
        # Keras's moving average takes the batch's own, as the normalisation does.
        count = tf.cast(tf.size(inputs) // channels, variance.dtype)
        variance = variance * (count - 1.0) / count
        momentum = self.momentum
        self.moving_mean.assign(self.moving_mean * momentum + mean * (1.0 - momentum))
        self.moving_variance.assign(self.moving_variance * momentum + variance * (1.0 - momentum))
        return tf.cast(outputs, self.compute_dtype)

    def get_config(self):
        return {**super().get_config(), "fused": self.fused}


def _replicas():
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: the strategy's replicas
        return tf.distribute.get_strategy().num_replicas_in_sync
    return context.num_replicas_in_sync
