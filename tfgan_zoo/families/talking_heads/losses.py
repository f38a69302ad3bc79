"""The talking-head objective as pure functions (Zakharov et al. 2019, eq. 1-5).

  content            sum over layers of mean |phi_l(x) - phi_l(x_hat)|: a perceptual
                     loss on a frozen feature network (here the project's
                     Fashion-MNIST classifier stands in for VGG19 and VGGFace)
  feature_matching   the same sum over the discriminator's own feature maps
  embedding_match    mean |W_i - e_i|: the paper's L1 term L_MCH (weight 80),
                     averaged over entries instead of summed, so its weight
                     does not grow with the embedding size
The adversarial terms are the engine's hinge loss (`engine.losses`).
"""

import keras
import tensorflow as tf
from keras import ops

from tfgan_zoo.metrics.features import CLASSIFIER_INPUT_SHAPE


def mean_abs_over_layers(reals, fakes):
    """sum_l mean |reals[l] - fakes[l]| over matching lists of tensors."""
    return sum(ops.mean(ops.abs(r - f)) for r, f in zip(reals, fakes))


def content_loss(real_features, fake_features):
    """The perceptual loss: feature maps of x and x_hat, layer by layer."""
    return mean_abs_over_layers(real_features, fake_features)


def feature_matching_loss(real_features, fake_features):
    """Feature matching: D's feature maps of the real and the generated frame."""
    return mean_abs_over_layers(real_features, fake_features)


def embedding_match_loss(columns, embeddings):
    """L_MCH: mean |W_i - e_i| between D's identity columns and the embeddings."""
    return ops.mean(ops.abs(columns - embeddings))


def classifier_feature_maps(name="fashion_mnist"):
    """A function images -> [feature map of each conv block] of the shipped
    classifier (frozen, inference mode). Images of another shape are made grey
    and resized to the classifier's 28x28 first."""
    from tfgan_zoo.metrics.features import get_feature_network

    network = get_feature_network(name)
    classifier = network.model
    outputs = [layer.output for layer in classifier.layers if isinstance(layer, keras.layers.ReLU)]
    # Frozen by use: no optimizer is given its variables (setting `trainable`
    # here would change the shared, cached classifier for every other user).
    maps = keras.Model(classifier.inputs, outputs, name="content_features")
    height, width, channels = CLASSIFIER_INPUT_SHAPE

    def features(images):
        if images.shape[-1] != channels:
            images = ops.mean(images, axis=-1, keepdims=True)
        if tuple(images.shape[1:3]) != (height, width):
            images = tf.image.resize(images, (height, width), method="bilinear")
        return maps(images, training=False)

    return features
