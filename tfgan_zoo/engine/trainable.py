"""What every model class tells the command-line trainer (`tfgan_zoo.training`),
with the defaults that `engine.GAN` and the baselines' `engine.fitting.DatasetFit`
both inherit; a class overrides only what differs (translators, PixelCNN, the
growing and semi-supervised GANs)."""


class TrainerDeclarations:
    # The built-in dataset when none is named, pixel values scaled to [-1, 1],
    # images padded to a power-of-two side for networks that grow by doubling, and
    # the labelled images per class of a semi-supervised model (None: all labelled);
    # `maps_inputs`: its pictures are outputs for input images (translators,
    # autoencoders), so previews and `tfgan-zoo sample` feed it a batch of its data.
    default_dataset = "fashion_mnist"
    training_pixels = "scaled"
    power_of_two_sides = False
    labels_per_class = None
    maps_inputs = False

    def preview_images(self, n, seed, inputs=None):
        """What a training run shows after each epoch: `n` samples from `seed`
        (`inputs`, a batch of the training data, is for models that transform data)."""
        return self.sample(n, seed=seed)
