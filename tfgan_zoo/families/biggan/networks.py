"""BigGAN building blocks (Brock et al. 2019), sized for small images.

- `ConditionalBatchNorm`: batch norm without its own affine; gain 1 + W_g·e and
  bias W_b·e come from a conditioning vector e (the shared class embedding,
  N(0, 1) like z, concatenated with this block's chunk of z: "hierarchical
  latents"); W_g, W_b are spectrally normalised.
- `SelfAttention` (SAGAN, Zhang et al. 2019): x + γ·attention(x), γ starting at 0.
- residual up/down blocks; every conv, dense and D's class embedding is
  spectrally normalised (G's shared embedding is not, as in the authors' code).
- D ends in global sum pooling and a projection (Miyato & Koyama 2018):
  logit = w·h + <embed(y), h>.

`spectral_norm` selects the layers: "reparameterized" (`networks.spectral`, the
paper's W/σ(W) in the forward pass) or "keras", the networks of 0.1.0:
`keras.layers.SpectralNormalization` (W/σ written into the kernel, σ held fixed
in the gradient) on every conv and dense but not on D's class embedding or G's
output conv. Files saved before the argument existed are rebuilt with "keras".
"""

import keras
from keras import ops

from tfgan_zoo.families.translators.networks import ChannelSlice
from tfgan_zoo.networks.spectral import SNConv2D, SNDense, SNEmbedding

SPECTRAL_NORMS = ("reparameterized", "keras")


def check_spectral_norm(spectral_norm):
    if spectral_norm not in SPECTRAL_NORMS:
        raise ValueError(f"spectral_norm must be one of {SPECTRAL_NORMS}, got {spectral_norm!r}.")
    return spectral_norm


def sn_dense(units, spectral_norm, **kwargs):
    if spectral_norm == "keras":
        return keras.layers.SpectralNormalization(
            keras.layers.Dense(units, **kwargs), power_iterations=1
        )
    return SNDense(units, **kwargs)


