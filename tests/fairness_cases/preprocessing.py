"""Fairness cases for preprocessing: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

CASES = {
    # --- correct, in other styles ---
    "tensors_from_tensorflow": Case(answers={"prepare_mnist": '''
import tensorflow as tf

def prepare_mnist(images, labels):
    if len(np.shape(images)) != 3 or tuple(np.shape(images)[1:]) != (28, 28) or len(labels) != len(images):
        raise ValueError("images must be (N, 28, 28) with one label each")
    x = tf.cast(images, tf.float32)[..., tf.newaxis] / 255.0
    return x, tf.cast(labels, tf.int64)
'''}),
    "keras_ops_and_float64": Case(answers={"prepare_mnist": '''
def prepare_mnist(images, labels):
    images, labels = np.array(images), np.array(labels)
    if images.shape[1:] != (28, 28) or images.ndim != 3:
        raise ValueError(f"bad images {images.shape}")
    if labels.ndim != 1 or len(labels) != len(images):
        raise ValueError("one label per image")
    x = keras.ops.expand_dims(images / 255.0, -1)
    return keras.ops.convert_to_numpy(x).astype("float32"), labels.astype(np.int64)
'''}),
    "cumulative_cuts_and_lists": Case(answers={"stratified_split": '''
import random

def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    labels = list(np.asarray(labels).tolist())
    shuffler = random.Random(seed)
    train, val, test = [], [], []
    for label in sorted(set(labels)):
        members = [i for i, l in enumerate(labels) if l == label]
        shuffler.shuffle(members)
        first = round(fractions[0] * len(members))
        second = round((fractions[0] + fractions[1]) * len(members))
        train += members[:first]
        val += members[first:second]
        test += members[second:]
    return train, val, test
'''}),
    "normalize_in_float32": Case(answers={"normalize": '''
def normalize(train, *others):
    train = np.asarray(train, dtype=np.float32)
    mean, std = train.mean(), train.std()
    return (train - mean) / std, [(np.asarray(o, np.float32) - mean) / std for o in others], (mean, std)
'''}),
    "keras_normalization_layer": Case(answers={"normalize": '''
def normalize(train, *others):
    layer = keras.layers.Normalization(axis=None)
    layer.adapt(np.asarray(train, dtype="float32"))
    mean = keras.ops.convert_to_numpy(layer.mean)
    std = np.sqrt(keras.ops.convert_to_numpy(layer.variance))
    return layer(train), [layer(other) for other in others], (mean, std)
'''}),
    "pillow_bilinear": Case(answers={"prepare_for_mobilenet": '''
from PIL import Image

def prepare_for_mobilenet(images, size):
    resized = [np.asarray(Image.fromarray(np.asarray(image)).resize((size, size), Image.BILINEAR)) for image in images]
    return keras.applications.mobilenet_v2.preprocess_input(np.stack(resized).astype("float32"))
'''}),
    "antialiased_and_by_hand": Case(answers={"prepare_for_mobilenet": '''
import tensorflow as tf

def prepare_for_mobilenet(images, size):
    resized = tf.image.resize(tf.cast(images, tf.float32), (size, size), antialias=True)
    return resized / 127.5 - 1.0
'''}),
    "resizing_layer_cropped": Case(answers={"prepare_for_mobilenet": '''
def prepare_for_mobilenet(images, size):
    pipeline = keras.Sequential([keras.layers.Resizing(size, size, crop_to_aspect_ratio=True),
                                 keras.layers.Rescaling(1 / 127.5, offset=-1)])
    return pipeline(np.asarray(images, dtype="float32"))
'''}),
    "augmentations_as_lists": Case(answers={"valid_augmentations": '''
SAFE = ["small_rotation", "small_shift", "zoom"]

def valid_augmentations(task):
    extra = {"digits": [], "photos": ["horizontal_flip"],
             "em_slices": ["horizontal_flip", "vertical_flip", "rotate_90", "elastic"]}
    return frozenset(SAFE + extra[task])
'''}),
    # Where the chapters leave a choice open, the other choice: warped digits, no shifted photos,
    # EM slices only as chapter 6 augments them.
    "augmentations_other_open_choices": Case(answers={"valid_augmentations": '''
def valid_augmentations(task):
    chapters = {
        "digits": ["small_rotation", "small_shift", "zoom", "elastic"],
        "photos": ["horizontal_flip", "small_rotation", "zoom"],
        "em_slices": ["horizontal_flip", "vertical_flip", "rotate_90", "elastic"],
    }
    return list(chapters[task])
'''}),
    "mask_by_tensorflow": Case(answers={"resize_mask": '''
import tensorflow as tf

def resize_mask(mask, size):
    mask = np.asarray(mask)
    resized = tf.image.resize(mask[..., None], (size, size), method="nearest")[..., 0]
    return resized.numpy().astype(mask.dtype)
'''}),
    "mask_by_pillow": Case(answers={"resize_mask": '''
from PIL import Image

def resize_mask(mask, size):
    mask = np.asarray(mask)
    return np.asarray(Image.fromarray(mask.astype(np.int32)).resize((size, size), Image.NEAREST)).astype(mask.dtype)
'''}),
    # --- wrong, each in one place ---
    "min_max_per_batch": wrong("test_prepare_mnist", "dividing by 255", answers={"prepare_mnist": '''
def prepare_mnist(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(labels) != len(images):
        raise ValueError("bad shapes")
    x = (images - images.min()) / (images.max() - images.min())
    return x.astype("float32")[..., None], labels.astype("int64")
'''}),
    "no_length_check": wrong("test_prepare_mnist", "no ValueError", answers={"prepare_mnist": '''
def prepare_mnist(images, labels):
    images = np.asarray(images)
    if images.shape[1:] != (28, 28):
        raise ValueError("bad shape")
    return (images / 255.0).astype("float32")[..., None], np.asarray(labels).astype("int64")
'''}),
    "rounds_each_part": wrong("test_stratified_split", "exactly once", answers={"stratified_split": '''
def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    parts = ([], [], [])
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        sizes = [int(round(f * len(members))) for f in fractions]
        parts[0].append(members[:sizes[0]])
        parts[1].append(members[sizes[0]:sizes[0] + sizes[1]])
        parts[2].append(members[sizes[0] + sizes[1]:sizes[0] + sizes[1] + sizes[2]])
    return tuple(np.concatenate(p) for p in parts)
'''}),
    "ignores_seed": wrong("test_stratified_split", "seed", answers={"stratified_split": '''
def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    labels = np.asarray(labels)
    rng = np.random.default_rng(0)
    parts = ([], [], [])
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        first, second = round(0.7 * len(members)), round(0.85 * len(members))
        for part, chosen in zip(parts, (members[:first], members[first:second], members[second:])):
            part.append(chosen)
    return tuple(np.concatenate(p) for p in parts)
'''}),
    "not_stratified": wrong("test_stratified_split", "class", answers={"stratified_split": '''
def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    order = np.random.default_rng(seed).permutation(len(labels))
    first, second = round(0.7 * len(order)), round(0.85 * len(order))
    return order[:first], order[first:second], order[second:]
'''}),
    "own_statistics": wrong("test_normalize", "training mean", answers={"normalize": '''
def normalize(train, *others):
    standardise = lambda a: (a - np.mean(a)) / np.std(a)
    return standardise(train), [standardise(o) for o in others], (float(np.mean(train)), float(np.std(train)))
'''}),
    "sample_std": wrong("test_normalize", "training std", answers={"normalize": '''
def normalize(train, *others):
    mean, std = np.mean(train), np.std(train, ddof=1)
    return (train - mean) / std, [(o - mean) / std for o in others], (mean, std)
'''}),
    "zero_to_one": wrong("test_prepare_for_mobilenet", "[0, 1]", answers={"prepare_for_mobilenet": '''
def prepare_for_mobilenet(images, size):
    return np.asarray(keras.ops.image.resize(np.asarray(images, "float32"), (size, size))) / 255.0
'''}),
    "nearest_resize": wrong("test_prepare_for_mobilenet", "hidden case", answers={"prepare_for_mobilenet": '''
def prepare_for_mobilenet(images, size):
    resized = keras.ops.image.resize(np.asarray(images, "float32"), (size, size), interpolation="nearest")
    return np.asarray(resized) / 127.5 - 1.0
'''}),
    "upside_down_photos": wrong("test_valid_augmentations", "photos", answers={"valid_augmentations": '''
def valid_augmentations(task):
    safe = {"small_rotation", "small_shift", "zoom"}
    return safe if task == "digits" else safe | {"horizontal_flip", "vertical_flip", "rotate_90"}
'''}),
    "em_without_elastic": wrong("test_valid_augmentations", "elastic", answers={"valid_augmentations": '''
def valid_augmentations(task):
    safe = {"small_rotation", "small_shift", "zoom"}
    extra = {"digits": set(), "photos": {"horizontal_flip"},
             "em_slices": {"horizontal_flip", "vertical_flip", "rotate_90"}}
    return safe | extra[task]
'''}),
    "bilinear_mask": wrong("test_resize_mask", "dtype", answers={"resize_mask": '''
def resize_mask(mask, size):
    return np.asarray(keras.ops.image.resize(np.asarray(mask, "float32")[..., None], (size, size)))[..., 0]
'''}),
}
