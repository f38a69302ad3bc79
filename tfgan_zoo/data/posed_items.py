"""Few-shot re-posing data: identities seen in several poses, with landmark images.

The talking-head model (Zakharov et al. 2019) learns from videos of people: frames
of one person in several poses, each with its face landmarks rasterised into an
image. No such video exists offline here, so the same problem is built from
still images: each item (a Fashion-MNIST picture, or any image of a folder) is
an identity, and each of its "frames" is the item under a random affine pose
(rotation, scale, shear, translation), drawn from a seed.

Landmarks: 5 keypoints of the canonical item, chosen from its mass alone (the
centroid, and the centroid +- 1.5 standard deviations along each principal
axis), carried by the same affine as the pixels, so they follow the item into
every pose. Each keypoint is drawn as a small disc in its own channel of the
landmark image (the paper colours each landmark group differently): with one
channel per point, a pose and its 180-degree turn give different images.

An episode is (target, target_landmarks, references, reference_landmarks,
identity): K reference frames of one identity and one more frame of it, the
target, in another pose. Pixels are float32 in [-1, 1], landmark images too
(-1 background, 1 disc).

Real data: `video_folder` reads a folder with one subfolder per video, its
frames as image files (sorted by name) and `landmarks.npy` of shape
[frames, points, 2] holding (x, y) pixel positions in the frame files.
"""

import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfgan_zoo.data import image_files

NUM_KEYPOINTS = 5
DISC_RADIUS = 1.5  # pixels at 28x28; scaled with the side
HELD_OUT_CLASSES = (9,)  # ankle boots: a class no training identity belongs to
MAX_REFERENCES = 16  # evaluation episodes draw this many reference poses, then use K
# Pose ranges: rotation (radians), log2 of the scale, shear, translation (fraction of the side).
POSE_RANGES = dict(rotation=math.radians(35), log_scale=0.25, shear=0.2, shift=0.08)


# ------------------------------------------------------------------ keypoints
def item_keypoints(images, chunk=8192):
    """[N, 5, 2] (x, y) keypoints of uint8 or float items [N, H, W, C] from their
    ink (pixel mass): centroid, then +- 1.5 std along the major and the minor
    principal axis. The major axis points where the mass is skewed (third
    moment >= 0), so the choice is deterministic per item."""
    images = np.asarray(images)
    if len(images) > chunk:  # float64 masses of 60k items at once take 400 MB
        return np.concatenate(
            [item_keypoints(images[i : i + chunk], chunk) for i in range(0, len(images), chunk)]
        )
    mass = images.astype(np.float64).mean(axis=-1)
    if np.issubdtype(images.dtype, np.floating):  # [-1, 1] pixels
        mass = (mass + 1) / 2
    mass += 1e-8
    n, h, w = mass.shape
    # Every moment up to order 3 in one product with the monomials of (x, y),
    # taken about the image centre so that the central moments lose no digits.
    ys, xs = np.mgrid[0:h, 0:w].reshape(2, -1).astype(np.float64)
    x, y = xs - (w - 1) / 2, ys - (h - 1) / 2
    monomials = np.stack(
        [np.ones_like(x), x, y, x * x, x * y, y * y, x**3, x * x * y, x * y * y, y**3]
    )
    flat = mass.reshape(n, -1)
    m = (flat @ monomials.T) / flat.sum(-1)[:, None]
    mx, my, xx, xy, yy = m[:, 1], m[:, 2], m[:, 3], m[:, 4], m[:, 5]
    cov = np.stack(
        [np.stack([xx - mx * mx, xy - mx * my], -1), np.stack([xy - mx * my, yy - my * my], -1)],
        -2,
    )
    values, vectors = np.linalg.eigh(cov)  # ascending: column 1 is the major axis
    major, minor_std = vectors[:, :, 1], np.sqrt(np.maximum(values[:, 0], 0))
    major_std = np.sqrt(np.maximum(values[:, 1], 0))
    # Third central moments, then the third moment along the major axis (a, b).
    m30 = m[:, 6] - 3 * mx * xx + 2 * mx**3
    m21 = m[:, 7] - 2 * mx * xy - my * xx + 2 * mx * mx * my
    m12 = m[:, 8] - 2 * my * xy - mx * yy + 2 * mx * my * my
    m03 = m[:, 9] - 3 * my * yy + 2 * my**3
    a, b = major[:, 0], major[:, 1]
    skew = a**3 * m30 + 3 * a * a * b * m21 + 3 * a * b * b * m12 + b**3 * m03
    major = np.where((skew < 0)[:, None], -major, major)
    minor = np.stack([-major[:, 1], major[:, 0]], -1)  # major turned by +90 degrees
    centre = np.stack([mx + (w - 1) / 2, my + (h - 1) / 2], -1)
    points = [
        centre,
        centre + 1.5 * major_std[:, None] * major,
        centre - 1.5 * major_std[:, None] * major,
        centre + 1.5 * minor_std[:, None] * minor,
        centre - 1.5 * minor_std[:, None] * minor,
    ]
    return np.stack(points, 1).astype(np.float32)