def sn_conv(filters, spectral_norm, kernel=3, **kwargs):
    kwargs = {"padding": "same", "kernel_initializer": "orthogonal", **kwargs}
    if spectral_norm == "keras":
        return keras.layers.SpectralNormalization(
            keras.layers.Conv2D(filters, kernel, **kwargs), power_iterations=1
        )
    return SNConv2D(filters, kernel, **kwargs)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class GlobalSumPooling2D(keras.layers.Layer):
    """Σ over positions of each channel (BigGAN's and SN-GAN's D head)."""

    def call(self, x):
        return ops.sum(x, axis=(1, 2))

    def compute_output_shape(self, shape):
        return (shape[0], shape[-1])


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalBatchNorm(keras.layers.Layer):
    def __init__(self, spectral_norm="reparameterized", **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = check_spectral_norm(spectral_norm)
        self.norm = keras.layers.BatchNormalization(center=False, scale=False, synchronized=True)

    def build(self, shapes):
        # Sub-layers are built here, not on first call, so that every variable
        # exists when the optimizers are built in `compile`.
        x_shape, condition_shape = shapes
        channels = x_shape[-1]
        # Random (not zero) kernels: the class steers G from the first step; spectral
        # norm bounds how far (a zero-initialised conditioning was learnt too slowly).
        self.gain = sn_dense(channels, self.spectral_norm, kernel_initializer="orthogonal")
        self.bias = sn_dense(channels, self.spectral_norm, kernel_initializer="orthogonal")
        self.norm.build(x_shape)
        self.gain.build(condition_shape)
        self.bias.build(condition_shape)

    def call(self, inputs, training=False):
        x, condition = inputs
        gain = 1.0 + self.gain(condition, training=training)
        bias = self.bias(condition, training=training)
        return self.norm(x, training=training) * gain[:, None, None, :] + bias[:, None, None, :]

    def compute_output_shape(self, shapes):
        return shapes[0]

    def get_config(self):
        return dict(super().get_config(), spectral_norm=self.spectral_norm)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SelfAttention(keras.layers.Layer):
    """Attention over all positions of a feature map, keys/queries at C/8."""

    def __init__(self, spectral_norm="reparameterized", **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = check_spectral_norm(spectral_norm)

    def build(self, shape):
        channels = shape[-1]

        def conv(filters):
            return sn_conv(
                filters,
                self.spectral_norm,
                kernel=1,
                use_bias=False,
                kernel_initializer="glorot_uniform",
            )

        self.query = conv(max(channels // 8, 1))
        self.key = conv(max(channels // 8, 1))
        self.value = conv(max(channels // 2, 1))
        self.out = conv(channels)
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="zeros")
        for layer in (self.query, self.key, self.value):
            layer.build(shape)
        self.out.build((*shape[:-1], max(channels // 2, 1)))

    def call(self, x, training=False):
        height, width = ops.shape(x)[1], ops.shape(x)[2]

        def flat(t):
            return ops.reshape(t, (ops.shape(t)[0], height * width, ops.shape(t)[-1]))

        q, k = flat(self.query(x, training=training)), flat(self.key(x, training=training))
        v = flat(self.value(x, training=training))
        attention = ops.softmax(ops.matmul(q, ops.transpose(k, (0, 2, 1))), axis=-1)
        attended = ops.reshape(
            ops.matmul(attention, v), (ops.shape(x)[0], height, width, ops.shape(v)[-1])
        )
        return x + self.gamma * self.out(attended, training=training)

    def compute_output_shape(self, shape):
        return shape

    def get_config(self):
        return dict(super().get_config(), spectral_norm=self.spectral_norm)


def g_block(x, condition, filters, spectral_norm):
    """Residual up-block: CBN-ReLU-up-conv-CBN-ReLU-conv, skip: up-conv1x1."""
    h = keras.layers.ReLU()(ConditionalBatchNorm(spectral_norm)([x, condition]))
    h = keras.layers.UpSampling2D()(h)
    h = sn_conv(filters, spectral_norm)(h)
    h = keras.layers.ReLU()(ConditionalBatchNorm(spectral_norm)([h, condition]))
    h = sn_conv(filters, spectral_norm)(h)
    skip = sn_conv(filters, spectral_norm, kernel=1)(keras.layers.UpSampling2D()(x))
    return keras.layers.Add()([h, skip])


def d_block(x, filters, spectral_norm, first=False):
    """Residual down-block: (ReLU)-conv-ReLU-conv-avgpool, skip: conv1x1-avgpool."""
    h = x if first else keras.layers.ReLU()(x)
    h = sn_conv(filters, spectral_norm)(h)
    h = sn_conv(filters, spectral_norm)(keras.layers.ReLU()(h))
    h = keras.layers.AveragePooling2D(2)(h)
    skip = keras.layers.AveragePooling2D(2)(sn_conv(filters, spectral_norm, kernel=1)(x))
    return keras.layers.Add()([h, skip])


def biggan_generator(
    image_shape,
    latent_dim,
    num_classes,
    filters=32,
    embedding_dim=32,
    attention=True,
    spectral_norm="reparameterized",
):
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"image sides must divide by 4; got {image_shape}.")
    chunk = latent_dim // 3  # z splits into the input chunk and one per block
    if chunk < 1 or latent_dim % 3:
        raise ValueError(f"latent_dim must be a positive multiple of 3, got {latent_dim}.")
    check_spectral_norm(spectral_norm)
    z = keras.Input(shape=(latent_dim,), name="z")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    # N(0, 1) class vectors, as large as the z chunks they sit beside (Keras' default
    # U(±0.05) leaves the class a whisper that G learnt to hear only slowly).
    shared = keras.layers.Embedding(
        num_classes,
        embedding_dim,
        name="shared_embedding",
        embeddings_initializer=keras.initializers.RandomNormal(stddev=1.0),
    )(labels)
    chunks = [ChannelSlice(i * chunk, (i + 1) * chunk)(z) for i in range(3)]
    h = sn_dense((height // 4) * (width // 4) * 2 * filters, spectral_norm)(chunks[0])
    h = keras.layers.Reshape((height // 4, width // 4, 2 * filters))(h)
    h = g_block(h, keras.layers.Concatenate()([shared, chunks[1]]), 2 * filters, spectral_norm)
    if attention:
        h = SelfAttention(spectral_norm)(h)
    h = g_block(h, keras.layers.Concatenate()([shared, chunks[2]]), filters, spectral_norm)
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(synchronized=True)(h))
    if spectral_norm == "keras":  # 0.1.0 left G's output conv unnormalised
        out = keras.layers.Conv2D(
            channels, 3, padding="same", activation="tanh", dtype="float32", name="image"
        )(h)
    else:
        out = sn_conv(channels, spectral_norm, activation="tanh", dtype="float32", name="image")(h)
    return keras.Model([z, labels], out, name="generator")


def biggan_discriminator(
    image_shape,
    num_classes,
    filters=32,
    attention=True,
    spectral_norm="reparameterized",
    pooling="sum",
):
    """`pooling`: "sum" over positions (the paper's) or "average" (0.1.0's)."""
    check_spectral_norm(spectral_norm)
    if pooling not in ("sum", "average"):
        raise ValueError(f"pooling must be 'sum' or 'average', got {pooling!r}.")
    x = keras.Input(shape=tuple(image_shape), name="image")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    h = d_block(x, filters, spectral_norm, first=True)
    if attention:
        h = SelfAttention(spectral_norm)(h)
    h = d_block(h, 2 * filters, spectral_norm)
    h = keras.layers.ReLU()(h)
    features = (
        GlobalSumPooling2D() if pooling == "sum" else keras.layers.GlobalAveragePooling2D()
    )(h)
    linear = sn_dense(1, spectral_norm)(features)
    if spectral_norm == "keras":  # 0.1.0 left the class embedding unnormalised
        embedding = keras.layers.Embedding(
            num_classes, 2 * filters, embeddings_initializer="glorot_normal"
        )
    else:
        embedding = SNEmbedding(num_classes, 2 * filters, embeddings_initializer="glorot_normal")
    projection = keras.layers.Dot(axes=1)([embedding(labels), features])
    logit = keras.layers.Add(dtype="float32", name="logit")([linear, projection])
    return keras.Model([x, labels], logit, name="discriminator")
