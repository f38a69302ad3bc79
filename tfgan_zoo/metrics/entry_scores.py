"""What a zoo entry's card reports: one protocol per kind of model, measured by
`tools/train_zoo.py` when it writes the card and by `tfgan-zoo eval NAME` when a
user checks it, so both print the same numbers.

  2D points        mode coverage of the mixture (2,500 samples)
  images           FID, KID, precision/recall, IS with the shipped Fashion-MNIST
                   classifier (10,000 samples against 10,000 training images);
                   conditional accuracy for class-conditional models; for
                   InfoGAN the share of each categorical code's samples in its
                   most common class (min and mean over the code's values); for
                   Semi-StyleGAN how often the class is the code; bits/dim on
                   the test split for PixelCNN
  paired           held-out test split (first 1,000): L1 on [-1, 1], PSNR,
  translators      SSIM, the identity map's L1, and how often the output is
                   classed as the source's item
  CycleGAN         held-out test split: how often A->B outputs are classed as
                   B, and B->A as A; cycle L1
  autoencoder      held-out test split: reconstruction L1, PSNR, SSIM
  re-posing        the first N unseen test items as identities, one episode
                   each: `metrics.reposing` scores of K = 1 and K = 8, as they
                   are and fine-tuned, and of the known-pose warp of the
                   nearest of 8 references
"""

import numpy as np
import tensorflow as tf

from tfgan_zoo.metrics.evaluate import Evaluation, MetricValue, _fit_to_network, evaluate_generator

IMAGE_METRICS = ("fid", "kid", "pr", "is")
# What `tfgan-zoo eval NAME` must reproduce: the same seeds give the same samples,
# but thread scheduling changes float sums in the last bits.
TOLERANCE = dict(relative=0.02, absolute=0.005)


def within_tolerance(now, stated, tolerance=None):
    """Whether a re-measured value is the card's `stated` one, within `tolerance`."""
    tolerance = tolerance or TOLERANCE
    allowed = max(tolerance["absolute"], tolerance["relative"] * abs(stated))
    return now is not None and abs(now - stated) <= allowed


def measure(
    model, variant: str, dataset: str, num_samples: int = 10_000, seed: int = 0, data_dir=None
) -> Evaluation:
    """The card metrics of `model` (a `variant` trained on built-in `dataset`)."""
    from tfgan_zoo.training import translation_kind

    if hasattr(model, "reenact"):
        return _reposing(model, num_samples, data_dir)
    if model.maps_inputs:
        kind = translation_kind(variant)
        if kind == "paired":
            return _paired(model, dataset, num_samples, data_dir)
        if kind == "unpaired":
            return _unpaired(model, dataset, num_samples, data_dir)
        return _reconstruction(model, num_samples, data_dir)
    if len(model.data_shape) == 1:
        return evaluate_generator(model, None, num_samples, seed, mixture=dataset)
    labelled = model.num_classes is not None and not hasattr(model, "code_grid")
    result = evaluate_generator(
        model, IMAGE_METRICS + (("cacc",) if labelled else ()), num_samples, seed
    )
    if hasattr(model, "code_grid"):
        result.values += _code_scores(model, variant, num_samples, seed)
    if hasattr(model, "nll_bits_per_dim"):
        result.values.append(_bits_per_dim(model, data_dir))
    return result


def _classes(images):
    from tfgan_zoo.metrics.features import get_feature_network

    network = get_feature_network("fashion_mnist")
    images, _ = _fit_to_network(np.asarray(images), network)
    return np.argmax(network.logits(images), axis=-1)