# ---------------------------------------------------------------------- poses
def pose_limits():
    """[5] the largest |value| of each pose parameter (POSE_RANGES)."""
    r = POSE_RANGES
    return tf.constant([r["rotation"], r["log_scale"], r["shear"], r["shift"], r["shift"]])


def random_poses(shape, seed):
    """[*shape, 5] pose parameters (rotation, log2 scale, shear, shift x, shift y)
    drawn uniformly in POSE_RANGES; `seed` is a stateless [2] seed."""
    return tf.random.stateless_uniform([*shape, 5], seed, -1.0, 1.0) * pose_limits()


def pose_matrices(poses, side):
    """(A [..., 2, 2], t [..., 2]) of the affine x -> A (x - c) + c + t that poses
    `poses` [..., 5] apply to pixel coordinates (x, y), c the image centre."""
    poses = tf.convert_to_tensor(poses, tf.float32)
    rotation, log_scale, shear = poses[..., 0], poses[..., 1], poses[..., 2]
    scale = tf.pow(2.0, log_scale)
    cos, sin = tf.cos(rotation), tf.sin(rotation)
    # A = scale * R(rotation) @ [[1, shear], [0, 1]]
    a = (
        tf.stack(
            [
                tf.stack([cos, cos * shear - sin], -1),
                tf.stack([sin, sin * shear + cos], -1),
            ],
            -2,
        )
        * scale[..., None, None]
    )
    return a, poses[..., 3:5] * side


def pose_points(points, poses, side):
    """Keypoints [..., P, 2] carried by the poses [..., 5]."""
    points = tf.convert_to_tensor(points, tf.float32)
    a, t = pose_matrices(poses, side)
    centre = (side - 1) / 2.0
    moved = tf.einsum("...ij,...pj->...pi", a, points - centre)
    return moved + centre + t[..., None, :]


def pose_images(images, poses):
    """Images [N, H, W, C] (float) warped by poses [N, 5], bilinear, zeros outside."""
    return affine_images(images, *pose_matrices(poses, int(images.shape[1])))


def affine_images(images, a, t):
    """Images [N, H, W, C] warped by x -> a (x - c) + c + t (a [N, 2, 2], t [N, 2])."""
    side = int(images.shape[1])
    inverse = tf.linalg.inv(a)
    centre = (side - 1) / 2.0
    # The transform op maps each output pixel to the input pixel it reads:
    # in = A^-1 (out - c - t) + c = A^-1 out + (c - A^-1 (c + t)).
    offset = centre - tf.einsum("nij,nj->ni", inverse, centre + t)
    transforms = tf.concat(
        [
            inverse[:, 0, :],
            offset[:, 0:1],
            inverse[:, 1, :],
            offset[:, 1:2],
            tf.zeros_like(offset),
        ],
        -1,
    )
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=tf.shape(images)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )


def repose(frames, from_poses, to_poses):
    """Frames [N, H, W, C] in [-1, 1] taken in `from_poses` [N, 5], moved into
    `to_poses`: the known-pose warp x -> A_to A_from^-1 (x - c - t_from) + c + t_to."""
    side = int(frames.shape[1])
    a_from, t_from = pose_matrices(from_poses, side)
    a_to, t_to = pose_matrices(to_poses, side)
    a = tf.matmul(a_to, tf.linalg.inv(a_from))
    t = t_to - tf.einsum("nij,nj->ni", a, t_from)
    return affine_images(tf.constant(frames, tf.float32) + 1.0, a, t) - 1.0


def rasterise(points, side, radius=None):
    """Landmark images [..., side, side, P] in [-1, 1]: point p of `points`
    [..., P, 2] as a disc of `radius` pixels in channel p."""
    radius = DISC_RADIUS * side / 28.0 if radius is None else radius
    grid = tf.range(side, dtype=tf.float32)
    dx = grid[None, :, None] - points[..., None, None, :, 0]  # [..., 1, W, P]
    dy = grid[:, None, None] - points[..., None, None, :, 1]  # [..., H, 1, P]
    inside = tf.cast(dx * dx + dy * dy <= radius * radius, tf.float32)
    return 2.0 * inside - 1.0


