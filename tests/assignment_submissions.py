"""Hand-written student submissions for the assignment tests, and the score each must earn.

Each submission replaces the code of some solution cells (by grade_id) in the released notebook;
cells it does not mention stay as released (``raise NotImplementedError()``).
"""

CONV_ARITHMETIC_CORRECT_PARAMS = '''
def conv_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return (kernel_h * kernel_w * channels_in + (1 if bias else 0)) * channels_out

def separable_params(kernel_h, kernel_w, channels_in, channels_out, bias=True):
    return kernel_h * kernel_w * channels_in + channels_in * channels_out + (channels_out if bias else 0)
'''
CONV_ARITHMETIC_CORRECT_RF = '''
def receptive_field(layers):
    size, step = 1, 1
    for k, s in layers:
        size = size + (k - 1) * step
        step = step * s
    return size
'''
CONV_ARITHMETIC_MODELS = '''
def downsampling_model():
    x = keras.Input((128, 128, 3))
    return keras.Model(x, keras.layers.Conv2D(16, 3, strides=2, padding="same")(x))

def budget_model():
    x = keras.Input((32, 32, 3))
    return keras.Model(x, keras.layers.Conv2D(32, 3, strides=4, padding="same")(x))
'''

SUBMISSIONS = {
    "conv_arithmetic": {
        # Visible cases looked up in a table: the hidden cases find it out.
        "hardcoder": ({"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    return {(128, 3): 64, (28, 5): 24, (28, 3): 28, (10, 3): 5, (32, 3): 28}[(size, kernel)]
'''}, 0),
        # An int whose == always says yes.
        "rigged_int": ({"conv_output_size": '''
class _Yes(int):
    def __eq__(self, other):
        return True
    __hash__ = int.__hash__

def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    return _Yes(0)
''', "params": '''
def conv_params(*args, **kwargs):
    return _Yes(0)

def separable_params(*args, **kwargs):
    return _Yes(0)
'''}, 0),
        "partial": ({"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else padding
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
''', "pool_output_size": '''
def pool_output_size(size, pool, stride=None, padding="valid"):
    stride = stride or pool
    return -(-size // stride) if padding == "same" else (size - pool) // stride + 1
'''}, 4),
        # Forgets dilation; everything else right, but the budget model's output is 8x8x32 by a
        # 4-stride convolution of 896 parameters: within budget.
        "no_dilation": ({"conv_output_size": '''
def conv_output_size(size, kernel, stride=1, padding=0, dilation=1):
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else padding
    return (size + 2 * pad - kernel) // stride + 1
''', "params": CONV_ARITHMETIC_CORRECT_PARAMS, "receptive_field": CONV_ARITHMETIC_CORRECT_RF,
            "models": CONV_ARITHMETIC_MODELS}, 6),
    },
    "preprocessing": {
        # Standardises with statistics of all the data, test set included.
        "leaky": ({"prepare_mnist": '''
def prepare_mnist(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(labels) != len(images):
        raise ValueError("bad shapes")
    return images[..., None].astype("float32") / 255, labels.astype("int64")
''', "normalize": '''
def normalize(train, *others):
    everything = np.concatenate([np.ravel(train)] + [np.ravel(o) for o in others])
    mean, std = everything.mean(), everything.std()
    return (train - mean) / std, [(o - mean) / std for o in others], (mean, std)
'''}, 2),
        # Flips digits, and resizes masks bilinearly.
        "careless": ({"valid_augmentations": '''
def valid_augmentations(task):
    return set(AUGMENTATIONS)
''', "resize_mask": '''
def resize_mask(mask, size):
    return np.asarray(keras.ops.image.resize(np.asarray(mask, "float32")[..., None], (size, size)))[..., 0]
'''}, 0),
        # One global shuffle: the classes are not stratified.
        "unstratified": ({"stratified_split": '''
def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    order = np.random.default_rng(seed).permutation(len(labels))
    a, b = int(0.7 * len(labels)), int(0.85 * len(labels))
    return order[:a], order[a:b], order[b:]
'''}, 0),
        # Everything right except MobileNet's input range: [0, 1] instead of [-1, 1].
        "wrong_range": ({"prepare_mnist": '''
def prepare_mnist(images, labels):
    images, labels = np.asarray(images), np.asarray(labels)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or labels.shape != (len(images),):
        raise ValueError("bad shapes")
    return (images / 255.0).astype("float32")[..., None], labels.astype(np.int64)
''', "stratified_split": '''
def stratified_split(labels, seed, fractions=(0.7, 0.15, 0.15)):
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    train, val, test = [], [], []
    for c in np.unique(labels):
        idx = rng.permutation(np.flatnonzero(labels == c))
        a = int(round(0.7 * len(idx))); b = a + int(round(0.15 * len(idx)))
        train += list(idx[:a]); val += list(idx[a:b]); test += list(idx[b:])
    return np.array(train), np.array(val), np.array(test)
''', "normalize": '''
def normalize(train, *others):
    m, s = train.mean(), train.std()
    return (train - m) / s, [(o - m) / s for o in others], (m, s)
''', "prepare_for_mobilenet": '''
def prepare_for_mobilenet(images, size):
    return np.asarray(keras.ops.image.resize(np.asarray(images, "float32"), (size, size))) / 255.0
''', "valid_augmentations": '''
def valid_augmentations(task):
    return {"digits": {"small_rotation", "small_shift", "zoom"},
            "photos": {"small_rotation", "small_shift", "zoom", "horizontal_flip"},
            "em_slices": set(AUGMENTATIONS)}[task]
''', "resize_mask": '''
def resize_mask(mask, size):
    mask = np.asarray(mask)
    r = np.arange(size) * mask.shape[0] // size
    c = np.arange(size) * mask.shape[1] // size
    return mask[np.ix_(r, c)]
'''}, 9),
    },
    "fine_tuning_plan": {
        # Unfreezes batch normalisation too: its statistics drift during fine-tuning.
        "unfreezes_bn": ({"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    x = keras.layers.Dropout(0.3)(x)
    binary = n_classes == 2
    outputs = keras.layers.Dense(1 if binary else n_classes, activation="sigmoid" if binary else "softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-3),
                  loss="binary_crossentropy" if binary else "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''', "unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for layer in base.layers[:-n_layers]:
        layer.trainable = False
    model.compile(keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])
    return model
'''}, 4),
        # Two softmax units for two classes: not the head the task asks for.
        "softmax_binary": ({"build_transfer_model": '''
def build_transfer_model(base, n_classes):
    base.trainable = False
    inputs = keras.Input(base.input_shape[1:])
    x = keras.layers.GlobalAveragePooling2D()(base(inputs, training=False))
    outputs = keras.layers.Dense(n_classes, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
''', "unfreeze_top": '''
def unfreeze_top(model, base, n_layers, learning_rate):
    base.trainable = True
    for i, layer in enumerate(base.layers):
        layer.trainable = i >= len(base.layers) - n_layers and not isinstance(layer, keras.layers.BatchNormalization)
    model.compile(keras.optimizers.Adam(learning_rate), loss=model.loss, metrics=["accuracy"])
    return model
'''}, 3),
        # Fine-tunes at the head's learning rate.
        "same_rate": ({"make_plan": '''
def make_plan(n_images, n_classes, similar_to_imagenet, balanced):
    if n_images > 10_000:
        strategy = "fine_tune_all"
    elif n_images < 1_000 and similar_to_imagenet:
        strategy = "feature_extraction"
    else:
        strategy = "fine_tune_top"
    return {"strategy": strategy, "head_learning_rate": 1e-3,
            "fine_tune_learning_rate": None if strategy == "feature_extraction" else 1e-3,
            "early_stopping": True, "held_out_test": True,
            "loss": "binary_crossentropy" if n_classes == 2 else "sparse_categorical_crossentropy",
            "metrics": ["accuracy"] + ([] if balanced else ["auc" if n_classes == 2 else "macro_f1"])}
'''}, 0),
    },
}