def _code_scores(model, variant, num_samples, seed):
    """Samples per categorical code value, classified: InfoGAN learns its codes
    unsupervised (a code maps to whichever class it found), Semi-StyleGAN's code
    r is meant to be class r."""
    rows = model.categories
    steps = max(num_samples // rows, 1)
    grid = model.code_grid(rows=rows, steps=steps, seed=seed)
    predicted = _classes(grid.reshape(-1, *grid.shape[2:])).reshape(rows, steps)
    protocol = dict(feature_network="fashion_mnist", num_samples=rows * steps, seed=seed)
    if variant == "semi_stylegan":
        hits = np.mean(predicted == np.arange(rows)[:, None])
        return [MetricValue("class_is_code", float(hits), None, protocol)]
    purity = np.array([np.bincount(row, minlength=10).max() / steps for row in predicted])
    return [
        MetricValue("code_class_purity_min", float(purity.min()), None, protocol),
        MetricValue("code_class_purity_mean", float(purity.mean()), None, protocol),
    ]


def _bits_per_dim(model, data_dir):
    from tfgan_zoo.baselines import bits_per_dim_256
    from tfgan_zoo.data import load_fashion_mnist

    test_images, _ = load_fashion_mnist("test", data_dir=data_dir)
    bits = model.nll_bits_per_dim(test_images)
    protocol = dict(
        dataset="fashion_mnist",
        split="test",
        num_samples=len(test_images),
        levels=model.levels,
        bits_per_dim_256=bits_per_dim_256(bits, model.levels),
    )
    return MetricValue("bits_per_dim", float(bits), None, protocol)


def _held_out(n):
    return dict(split="test", num_examples=n)


def _paired(model, task, n, data_dir):
    from tfgan_zoo.data.translation_tasks import paired_task
    from tfgan_zoo.metrics.translation_scores import l1_error, psnr, ssim

    source, target, labels = paired_task(task, "test", data_dir=data_dir, limit=n)
    outputs = model.translate(source)
    protocol = dict(_held_out(len(source)), task=task)
    kept = _share(_classes(outputs) == labels)
    return Evaluation(
        [
            MetricValue("l1", l1_error(outputs, target), None, protocol),
            MetricValue("psnr", psnr(outputs, target), None, protocol),
            MetricValue("ssim", ssim(outputs, target), None, protocol),
            MetricValue("identity_l1", l1_error(source, target), None, protocol),
            MetricValue("item_kept", kept, None, dict(protocol, feature_network="fashion_mnist")),
        ]
    )


def _unpaired(model, task, n, data_dir):
    from tfgan_zoo.data.translation_tasks import unpaired_task
    from tfgan_zoo.metrics.translation_scores import l1_error

    a, b, (class_a, class_b) = unpaired_task(task, "test", data_dir=data_dir, limit=n)
    to_b = model.translate(a, direction="ab")
    to_a = model.translate(b, direction="ba")
    back = model.translate(to_b, direction="ba")
    protocol = dict(_held_out(len(a)), task=task, feature_network="fashion_mnist")
    return Evaluation(
        [
            MetricValue("domain_accuracy_ab", _share(_classes(to_b) == class_b), None, protocol),
            MetricValue("domain_accuracy_ba", _share(_classes(to_a) == class_a), None, protocol),
            MetricValue("cycle_l1", l1_error(back, a), None, protocol),
        ]
    )


def _reconstruction(model, n, data_dir):
    from tfgan_zoo.data import load_fashion_mnist
    from tfgan_zoo.metrics.translation_scores import l1_error, psnr, ssim

    images, _ = load_fashion_mnist("test", data_dir=data_dir)
    images = images[:n]
    outputs = _batched(lambda x: model(_unit(x), training=False), images)
    protocol = dict(_held_out(len(images)), dataset="fashion_mnist")
    return Evaluation(
        [
            MetricValue("l1", l1_error(outputs, images), None, protocol),
            MetricValue("psnr", psnr(outputs, images), None, protocol),
            MetricValue("ssim", ssim(outputs, images), None, protocol),
        ]
    )


def _reposing(model, n, data_dir):
    from tfgan_zoo.data.posed_items import fashion_identities
    from tfgan_zoo.metrics import reposing

    unseen = fashion_identities("test", data_dir=data_dir).subset(slice(0, n))
    seed, tuning = reposing.EPISODE_SEED, dict(reposing.FINE_TUNING)
    steps = tuning.pop("steps")
    runs = {
        f"k{k}{'_tuned' if tuned else ''}": (k, steps if tuned else 0)
        for tuned in (False, True)
        for k in (1, 8)
    }
    protocol = dict(
        split="test", identities=len(unseen), episode_seed=seed, feature_network="fashion_mnist"
    )
    values = []
    for name, (k, tune_steps) in runs.items():
        scores = reposing.reposing_scores(model, unseen, k, tune_steps, seed=seed, **tuning)
        run = dict(protocol, references=k, fine_tuning=dict(reposing.FINE_TUNING, steps=tune_steps))
        values += [MetricValue(f"{key}_{name}", v, None, run) for key, v in scores.items()]
    warp = reposing.baseline_scores(unseen, 8, seed=seed)
    run = dict(protocol, references=8, method="known-pose warp of the nearest reference")
    values += [MetricValue(f"{key}_warp_k8", v, None, run) for key, v in warp.items()]
    return Evaluation(values)


def _share(hits):
    return float(np.mean(hits))


def _unit(images):
    """uint8 -> the [-1, 1] floats models read."""
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def _batched(fn, inputs, batch=256):
    return np.concatenate(
        [np.asarray(fn(inputs[i : i + batch])) for i in range(0, len(inputs), batch)]
    )