def landmark_points(landmarks):
    """Keypoints [N, P, 2] read back from landmark images [N, H, W, P] in
    [-1, 1]: the centroid of each channel's disc (within half a pixel of the
    point `rasterise` drew, as the disc's pixels are whole)."""
    mass = (tf.convert_to_tensor(landmarks, tf.float32) + 1.0) / 2.0
    xs = tf.range(int(mass.shape[2]), dtype=tf.float32)[None, None, :, None]
    ys = tf.range(int(mass.shape[1]), dtype=tf.float32)[None, :, None, None]
    total = tf.reduce_sum(mass, axis=[1, 2]) + 1e-6
    x = tf.reduce_sum(mass * xs, axis=[1, 2]) / total
    y = tf.reduce_sum(mass * ys, axis=[1, 2]) / total
    return tf.stack([x, y], -1)


# ------------------------------------------------------------------ identities
@dataclass
class Identities:
    """Items to pose: uint8 images [N, H, W, C], their keypoints [N, P, 2] and
    classes [N] (-1 when unknown)."""

    images: np.ndarray
    keypoints: np.ndarray
    classes: np.ndarray

    def __len__(self):
        return len(self.images)

    def subset(self, index):
        return Identities(self.images[index], self.keypoints[index], self.classes[index])

    @functools.cached_property
    def tensors(self):
        """(images, keypoints) as eager tensors, made once. A tf.data map that
        gathers from them captures them; constants made while it is traced
        would be written into its graph (8 s for 54,000 items)."""
        with tf.init_scope():
            return tf.constant(self.images), tf.constant(self.keypoints)


def identities_of(images, classes=None):
    images = np.asarray(images)
    classes = np.full(len(images), -1, np.int32) if classes is None else np.asarray(classes)
    return Identities(images, item_keypoints(images), classes.astype(np.int32))


def fashion_identities(split, held_out_classes=HELD_OUT_CLASSES, data_dir=None):
    """Fashion-MNIST items as identities. "train": the training split without the
    held-out classes; "test": unseen items of the seen classes; "test_held_out":
    unseen items of the held-out classes (neither item nor class was trained on)."""
    return identities_of(*fashion_items(split, held_out_classes, data_dir))


def fashion_items(split, held_out_classes=HELD_OUT_CLASSES, data_dir=None):
    """(images, classes) of `fashion_identities(split)`, without their keypoints."""
    from tfgan_zoo.data import load_fashion_mnist

    if split not in ("train", "test", "test_held_out"):
        raise ValueError(f"split must be train, test or test_held_out, found {split!r}")
    images, classes = load_fashion_mnist("train" if split == "train" else "test", data_dir)
    held = np.isin(classes, held_out_classes)
    keep = held if split == "test_held_out" else ~held
    return images[keep], classes[keep]


def posed_episode(identities, index, k, seed):
    """One episode of identity `index` (a tensor) from the stateless `seed` [2]:
    K + 1 poses of the item; the last pose is the target's."""
    frames, landmarks, _ = posed_frames(identities, index, k + 1, seed)
    return frames[k], landmarks[k], frames[:k], landmarks[:k], tf.cast(index, tf.int32)


def posed_frames(identities, index, count, seed):
    """(frames, landmark images, poses) of `count` random poses of item `index`."""
    images, keypoints = identities.tensors
    side = int(identities.images.shape[1])
    item = tf.cast(tf.gather(images, index), tf.float32) / 127.5 - 1.0
    poses = random_poses([count], seed)
    # Warp the ink (pixel + 1, zero background) so that outside pixels fill with -1.
    frames = pose_images(tf.repeat(item[None] + 1.0, count, axis=0), poses) - 1.0
    landmarks = rasterise(pose_points(tf.gather(keypoints, index)[None], poses, side), side)
    return frames, landmarks, poses


