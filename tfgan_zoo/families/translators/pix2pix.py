"""pix2pix (Isola et al. 2017): paired image-to-image translation.

What differs from the engine: G is a U-Net of the source image whose only noise
is dropout (there is no z); D is a PatchGAN that judges (source, image) pairs
patch by patch; G minimises the non-saturating cGAN loss plus λ·L1 to the
target (λ = 100); Adam(2e-4, β1 = 0.5). The `paper` recipe adds batch 1 and a
constant rate (15 epochs of batch 4 for edges), as the paper and its Torch code.

Remaining differences from the paper (and phillipi/pix2pix):
- D's objective is not halved (the paper divides it by 2 to slow D); under
  Adam a constant factor on the loss leaves the steps unchanged but for ε.
- `translate` and the serving signature run G in inference mode: no dropout
  and batch norm's moving statistics. The paper keeps dropout and batch
  statistics at test time.
- networks are sized for 28x28 images: a U-Net of `depth` stride-2 levels
  (the paper's has 8 for 256x256) and a 16 px PatchGAN by default
  (`d_downsamplings=3` gives the paper's 70 px patches).
"""

import keras
from keras import ops

from tfgan_zoo.families.translators.base import PairedTranslator
from tfgan_zoo.families.translators.networks import patch_discriminator, unet_generator
from tfgan_zoo.registry import register_model


@register_model("pix2pix", kind="translator")
@keras.saving.register_keras_serializable(package="tfgan_zoo")
class Pix2Pix(PairedTranslator):
    """Args:
    image_shape: shape of source and target images (sides divisible by 2**depth).
    base_filters, depth: U-Net width (also the PatchGAN's) and number of
      stride-2 levels.
    d_downsamplings: PatchGAN stride-2 layers; sets the patch side
      (`receptive_field`: 16 px for 1, 34 for 2, 70 for 3).
    l1_weight: λ; 0 trains a cGAN without the L1 term.
    adversarial: False trains the U-Net on L1 alone (the paper's L1 baseline):
      D is still trained, but G's adversarial term has weight 0.
    seed: seed of the training noise (dropout is drawn by Keras).
    """

    description = "U-Net G, PatchGAN D on (source, image), cGAN + 100·L1 (Isola et al. 2017)"

    def __init__(
        self,
        image_shape=(28, 28, 1),
        base_filters=32,
        depth=2,
        d_downsamplings=1,
        l1_weight=100.0,
        adversarial=True,
        seed=None,
        **kwargs,
    ):
        image_shape = tuple(image_shape)
        self.base_filters, self.depth = int(base_filters), int(depth)
        self.d_downsamplings = int(d_downsamplings)
        self.l1_weight, self.adversarial = float(l1_weight), bool(adversarial)
        self.adversarial_weight = 1.0 if self.adversarial else 0.0
        super().__init__(
            generator=unet_generator(image_shape, self.base_filters, self.depth),
            discriminator=patch_discriminator(image_shape, self.base_filters, self.d_downsamplings),
            image_shape=image_shape,
            seed=seed,
            **kwargs,
        )
        self.l1_tracker = keras.metrics.Mean(name="l1")

    @property
    def metrics(self):
        return super().metrics + [self.l1_tracker]

    def generate(self, z=None, labels=None, training=False):
        return self.generator(labels, training=training)  # the source; dropout is the noise

    def generator_extra_loss(self, real, labels, fake, extras):
        l1 = ops.mean(ops.abs(fake - real))
        self.l1_tracker.update_state(l1)
        return self.l1_weight * l1

    def translate_batch(self, sources, training=False):
        network = self.generator if training else self.inference_network()
        return network(sources, training=training)
