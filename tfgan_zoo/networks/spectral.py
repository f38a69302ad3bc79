"""Spectral normalisation as a reparameterisation (Miyato et al. 2018, §2.1).

A layer computes with W_SN = W / σ(W), σ(W) the largest singular value of W
reshaped to [fan_in, out]. σ is estimated by one power iteration per training
call from u, a non-trainable weight that carries the estimate between steps
(Miyato et al., Algorithm 1): v = normalise(W u), u' = normalise(Wᵀ v),
σ = vᵀ W u'. u' and v are constants to autodiff, so the gradient reaches W
through σ as well as through W itself (their eq. 12):
∂L/∂W = (1/σ)(∂L/∂W_SN − (∂L/∂W_SN · W_SN) v u'ᵀ).

`keras.layers.SpectralNormalization` instead writes W/σ into the kernel
variable on each training call and differentiates with σ held fixed, a
projected descent whose gradient lacks the second term.

The variable `kernel` holds the raw W. At inference σ = ‖W u‖ from the stored
u, which is left as it is (no iteration: the serving graph stays small; both
estimates meet σ once u has converged). Under tf.distribute every replica
computes the same u' (the same W and u), so its update takes the first
replica's value. The iteration runs in float32 (the layers do not autocast
their weights); the normalised kernel is cast to the compute dtype.
"""

import keras
from keras import ops

EPSILON = 1e-12


def l2_normalize(x):
    return x / ops.maximum(ops.sqrt(ops.sum(ops.square(x))), EPSILON)


def power_iteration(matrix, u):
    """One power-iteration step on `matrix` [fan_in, out] from `u` [out]:
    (σ estimate, the next u). σ is differentiable in `matrix`; u and v are not."""
    v = ops.stop_gradient(l2_normalize(ops.matmul(matrix, u)))
    next_u = ops.stop_gradient(l2_normalize(ops.matmul(ops.transpose(matrix), v)))
    return ops.sum(v * ops.matmul(matrix, next_u)), next_u


class SpectralNormalized:
    """Mixin for a Keras layer whose weight matrix is `spectral_weight()`."""

    def _init_spectral(self, kwargs):
        kwargs["autocast"] = False  # u and σ in float32 under mixed precision
        return kwargs

    def _build_spectral(self):
        weight = self.spectral_weight()
        self.u = self.add_weight(
            name="u",
            shape=(weight.shape[-1],),
            trainable=False,
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            aggregation="only_first_replica",
        )

    # Keras' Dense, Conv and Embedding save only their own (kernel, bias) weights;
    # the generic layer's saving stores every weight, u included.
    def save_own_variables(self, store):
        keras.layers.Layer.save_own_variables(self, store)

    def load_own_variables(self, store):
        keras.layers.Layer.load_own_variables(self, store)

    def sigma(self, matrix=None):
        """The σ inference divides by: ‖W u‖ at the stored u."""
        if matrix is None:
            weight = self.spectral_weight()
            matrix = ops.reshape(weight, (-1, weight.shape[-1]))
        return ops.sqrt(ops.sum(ops.square(ops.matmul(matrix, self.u))))

    def normalized_weight(self, training=False):
        """W / σ(W); a training call takes one power step and stores its u."""
        weight = ops.convert_to_tensor(self.spectral_weight())
        matrix = ops.reshape(weight, (-1, weight.shape[-1]))
        if training:
            sigma, next_u = power_iteration(matrix, self.u)
            self.u.assign(next_u)
        else:
            sigma = self.sigma(matrix)
        return ops.cast(weight / ops.maximum(sigma, EPSILON), self.compute_dtype)


def _activate(layer, x):
    return x if layer.activation is None else layer.activation(x)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNDense(SpectralNormalized, keras.layers.Dense):
    def __init__(self, units, **kwargs):
        super().__init__(units, **self._init_spectral(kwargs))

    def build(self, shape):
        super().build(shape)
        self._build_spectral()

    def spectral_weight(self):
        return self.kernel

    def call(self, x, training=False):
        y = ops.matmul(ops.cast(x, self.compute_dtype), self.normalized_weight(training))
        if self.use_bias:
            y = y + ops.cast(self.bias, self.compute_dtype)
        return _activate(self, y)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNConv2D(SpectralNormalized, keras.layers.Conv2D):
    """A channels-last 2D convolution with a spectrally normalised kernel."""

    def __init__(self, filters, kernel_size, **kwargs):
        super().__init__(filters, kernel_size, **self._init_spectral(kwargs))
        if self.data_format != "channels_last":
            raise ValueError("SNConv2D is channels-last only.")

    def build(self, shape):
        super().build(shape)
        self._build_spectral()

    def spectral_weight(self):
        return self.kernel

    def call(self, x, training=False):
        y = self.convolution_op(ops.cast(x, self.compute_dtype), self.normalized_weight(training))
        if self.use_bias:
            y = y + ops.cast(self.bias, self.compute_dtype)
        return _activate(self, y)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SNEmbedding(SpectralNormalized, keras.layers.Embedding):
    """An embedding whose [classes, dim] table is spectrally normalised."""

    def __init__(self, input_dim, output_dim, **kwargs):
        super().__init__(input_dim, output_dim, **self._init_spectral(kwargs))

    def build(self, shape=None):
        super().build(shape)
        self._build_spectral()

    def spectral_weight(self):
        return self.embeddings

    def call(self, ids, training=False):
        return ops.take(self.normalized_weight(training), ops.cast(ids, "int32"), axis=0)

    def compute_output_spec(self, ids, training=False):
        return super().compute_output_spec(ids)
