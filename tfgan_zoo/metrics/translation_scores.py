"""Metrics for image-to-image translation.

Paired tasks compare each output with its target: mean absolute error (L1, on
[-1, 1] pixels), PSNR and SSIM (on [0, 1] pixels; SSIM with an 11x11 Gaussian
window, Wang et al. 2004). Unpaired tasks have no target: `domain_accuracy`
asks the project's Fashion-MNIST classifier how often translated images land
in the target class. `sharpness` (mean squared Laplacian) tells a sharp output
from a blurry average, which L1 alone rewards.
"""

import numpy as np
import tensorflow as tf


def _to_unit(images):
    """[-1, 1] floats or uint8 -> float32 [0, 1]."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 255.0
    return (images.astype(np.float32) + 1.0) / 2.0


def l1_error(outputs, targets):
    """Mean |output - target| on the [-1, 1] scale."""
    return float(np.mean(np.abs(2 * _to_unit(outputs) - 2 * _to_unit(targets))))


def psnr(outputs, targets):
    """Mean PSNR in dB over images (peak 1 on the [0, 1] scale)."""
    return float(tf.reduce_mean(tf.image.psnr(_to_unit(outputs), _to_unit(targets), 1.0)))


def ssim(outputs, targets):
    """Mean SSIM over images on the [0, 1] scale."""
    return float(tf.reduce_mean(tf.image.ssim(_to_unit(outputs), _to_unit(targets), 1.0)))


def sharpness(images):
    """Mean squared response to a 3x3 Laplacian: high for crisp edges, low for blur."""
    x = tf.constant(_to_unit(images))
    kernel = tf.constant([[0, 1, 0], [1, -4, 1], [0, 1, 0]], tf.float32)
    kernel = tf.tile(kernel[:, :, None, None], [1, 1, x.shape[-1], 1])
    response = tf.nn.depthwise_conv2d(x, kernel, [1, 1, 1, 1], "VALID")
    return float(tf.reduce_mean(tf.square(response)))


def domain_accuracy(images, target_class, feature_network="fashion_mnist"):
    """Fraction of `images` the classifier assigns to `target_class`."""
    from tfgan_zoo.metrics.features import get_feature_network

    network = get_feature_network(feature_network)
    return float(np.mean(np.argmax(network.logits(images), axis=-1) == target_class))


def paired_report(outputs, targets):
    """{l1, psnr, ssim, sharpness} of outputs against their targets."""
    return dict(
        l1=l1_error(outputs, targets),
        psnr=psnr(outputs, targets),
        ssim=ssim(outputs, targets),
        sharpness=sharpness(outputs),
        target_sharpness=sharpness(targets),
    )
