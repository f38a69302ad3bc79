"""What the image-to-image variants share: `ImageTranslator` (all three) and
`PairedTranslationGAN` (pix2pix, BicycleGAN).

Data are `(source, target)` batches, Keras' (x, y): the target is the real
sample D must tell from G's output, and the source is the condition both
networks see (G translates it; D judges (source, image) pairs). Both images
are checked before training like any sample (shape, range, finite values).
"""
import numpy as np
import tensorflow as tf

from tfgan_zoo.data.pipeline import scale_images, unscale_images
from tfgan_zoo.engine import GAN
from tfgan_zoo.engine.validation import DataValidationError, validate_training_data
from tfgan_zoo.families.translators.networks import patch_receptive_field
from tfgan_zoo.families.translators.serving import translate_function


class ImageTranslator:
    """Mixin: construction from a data shape, the PatchGAN's patch side, and
    running a network over uint8 or [-1, 1] images in batches."""

    default_dataset = "edges"  # a paired task (`tfgan_zoo.data.translation_tasks`)

    @classmethod
    def for_data(cls, data_shape, num_classes=None, **kwargs):
        return cls(image_shape=data_shape, **kwargs)

    def preview_images(self, n, seed, inputs=None):
        """`n // 2` sources of the batch `inputs` followed by their translations."""
        sources = np.asarray(inputs[0])[:max(n // 2, 1)]
        return np.concatenate([sources, self.translate(sources)])

    def serving_endpoints(self):
        """`translate`: uint8 source images -> G in inference mode -> uint8 images."""
        return {"translate": translate_function(self.generator, self.image_shape)}

    @property
    def receptive_field(self):
        """Side in pixels of the patch each D logit judges."""
        return patch_receptive_field(self.d_downsamplings)

    def _images_through(self, fn, images, batch_size=256):
        """`fn` on float32 [-1, 1] batches of `images`, as one [-1, 1] numpy array."""
        images = np.asarray(images)
        if images.dtype == np.uint8:
            images = scale_images(images)
        if images.shape[1:] != tuple(self.image_shape):
            raise ValueError(f"images must have shape {tuple(self.image_shape)}; found "
                             f"{images.shape[1:]}")
        return np.concatenate([np.asarray(fn(tf.constant(images[i:i + batch_size], tf.float32)))
                               for i in range(0, len(images), batch_size)])


class PairedTranslationGAN(ImageTranslator, GAN):
    conditional = True  # trains on (source, target) pairs

    @property
    def image_shape(self):
        return self.data_shape

    def _unpack(self, data):
        if not isinstance(data, (tuple, list)) or len(data) < 2:
            raise DataValidationError(f"{type(self).__name__} trains on (source, target) "
                                      "image batches.")
        source, target = data[0], data[1]
        return target, source  # (the real sample, its condition)

    def discriminate(self, x, labels=None, training=False):
        return self.discriminator([x, labels], training=training)

    def validate_data(self, x, y=None):
        if not isinstance(x, tf.data.Dataset):
            return
        spec = x.element_spec
        if not isinstance(spec, (tuple, list)) or len(spec) != 2:
            raise DataValidationError(
                f"{type(self).__name__} needs (source, target) image batches; found "
                f"{spec}.")
        for index, name in ((0, "source"), (1, "target")):
            try:
                validate_training_data(self, x.map(lambda *pair, i=index: pair[i]))
            except DataValidationError as error:
                raise DataValidationError(f"{name} images: {error}") from None

    def translate(self, sources, batch_size=256, **kwargs):
        """Outputs for uint8 or [-1, 1] source images, as [-1, 1] float32 numpy;
        `kwargs` go to `translate_batch` (BicycleGAN's `seed`)."""
        return self._images_through(lambda batch: self.translate_batch(batch, **kwargs),
                                    sources, batch_size)

    def translate_uint8(self, sources, **kwargs):
        return unscale_images(self.translate(sources, **kwargs))
