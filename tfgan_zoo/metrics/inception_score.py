"""Inception Score (Salimans et al. 2016) and conditional accuracy, from logits.

IS = exp(E_x KL(p(y|x) || p(y))), computed per split (p(y) is the split's mean
prediction) and reported as mean and standard deviation over splits. It uses
the classifier's own classes, so its range is [1, num_classes].
"""

import numpy as np


def softmax(logits) -> np.ndarray:
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def inception_score(logits, splits=10):
    probs = softmax(logits)
    if len(probs) < splits:
        raise ValueError(f"need at least {splits} samples for {splits} splits, found {len(probs)}")
    scores = []
    for part in np.array_split(probs, splits):
        marginal = part.mean(axis=0, keepdims=True)
        # 0 * log 0 = 0: clip only inside the log.
        kl = (
            part * (np.log(np.clip(part, 1e-300, None)) - np.log(np.clip(marginal, 1e-300, None)))
        ).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    return float(np.mean(scores)), float(np.std(scores))


def conditional_accuracy(logits, labels) -> float:
    """Share of samples the classifier assigns to the label they were generated for."""
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2 or labels.shape != (len(logits),):
        raise ValueError(
            f"expected logits [N, K] and labels [N], found {logits.shape} and {labels.shape}"
        )
    return float(np.mean(np.argmax(logits, axis=1) == labels))
