"""Submissions as students write them, for the fairness suite (tests/test_fairness.py).

Each case starts from the instructor's solution and replaces some answer cells (``answers``,
by grade_id) or adds cells of the student's own before an answer cell (``added``). A correct
case must earn full marks; a wrong case must fail exactly the tests in ``fails``, each with a
message that contains ``words``.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Case:
    answers: dict[str, str] = field(default_factory=dict)
    added: dict[str, str] = field(default_factory=dict)  # grade_id -> a cell inserted before it
    fails: frozenset[str] = frozenset()
    words: str = ""


def wrong(fails: str, words: str, **parts) -> Case:
    return Case(fails=frozenset({fails}), words=words, **parts)


CONV_ARITHMETIC = {
    # --- correct, in other styles ---
    "numpy_integers": Case(answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return np.int64(np.ceil(size / stride))
    pad = {"valid": 0}.get(padding, padding)
    return np.floor_divide(size + 2 * pad - dilation * (kernel - 1) - 1, stride) + 1
''', "pool_output_size": '''
def pool_output_size(size, pool, stride=None, padding="valid"):
    stride = stride or pool
    if padding == "same":
        return np.int32(-(-size // stride))
    return np.int32((size - pool) // stride + 1)
'''}),
    "math_ceil_and_helper_cell": Case(
        added={"conv_output_size": "import math as m\n\ndef effective_kernel(kernel, dilation):\n"
                                   "    return dilation * (kernel - 1) + 1"},
        answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return m.ceil(size / stride)
    padding = 0 if padding == "valid" else padding
    return int(m.floor((size + 2 * padding - effective_kernel(kernel, dilation)) / stride)) + 1
'''}),
    "asks_keras": Case(answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    mode = padding if isinstance(padding, str) else "valid"
    padded = size + 2 * padding if isinstance(padding, int) else size
    layer = keras.layers.Conv2D(1, kernel, strides=stride, dilation_rate=dilation, padding=mode)
    return layer.compute_output_shape((1, padded, padded, 1))[1]
''', "params": '''
def conv_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    inputs = keras.Input((16, 16, channels_in))
    layer = keras.layers.Conv2D(channels_out, (kernel_h, kernel_w), use_bias=bias)
    return keras.Model(inputs, layer(inputs)).count_params()

def separable_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    inputs = keras.Input((16, 16, channels_in))
    layer = keras.layers.SeparableConv2D(channels_out, (kernel_h, kernel_w), use_bias=bias)
    return keras.Model(inputs, layer(inputs)).count_params()
'''}),
    "recursion_and_reduce": Case(answers={"receptive_field": '''
import functools

def receptive_field(layers):
    def step(state, layer):
        field, jump = state
        kernel, stride = layer
        return field + (kernel - 1) * jump, jump * stride
    return functools.reduce(step, layers, (1, 1))[0]
'''}),
    "receptive_field_backwards": Case(answers={"receptive_field": '''
def receptive_field(layers):
    size = 1
    for kernel, stride in reversed(layers):
        size = (size - 1) * stride + kernel
    return size
'''}),
    "sequential_models": Case(answers={"models": '''
def downsampling_model():
    return keras.Sequential([keras.Input((128, 128, 3)), keras.layers.Conv2D(16, 3, strides=2, padding="same")])

def budget_model():
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        keras.layers.Conv2D(4, 3, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2D(32, 3, strides=2, padding="same"),
    ])
'''}),
    "lambdas": Case(answers={"params": '''
conv_params = lambda kh, kw, cin, cout, bias=True: (kh * kw * cin + bias) * cout
separable_params = lambda kh, kw, cin, cout, bias=True: kh * kw * cin + cin * cout + bias * cout
'''}),
    "float_arithmetic_then_int": Case(answers={"pool_output_size": '''
def pool_output_size(size, pool, stride=None, padding="valid"):
    if stride is None:
        stride = pool
    if padding == "same":
        return int(np.ceil(size / stride))
    return int(np.floor((size - pool) / stride)) + 1
'''}),
    # --- wrong, each in one place ---
    "off_by_one": wrong("test_conv_output_size", "the right answer is", answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return -(-size // stride)
    padding = 0 if padding == "valid" else padding
    return (size + 2 * padding - dilation * (kernel - 1)) // stride + 1
'''}),
    "same_ignores_stride": wrong("test_conv_output_size", "returned 10", answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return size
    padding = 0 if padding == "valid" else padding
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
'''}),
    "returns_floats": wrong("test_conv_output_size", "whole number", answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return float(-(-size // stride))
    padding = 0 if padding == "valid" else padding
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1.0
'''}),
    "fits_the_visible_cases": wrong("test_conv_output_size", "hidden case", answers={"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    known = {(128, 3): 64, (28, 5): 24, (28, 3): 28 if padding == "same" else 26, (10, 3): 5, (11, 3): 5, (32, 3): 28}
    return known.get((size, kernel), size - kernel + 1)
'''}),
    "pool_stride_one": wrong("test_pool_output_size", "the right answer is", answers={"pool_output_size": '''
def pool_output_size(size, pool, stride=None, padding="valid"):
    stride = stride or 1
    return -(-size // stride) if padding == "same" else (size - pool) // stride + 1
'''}),
    "params_without_bias": wrong("test_params", "the right answer is", answers={"params": '''
def conv_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return kernel_h * kernel_w * channels_in * channels_out

def separable_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return kernel_h * kernel_w * channels_in + channels_in * channels_out
'''}),
    "separable_bias_per_depthwise": wrong("test_params", "separable_params", answers={"params": '''
def conv_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return (kernel_h * kernel_w * channels_in + bias) * channels_out

def separable_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return (kernel_h * kernel_w + bias) * channels_in + channels_in * channels_out + bias * channels_out
'''}),
    "jump_updated_first": wrong("test_receptive_field", "the right answer is", answers={"receptive_field": '''
def receptive_field(layers):
    field, jump = 1, 1
    for kernel, stride in layers:
        jump *= stride
        field += (kernel - 1) * jump
    return field
'''}),
    "over_budget": wrong("test_budget_model", "over 2,000", answers={"models": '''
def downsampling_model():
    inputs = keras.Input((128, 128, 3))
    return keras.Model(inputs, keras.layers.Conv2D(16, 3, strides=2, padding="same")(inputs))

def budget_model():
    inputs = keras.Input((32, 32, 3))
    x = keras.layers.Conv2D(32, 5, padding="same")(inputs)
    return keras.Model(inputs, keras.layers.MaxPooling2D(4)(x))
'''}),
}

PREPROCESSING = {
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
    extra = {"digits": [], "photos": ["horizontal_flip"], "em_slices": ["horizontal_flip", "vertical_flip", "rotate_90"]}
    return frozenset(SAFE + extra[task])
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
    "bilinear_mask": wrong("test_resize_mask", "dtype", answers={"resize_mask": '''
def resize_mask(mask, size):
    return np.asarray(keras.ops.image.resize(np.asarray(mask, "float32")[..., None], (size, size)))[..., 0]
'''}),
}

FINE_TUNING_PLAN = {
    # --- correct, in other styles ---
    "numpy_rates_and_tuple": Case(answers={"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    if n_images > 10_000:
        strategy = "fine_tune_all"
    elif n_images >= 1_000 or not similar_to_imagenet:
        strategy = "fine_tune_top"
    else:
        strategy = "feature_extraction"
    head = np.float64(1e-3)
    metrics = ("accuracy",) + (() if balanced else ("auc",) if n_classes == 2 else ("macro_f1",))
    return dict(strategy=strategy, head_learning_rate=head,
                fine_tune_learning_rate=None if strategy == "feature_extraction" else head / 20,
                early_stopping=True, held_out_test=True,
                loss="binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
                metrics=list(metrics))
'''}),
    "extra_metrics_and_helper_cell": Case(
        added={"make_plan": 'def pick_loss(n_classes):\n    return "binary_crossentropy" if n_classes == 2 '
                            'else "sparse_categorical_crossentropy"'},
        answers={"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    strategy = ("feature_extraction" if n_images < 1000 and similar_to_imagenet
                else "fine_tune_top" if n_images <= 10000 else "fine_tune_all")
    metrics = ["accuracy", "precision", "recall"]
    if not balanced:
        metrics.append("auc" if n_classes == 2 else "macro_f1")
    return {"strategy": strategy, "head_learning_rate": 0.001,
            "fine_tune_learning_rate": None if strategy == "feature_extraction" else 1e-4,
            "early_stopping": True, "held_out_test": True, "loss": pick_loss(n_classes), "metrics": metrics}
'''}),
    "loss_objects_and_adam_string": Case(answers={"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    inputs = keras.Input(shape=base.input_shape[1:])
    features = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    features = keras.layers.Dropout(0.5)(features)
    if n_classes == 2:
        head, loss = keras.layers.Dense(1, activation="sigmoid"), keras.losses.BinaryCrossentropy()
    else:
        head, loss = keras.layers.Dense(n_classes, activation="softmax"), keras.losses.SparseCategoricalCrossentropy()
    model = keras.Model(inputs, head(features))
    model.compile(optimizer="adam", loss=loss, metrics=["accuracy"])
    return model
'''}),
    "slices_for_unfreezing": Case(answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for layer in base.layers:
        layer.trainable = False
    for layer in base.layers[-n_layers:]:
        if not isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss=model.loss,
                  metrics=["accuracy"])
    return model
'''}),
    "index_arithmetic_unfreezing": Case(answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    first = len(base.layers) - n_layers
    for index, layer in enumerate(base.layers):
        layer.trainable = index >= first and "bn" not in layer.name.lower().split("_")
    model.compile(keras.optimizers.Adam(np.float64(learning_rate)), model.loss, metrics=["accuracy"])
'''}),
    # --- wrong, each in one place ---
    "ten_thousand_is_large": wrong("test_make_plan", "fine_tune_all", answers={"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    strategy = ("fine_tune_all" if n_images >= 10_000 else
                "feature_extraction" if n_images < 1_000 and similar_to_imagenet else "fine_tune_top")
    metrics = ["accuracy"] + ([] if balanced else ["auc" if n_classes == 2 else "macro_f1"])
    return {"strategy": strategy, "head_learning_rate": 1e-3,
            "fine_tune_learning_rate": None if strategy == "feature_extraction" else 1e-5,
            "early_stopping": True, "held_out_test": True,
            "loss": "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy", "metrics": metrics}
'''}),
    "categorical_loss": wrong("test_make_plan", "loss", answers={"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    strategy = ("fine_tune_all" if n_images > 10_000 else
                "feature_extraction" if n_images < 1_000 and similar_to_imagenet else "fine_tune_top")
    metrics = ["accuracy"] + ([] if balanced else ["auc" if n_classes == 2 else "macro_f1"])
    return {"strategy": strategy, "head_learning_rate": 1e-3,
            "fine_tune_learning_rate": None if strategy == "feature_extraction" else 1e-5,
            "early_stopping": True, "held_out_test": True,
            "loss": "binary_crossentropy" if n_classes == 2 else "categorical_crossentropy", "metrics": metrics}
'''}),
    "no_metric_for_imbalance": wrong("test_make_plan", "auc", answers={"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    strategy = ("fine_tune_all" if n_images > 10_000 else
                "feature_extraction" if n_images < 1_000 and similar_to_imagenet else "fine_tune_top")
    return {"strategy": strategy, "head_learning_rate": 1e-3,
            "fine_tune_learning_rate": None if strategy == "feature_extraction" else 1e-5,
            "early_stopping": True, "held_out_test": True,
            "loss": "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
            "metrics": ["accuracy"]}
'''}),
    "flattens_instead_of_pooling": wrong("test_build_transfer_model", "1281", answers={"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    units, activation = (1, "sigmoid") if n_classes == 2 else (n_classes, "softmax")
    model = keras.Sequential([keras.Input(base.input_shape[1:]), base, keras.layers.Flatten(),
                              keras.layers.Dropout(0.2), keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''}),
    "two_softmax_units": wrong("test_build_transfer_model", "one sigmoid unit", answers={"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    model = keras.Model(inputs, keras.layers.Dense(n_classes, activation="softmax")(x))
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
'''}),
    "base_not_frozen": wrong("test_build_transfer_model", "trainable weight tensors", answers={"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    inputs = keras.Input(base.input_shape[1:])
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    units, activation = (1, "sigmoid") if n_classes == 2 else (n_classes, "softmax")
    model = keras.Model(inputs, keras.layers.Dense(units, activation=activation)(x))
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''}),
    "sequential_model": Case(answers={"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    units, activation = (1, "sigmoid") if n_classes == 2 else (n_classes, "softmax")
    model = keras.Sequential([keras.Input(base.input_shape[1:]), base, keras.layers.GlobalAveragePooling2D(),
                              keras.layers.Dropout(0.2), keras.layers.Dense(units, activation=activation)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001),
                  loss="binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model
'''}),
    "table_driven_plan": Case(answers={"make_plan": '''
RULES = [(lambda n, similar: n > 10_000, "fine_tune_all"),
         (lambda n, similar: n < 1_000 and similar, "feature_extraction"),
         (lambda n, similar: True, "fine_tune_top")]

def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    strategy = next(name for rule, name in RULES if rule(n_images, similar_to_imagenet))
    imbalance_metric = {True: [], False: ["auc" if n_classes == 2 else "macro_f1"]}[bool(balanced)]
    return {"strategy": strategy, "head_learning_rate": 1e-3,
            "fine_tune_learning_rate": {"feature_extraction": None}.get(strategy, 3e-5),
            "early_stopping": True, "held_out_test": True,
            "loss": ["sparse_categorical_crossentropy", "binary_crossentropy"][n_classes == 2],
            "metrics": ["accuracy", *imbalance_metric]}
'''}),
    "unfreeze_by_type_check": Case(
        added={"unfreeze_top": "BatchNorm = keras.layers.BatchNormalization"},
        answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    top = set(id(layer) for layer in base.layers[len(base.layers) - n_layers:])
    for layer in base.layers:
        layer.trainable = id(layer) in top and type(layer) is not BatchNorm
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])
    return model
'''}),
    "unfreezes_batch_norm": wrong("test_unfreeze_top", "batch normalisation", answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for layer in base.layers[:-n_layers]:
        layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])
    return model
'''}),
    "no_recompile": wrong("test_unfreeze_top", "compile the model again", answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for index, layer in enumerate(base.layers):
        if index < len(base.layers) - n_layers or isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    model.optimizer.learning_rate.assign(learning_rate)
    return model
'''}),
    "unfreezes_everything": wrong("test_unfreeze_top", "must stay frozen", answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])
    return model
'''}),
    "keeps_the_head_rate": wrong("test_unfreeze_top", "learning rate", answers={"unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for index, layer in enumerate(base.layers):
        if index < len(base.layers) - n_layers or isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=model.loss, metrics=["accuracy"])
    return model
'''}),
}

CASES = {"conv_arithmetic": CONV_ARITHMETIC, "preprocessing": PREPROCESSING, "fine_tuning_plan": FINE_TUNING_PLAN}