def posed_episodes(identities, k, batch_size, seed=0, steps=None, start_epoch=0):
    """Endless batches of episodes: identities drawn uniformly, every draw a
    stateless function of (seed, episode number), so a resumed run at
    `start_epoch` (of `steps` batches) continues with the same episodes."""
    count = len(identities)
    first = start_epoch * (steps or 0) * batch_size

    def episode(number):
        seed_pair = tf.stack([tf.constant(seed, tf.int64), number])
        index = tf.random.stateless_uniform([], seed_pair, 0, count, tf.int64)
        pose_seed = tf.stack([tf.constant(seed, tf.int64) + 1, number])
        return posed_episode(identities, index, k, pose_seed)

    return (
        tf.data.Dataset.range(first, 2**62)
        .map(episode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def fixed_episodes(identities, k, seed=0, count=None):
    """Episodes of the first `count` identities in order, one each, as a tuple
    of numpy arrays: the 5 parts of an episode, then the poses [N, K + 1, 5]
    (the target's last). The poses depend on (seed, identity) only, so K = 1
    and K = 8 share their target and first reference."""
    if not 1 <= k <= MAX_REFERENCES:
        raise ValueError(f"K must be in [1, {MAX_REFERENCES}], found {k}")
    count = len(identities) if count is None else min(count, len(identities))
    episodes = [[] for _ in range(6)]
    for i in range(count):
        frames, marks, poses = posed_frames(
            identities,
            tf.constant(i, tf.int64),
            1 + MAX_REFERENCES,
            tf.constant([seed, i], tf.int64),
        )
        # Pose 0 is the target, poses 1.. the references, so the target does not
        # change with K.
        parts = (frames[0], marks[0], frames[1 : k + 1], marks[1 : k + 1], i)
        parts += (tf.concat([poses[1 : k + 1], poses[:1]], 0),)
        for column, part in zip(episodes, parts):
            column.append(np.asarray(part))
    return tuple(np.stack(column) for column in episodes)


# --------------------------------------------------------------------- videos
@dataclass
class Videos:
    """Frames of V videos, padded to the longest: uint8 [V, T, H, W, C], landmark
    positions [V, T, P, 2] (x, y in pixels) and frames per video [V]."""

    frames: np.ndarray
    landmarks: np.ndarray
    lengths: np.ndarray


def video_folder(folder, side=None, channels=None):
    """The videos of `folder`: one subfolder per video holding its frames (image
    files, in name order) and `landmarks.npy` [frames, points, 2] of (x, y)
    positions in those files' pixels. Frames are resized to `side` (default:
    the smallest short side) and landmarks scaled with them."""
    folder = Path(folder)
    videos = sorted(p for p in folder.iterdir() if (p / "landmarks.npy").is_file())
    if not videos:
        raise ValueError(f"{folder} holds no video subfolder with a landmarks.npy")
    files = [image_files.list_images(v) for v in videos]
    headers = [image_files.read_headers(f) for f in files]
    side, channels = image_files.default_shape(
        [h for hs in headers for h in hs if h], side, channels
    )
    frames, positions = [], []
    for video, names, heads in zip(videos, files, headers):
        points = np.load(video / "landmarks.npy").astype(np.float32)
        if points.ndim != 3 or points.shape[-1] != 2 or len(points) != len(names):
            raise ValueError(
                f"{video}/landmarks.npy must be [frames, points, 2] with one row per "
                f"frame ({len(names)} frames); found shape {points.shape}"
            )
        if len(names) < 2:
            raise ValueError(f"{video} needs at least 2 frames (references and a target)")
        decoded = image_files.decode_files(names, side, channels, heads)
        if len(decoded.files) != len(names):
            raise ValueError(f"{video}: some frames could not be read")
        # fit_image resizes the short side to `side` and crops the centre.
        scaled = []
        for (height, width, _), p in zip(heads, points):
            scale = side / min(height, width)
            crop = np.array([(width * scale - side) / 2, (height * scale - side) / 2])
            scaled.append((p + 0.5) * scale - 0.5 - crop)
        frames.append(decoded.images)
        positions.append(np.stack(scaled))
    counts = {p.shape[1] for p in positions}
    if len(counts) != 1:
        raise ValueError(f"every video needs the same number of landmarks; found {counts}")
    longest = max(len(f) for f in frames)
    return Videos(
        np.stack([np.pad(f, [(0, longest - len(f))] + [(0, 0)] * 3) for f in frames]),
        np.stack([np.pad(p, [(0, longest - len(p))] + [(0, 0)] * 2) for p in positions]).astype(
            np.float32
        ),
        np.array([len(f) for f in frames], np.int32),
    )


def video_episodes(videos, k, batch_size, seed=0, steps=None, start_epoch=0):
    """Endless batches of episodes from `videos`: a video, then K + 1 of its
    frames (with repeats when it has fewer), as a stateless function of
    (seed, episode number)."""
    frames, landmarks = tf.constant(videos.frames), tf.constant(videos.landmarks)
    lengths = tf.constant(videos.lengths, tf.int64)
    side = int(videos.frames.shape[2])
    first = start_epoch * (steps or 0) * batch_size

    def episode(number):
        seed_pair = tf.stack([tf.constant(seed, tf.int64), number])
        video = tf.random.stateless_uniform([], seed_pair, 0, len(videos.frames), tf.int64)
        u = tf.random.stateless_uniform([k + 1], seed_pair + [0, 2**40])
        picks = tf.cast(u * tf.cast(lengths[video], tf.float32), tf.int64)
        picks = tf.minimum(picks, lengths[video] - 1)
        chosen = tf.cast(tf.gather(frames[video], picks), tf.float32) / 127.5 - 1.0
        marks = rasterise(tf.gather(landmarks[video], picks), side)
        return chosen[k], marks[k], chosen[:k], marks[:k], tf.cast(video, tf.int32)

    return (
        tf.data.Dataset.range(first, 2**62)
        .map(episode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
        .batch(batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )


def is_video_folder(folder):
    """Whether `folder` has a video subfolder (one holding a landmarks.npy)."""
    folder = Path(folder)
    return folder.is_dir() and any((p / "landmarks.npy").is_file() for p in folder.iterdir())
