"""BigGAN building blocks (Brock et al. 2019), sized for small images.

- `ConditionalBatchNorm`: batch norm without its own affine; gain 1 + W_g·e and
  bias W_b·e come from a conditioning vector e (the shared class embedding,
  N(0, 1) like z, concatenated with this block's chunk of z: "hierarchical
  latents"); W_g, W_b are spectrally normalised.
- `SelfAttention` (SAGAN, Zhang et al. 2019): x + γ·attention(x), γ starting at 0.
- residual up/down blocks; every conv and dense is spectrally normalised
  (`keras.layers.SpectralNormalization`, one power iteration per call).
- D ends in a projection (Miyato & Koyama 2018): logit = w·h + <embed(y), h>.
"""
import keras
from keras import ops

from tfgan_zoo.families.translators.networks import ChannelSlice


def sn(layer):
    return keras.layers.SpectralNormalization(layer, power_iterations=1)


def sn_conv(filters, kernel=3):
    return sn(keras.layers.Conv2D(filters, kernel, padding="same",
                                  kernel_initializer="orthogonal"))


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConditionalBatchNorm(keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.norm = keras.layers.BatchNormalization(center=False, scale=False,
                                                    synchronized=True)

    def build(self, shapes):
        # Sub-layers are built here, not on first call, so that every variable
        # exists when the optimizers are built in `compile`.
        x_shape, condition_shape = shapes
        channels = x_shape[-1]
        # Random (not zero) kernels: the class steers G from the first step; spectral
        # norm bounds how far (a zero-initialised conditioning was learnt too slowly).
        self.gain = sn(keras.layers.Dense(channels, kernel_initializer="orthogonal"))
        self.bias = sn(keras.layers.Dense(channels, kernel_initializer="orthogonal"))
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


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class SelfAttention(keras.layers.Layer):
    """Attention over all positions of a feature map, keys/queries at C/8."""

    def build(self, shape):
        channels = shape[-1]
        self.query = sn(keras.layers.Conv2D(max(channels // 8, 1), 1, use_bias=False))
        self.key = sn(keras.layers.Conv2D(max(channels // 8, 1), 1, use_bias=False))
        self.value = sn(keras.layers.Conv2D(max(channels // 2, 1), 1, use_bias=False))
        self.out = sn(keras.layers.Conv2D(channels, 1, use_bias=False))
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
        attended = ops.reshape(ops.matmul(attention, v),
                               (ops.shape(x)[0], height, width, ops.shape(v)[-1]))
        return x + self.gamma * self.out(attended, training=training)

    def compute_output_shape(self, shape):
        return shape


def g_block(x, condition, filters):
    """Residual up-block: CBN-ReLU-up-conv-CBN-ReLU-conv, skip: up-conv1x1."""
    h = keras.layers.ReLU()(ConditionalBatchNorm()([x, condition]))
    h = keras.layers.UpSampling2D()(h)
    h = sn_conv(filters)(h)
    h = keras.layers.ReLU()(ConditionalBatchNorm()([h, condition]))
    h = sn_conv(filters)(h)
    skip = sn_conv(filters, 1)(keras.layers.UpSampling2D()(x))
    return keras.layers.Add()([h, skip])


def d_block(x, filters, first=False):
    """Residual down-block: (ReLU)-conv-ReLU-conv-avgpool, skip: conv1x1-avgpool."""
    h = x if first else keras.layers.ReLU()(x)
    h = sn_conv(filters)(h)
    h = sn_conv(filters)(keras.layers.ReLU()(h))
    h = keras.layers.AveragePooling2D(2)(h)
    skip = keras.layers.AveragePooling2D(2)(sn_conv(filters, 1)(x))
    return keras.layers.Add()([h, skip])


def biggan_generator(image_shape, latent_dim, num_classes, filters=32, embedding_dim=32,
                     attention=True):
    height, width, channels = image_shape
    if height % 4 or width % 4:
        raise ValueError(f"image sides must divide by 4; got {image_shape}.")
    chunk = latent_dim // 3  # z splits into the input chunk and one per block
    if chunk < 1 or latent_dim % 3:
        raise ValueError(f"latent_dim must be a positive multiple of 3, got {latent_dim}.")
    z = keras.Input(shape=(latent_dim,), name="z")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    # N(0, 1) class vectors, as large as the z chunks they sit beside (Keras' default
    # U(±0.05) leaves the class a whisper that G learnt to hear only slowly).
    shared = keras.layers.Embedding(num_classes, embedding_dim, name="shared_embedding",
                                    embeddings_initializer=keras.initializers.RandomNormal(
                                        stddev=1.0))(labels)
    chunks = [ChannelSlice(i * chunk, (i + 1) * chunk)(z) for i in range(3)]
    h = sn(keras.layers.Dense((height // 4) * (width // 4) * 2 * filters))(chunks[0])
    h = keras.layers.Reshape((height // 4, width // 4, 2 * filters))(h)
    h = g_block(h, keras.layers.Concatenate()([shared, chunks[1]]), 2 * filters)
    if attention:
        h = SelfAttention()(h)
    h = g_block(h, keras.layers.Concatenate()([shared, chunks[2]]), filters)
    h = keras.layers.ReLU()(keras.layers.BatchNormalization(synchronized=True)(h))
    out = keras.layers.Conv2D(channels, 3, padding="same", activation="tanh", dtype="float32",
                              name="image")(h)
    return keras.Model([z, labels], out, name="generator")


def biggan_discriminator(image_shape, num_classes, filters=32, attention=True):
    x = keras.Input(shape=tuple(image_shape), name="image")
    labels = keras.Input(shape=(), dtype="int32", name="label")
    h = d_block(x, filters, first=True)
    if attention:
        h = SelfAttention()(h)
    h = d_block(h, 2 * filters)
    h = keras.layers.ReLU()(h)
    features = keras.layers.GlobalAveragePooling2D()(h)
    linear = sn(keras.layers.Dense(1))(features)
    embedded = keras.layers.Embedding(num_classes, 2 * filters,
                                      embeddings_initializer="glorot_normal")(labels)
    projection = keras.layers.Dot(axes=1)([embedded, features])
    logit = keras.layers.Add(dtype="float32", name="logit")([linear, projection])
    return keras.Model([x, labels], logit, name="discriminator")
