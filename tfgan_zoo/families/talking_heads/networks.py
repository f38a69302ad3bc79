"""The talking-head networks (Zakharov et al. 2019), sized for 28x28 frames.

  embedder(frame, landmarks)        -> e, one embedding of one frame  [N]
  generator(landmarks, psi)         -> image; every AdaIN layer reads its scale
                                       and shift from psi = P e (`adain_size`)
  discriminator(frame, landmarks, i)-> [feature maps..., v, r]: the body V gives
                                       v [N]; the projection head scores
                                       r = v . (W_i + w0) + b

Frames and landmark images enter side by side as channels (the paper
concatenates them too). Sides must divide by 4 (two stride-2 levels).
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class AdaptiveInstanceNorm(keras.layers.Layer):
    """AdaIN whose parameters are a slice of psi: [x, psi] -> (1 + gamma) * IN(x) + beta,
    gamma = psi[:, offset : offset + C], beta = the next C values. The 1 + keeps a
    freshly initialised P (psi near 0) at plain instance norm."""

    def __init__(self, offset, epsilon=1e-5, **kwargs):
        super().__init__(**kwargs)
        self.offset, self.epsilon = int(offset), float(epsilon)

    def call(self, inputs):
        x, psi = inputs
        channels = x.shape[-1]
        gamma = psi[:, self.offset : self.offset + channels]
        beta = psi[:, self.offset + channels : self.offset + 2 * channels]
        mean = ops.mean(x, axis=(1, 2), keepdims=True)
        variance = ops.var(x, axis=(1, 2), keepdims=True)
        normed = (x - mean) / ops.sqrt(variance + self.epsilon)
        return (1.0 + gamma[:, None, None, :]) * normed + beta[:, None, None, :]

    def get_config(self):
        return dict(super().get_config(), offset=self.offset, epsilon=self.epsilon)


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ProjectionHead(keras.layers.Layer):
    """r = v . (W_i + w0) + b: W is one learned column per training identity
    (an embedding table), w0 the column shared by all, b a bias."""

    def __init__(self, num_identities, embedding_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_identities, self.embedding_dim = int(num_identities), int(embedding_dim)
        self.table = self.add_weight(
            shape=(self.num_identities, self.embedding_dim), initializer="zeros", name="W"
        )
        self.w0 = self.add_weight(
            shape=(self.embedding_dim,), initializer="glorot_uniform", name="w0"
        )
        self.b = self.add_weight(shape=(), initializer="zeros", name="b")

    def call(self, inputs):
        v, identity = inputs
        columns = ops.take(self.table, ops.cast(identity, "int32"), axis=0)
        return score(v, columns + self.w0, self.b)

    def get_config(self):
        return dict(
            super().get_config(),
            num_identities=self.num_identities,
            embedding_dim=self.embedding_dim,
        )


def score(v, w, b):
    """The projection score v . w + b, one per row ([B] from [B, N] and [B, N] or [N])."""
    return ops.sum(v * w, axis=-1) + b


def _conv(x, filters, stride=1, name=None):
    return keras.layers.Conv2D(filters, 3, strides=stride, padding="same", name=name)(x)


def embedder_network(image_shape, landmark_channels, base_filters, embedding_dim):
    """E(x, y): conv body over the frame and its landmarks, average-pooled, then
    a linear map to the embedding."""
    frame = keras.Input(image_shape, name="frame")
    landmarks = keras.Input((*image_shape[:2], landmark_channels), name="landmarks")
    x = keras.layers.Concatenate()([frame, landmarks])
    for filters, stride in ((base_filters, 2), (2 * base_filters, 2), (4 * base_filters, 1)):
        x = keras.layers.LeakyReLU(0.2)(_conv(x, filters, stride))
    x = keras.layers.GlobalAveragePooling2D()(x)
    e = keras.layers.Dense(embedding_dim, name="embedding")(x)
    return keras.Model([frame, landmarks], e, name="embedder")


def adain_size(base_filters, blocks):
    """Length of psi: a scale and a shift per channel of every AdaIN layer (two
    per residual block at 4f channels, two per up-sampling block at 2f, then f)."""
    return 2 * (2 * blocks * 4 * base_filters + 2 * (2 * base_filters + base_filters))


def generator_network(image_shape, landmark_channels, base_filters, blocks):
    """G(y, psi): an image-to-image network on the landmark image. It encodes y
    with instance norm (no identity there), then residual blocks and two residual
    up-sampling blocks whose every normalisation is AdaIN from psi. (A single
    transposed convolution per level gave SSIM 0.669 against 0.697 after 3,000
    episodes at 4 blocks of 32 filters: K = 8 fine-tuned, 24 unseen items.)"""
    f = base_filters
    landmarks = keras.Input((*image_shape[:2], landmark_channels), name="landmarks")
    psi = keras.Input((adain_size(f, blocks),), name="psi")
    norm = dict(groups=-1, epsilon=1e-5)  # instance norm
    x = keras.layers.ReLU()(keras.layers.GroupNormalization(**norm)(_conv(landmarks, f)))
    x = keras.layers.ReLU()(keras.layers.GroupNormalization(**norm)(_conv(x, 2 * f, 2)))
    x = keras.layers.ReLU()(keras.layers.GroupNormalization(**norm)(_conv(x, 4 * f, 2)))
    offset = 0

    def adain(h):
        nonlocal offset
        out = AdaptiveInstanceNorm(offset)([h, psi])
        offset += 2 * h.shape[-1]
        return out

    for _ in range(blocks):
        h = keras.layers.ReLU()(adain(_conv(x, 4 * f)))
        x = keras.layers.Add()([x, adain(_conv(h, 4 * f))])
    for filters in (2 * f, f):  # residual up-sampling blocks (the paper's), AdaIN in both convs
        x = keras.layers.UpSampling2D()(x)
        h = adain(_conv(keras.layers.ReLU()(adain(_conv(x, filters))), filters))
        x = keras.layers.ReLU()(keras.layers.Add()([keras.layers.Conv2D(filters, 1)(x), h]))
    image = keras.layers.Conv2D(image_shape[-1], 3, padding="same", activation="tanh")(x)
    return keras.Model([landmarks, psi], image, name="generator")


def discriminator_body(image_shape, landmark_channels, base_filters, embedding_dim):
    """V(x, y): [feature map per level..., v], v = ReLU of a linear map of the
    average-pooled last level (the paper's V ends in ReLU and sum pooling)."""
    frame = keras.Input(image_shape, name="frame")
    landmarks = keras.Input((*image_shape[:2], landmark_channels), name="landmarks")
    x = keras.layers.Concatenate()([frame, landmarks])
    features = []
    for filters, stride in ((base_filters, 2), (2 * base_filters, 2), (4 * base_filters, 1)):
        x = keras.layers.LeakyReLU(0.2)(_conv(x, filters, stride))
        features.append(x)
    v = keras.layers.Dense(embedding_dim, activation="relu")(
        keras.layers.GlobalAveragePooling2D()(x)
    )
    return keras.Model([frame, landmarks], [*features, v], name="discriminator_body")


def discriminator_network(image_shape, landmark_channels, base_filters, embedding_dim, identities):
    """D(x, y, i): the body V and the projection head, outputs [features..., v, r]."""
    body = discriminator_body(image_shape, landmark_channels, base_filters, embedding_dim)
    frame = keras.Input(image_shape, name="frame")
    landmarks = keras.Input((*image_shape[:2], landmark_channels), name="landmarks")
    identity = keras.Input((), dtype="int32", name="identity")
    *features, v = body([frame, landmarks])
    r = ProjectionHead(identities, embedding_dim, name="projection")([v, identity])
    return keras.Model([frame, landmarks, identity], [*features, v, r], name="discriminator")
