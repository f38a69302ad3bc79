"""Pose jitter in few-shot fine-tuning (`families/talking_heads/finetune.py`): the
frames move by an affine and their landmark discs are redrawn where the keypoints land."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from tfgan_zoo.data import posed_items as pi
from tfgan_zoo.families.talking_heads import FineTuned, TalkingHeads
from tfgan_zoo.families.talking_heads.finetune import KEPT_AS_GIVEN, jittered


@pytest.fixture(scope="module")
def items():
    return pi.fashion_identities("test").subset(slice(0, 40))


def test_landmark_points_read_back_the_drawn_keypoints():
    """1,000 points drawn as discs away from the edge: the channel centroids
    are 0.11 px off on average and 0.41 px at most (the disc's pixels are whole)."""
    points = tf.random.stateless_uniform([200, 5, 2], [0, 1], 2.0, 25.0)
    error = np.abs(np.asarray(pi.landmark_points(pi.rasterise(points, 28)) - points))
    assert error.max() < 0.5 and error.mean() < 0.15


def test_a_jittered_item_is_the_item_posed_as_the_data_poses_it(items):
    """Jittering upright items by the data's poses gives the data's posed frames
    exactly, and landmark discs that cover the data's discs with an overlap of
    0.87 of their union (read back within 0.41 px, and cut where a disc leaves
    the frame); at the identity pose the redrawn discs overlap the given ones
    0.98."""
    frames = tf.constant(items.images, tf.float32) / 127.5 - 1.0
    marks = pi.rasterise(tf.constant(items.keypoints), 28)
    poses = pi.random_poses([len(items)], tf.constant([0, 3], tf.int64))
    moved, moved_marks = jittered(frames, marks, poses)
    np.testing.assert_array_equal(moved, pi.pose_images(frames + 1.0, poses) - 1.0)
    drawn = np.asarray(moved_marks) > 0
    expected = np.asarray(pi.rasterise(pi.pose_points(items.keypoints, poses, 28), 28)) > 0
    assert (drawn & expected).sum() / (drawn | expected).sum() > 0.8
    # The identity pose leaves the frames as they are and redraws the discs in place.
    same, same_marks = jittered(frames, marks, tf.zeros([len(items), 5]))
    np.testing.assert_allclose(same, frames, atol=1e-6)
    drawn, expected = np.asarray(same_marks) > 0, np.asarray(marks) > 0
    assert (drawn & expected).sum() / (drawn | expected).sum() > 0.95


def test_jitter_draws_stay_in_range_keep_a_quarter_and_restart_with_each_identity(items):
    """4,000 draws at jitter 0.5: every parameter within half the data's range,
    a quarter (KEPT_AS_GIVEN, here 0.25 +- 0.02) left at the identity pose; a
    restart for the next identity draws the same sequence again."""
    keras.utils.set_random_seed(0)
    model = TalkingHeads(num_identities=4, seed=0, base_filters=4, embedding_dim=8, blocks=1)
    episode = next(iter(pi.posed_episodes(items.subset(slice(0, 4)), 8, 1, seed=0)))
    frames, marks = np.asarray(episode[2][0]), np.asarray(episode[3][0])
    tuned = FineTuned(model, frames, marks, pose_jitter=0.5, seed=3)
    draws = tuned.jitter_poses(4000).numpy()
    r = pi.POSE_RANGES
    limits = np.array([r["rotation"], r["log_scale"], r["shear"], r["shift"], r["shift"]])
    assert np.all(np.abs(draws) <= 0.5 * limits + 1e-6)
    assert np.all(np.abs(draws).max(axis=0) > 0.45 * limits)  # the whole range is drawn
    kept = np.mean(np.all(draws == 0, axis=1))
    assert abs(kept - KEPT_AS_GIVEN) < 0.02
    tuned.restart(frames, marks)
    np.testing.assert_array_equal(tuned.jitter_poses(4000).numpy(), draws)
