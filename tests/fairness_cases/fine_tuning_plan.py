"""Fairness cases for fine_tuning_plan: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

CASES = {
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
