"""Fairness cases for fine_tuning_plan: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

# The instructor's class_report, from which some mistakes below differ in one line.
REPORT = '''
def class_report(labels, predicted, n_classes):
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    pair_counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(pair_counts, (labels, predicted), 1)
    right = np.diag(pair_counts).astype(np.float64)
    called, present = pair_counts.sum(axis=0), pair_counts.sum(axis=1)
    precision = np.divide(right, called, out=np.zeros(n_classes), where=called > 0)
    recall = np.divide(right, present, out=np.zeros(n_classes), where=present > 0)
    both = precision + recall
    f1 = np.divide(2 * precision * recall, both, out=np.zeros(n_classes), where=both > 0)
    return {
        "accuracy": right.sum() / len(labels),
        "majority_accuracy": present.max() / len(labels),
        "precision": precision,
        "recall": recall,
        "macro_f1": f1.mean(),
    }
'''

CASES = {
    # --- correct, in other styles ---
    "report_by_loops_and_counter": Case(answers={"class_report": '''
from collections import Counter

def class_report(labels, predicted, n_classes):
    labels, predicted = list(labels), list(predicted)
    pairs = Counter(zip(labels, predicted))
    precision, recall, f1 = [], [], []
    for c in range(n_classes):
        right = pairs[(c, c)]
        called = sum(1 for p in predicted if p == c)
        present = sum(1 for l in labels if l == c)
        precision.append(right / called if called else 0.0)
        recall.append(right / present if present else 0.0)
        total = precision[-1] + recall[-1]
        f1.append(2 * precision[-1] * recall[-1] / total if total else 0.0)
    return {"accuracy": sum(pairs[(c, c)] for c in range(n_classes)) / len(labels),
            "majority_accuracy": max(Counter(labels).values()) / len(labels),
            "precision": precision, "recall": recall, "macro_f1": sum(f1) / n_classes}
'''}),
    "report_with_the_course_library_and_float32": Case(
        added={"class_report": "from cnncourse.metrics import confusion_matrix"},
        answers={"class_report": '''
def class_report(labels, predicted, n_classes):
    counts = confusion_matrix(np.asarray(labels), np.asarray(predicted), n_classes).astype(np.float32)
    right = np.diag(counts)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.nan_to_num(right / counts.sum(axis=0))
        recall = np.nan_to_num(right / counts.sum(axis=1))
        f1 = np.nan_to_num(2 * precision * recall / (precision + recall))
    return dict(accuracy=right.sum() / counts.sum(), majority_accuracy=counts.sum(axis=1).max() / counts.sum(),
                precision=precision, recall=recall, macro_f1=np.mean(f1), confusion=counts)
'''}),
    "report_by_masks_with_extra_keys": Case(answers={"class_report": '''
def class_report(labels, predicted, n_classes):
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    report = {"precision": [], "recall": [], "f1": []}
    for c in range(n_classes):
        hits = np.sum((labels == c) & (predicted == c))
        report["precision"].append(hits / max(np.sum(predicted == c), 1))
        report["recall"].append(hits / max(np.sum(labels == c), 1))
        p, r = report["precision"][-1], report["recall"][-1]
        report["f1"].append(0.0 if p + r == 0 else 2 / (1 / p + 1 / r) if p and r else 0.0)
    report["accuracy"] = np.mean(labels == predicted)
    report["majority_accuracy"] = np.bincount(labels, minlength=n_classes).max() / labels.size
    report["macro_f1"] = float(np.mean(report["f1"]))
    return report
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
    # --- wrong, each in one place ---
    "precision_and_recall_swapped": wrong("test_class_report", "precision", answers={"class_report": REPORT.replace(
        "called, present = pair_counts.sum(axis=0), pair_counts.sum(axis=1)",
        "called, present = pair_counts.sum(axis=1), pair_counts.sum(axis=0)")}),
    "nan_for_a_class_never_predicted": wrong("test_class_report", "nan", answers={"class_report": REPORT.replace(
        "precision = np.divide(right, called, out=np.zeros(n_classes), where=called > 0)",
        "precision = right / np.maximum(called, 0)")}),
    "f1_of_the_mean_precision_and_recall": wrong("test_class_report", "macro_f1", answers={"class_report": REPORT.replace(
        '"macro_f1": f1.mean(),',
        '"macro_f1": 2 * precision.mean() * recall.mean() / (precision.mean() + recall.mean()),')}),
    "f1_weighted_by_class_size": wrong("test_class_report", "macro_f1", answers={"class_report": REPORT.replace(
        '"macro_f1": f1.mean(),', '"macro_f1": (f1 * present).sum() / present.sum(),')}),
    "f1_as_the_arithmetic_mean": wrong("test_class_report", "macro_f1", answers={"class_report": REPORT.replace(
        "f1 = np.divide(2 * precision * recall, both, out=np.zeros(n_classes), where=both > 0)", "f1 = both / 2")}),
    "majority_of_the_predictions": wrong("test_class_report", "majority_accuracy", answers={"class_report": REPORT.replace(
        '"majority_accuracy": present.max() / len(labels),', '"majority_accuracy": called.max() / len(labels),')}),
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
