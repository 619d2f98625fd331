"""Fairness cases for conv_arithmetic: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

# The instructor's answers to tasks 1 to 3, from which some mistakes below differ in one line.
OUTPUT_SHAPE = '''
def spatial_size(size, kernel, stride, padding, dilation):
    if padding == "same":
        return -(-size // stride)
    padding = 0 if padding == "valid" else padding
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def output_shape(shape, layers):
    height, width, channels = shape
    for layer in layers:
        kernel = layer["kernel"]
        stride = layer.get("stride", kernel if layer["type"] == "pool" else 1)
        options = (kernel, stride, layer.get("padding", "valid"), layer.get("dilation", 1))
        height, width = spatial_size(height, *options), spatial_size(width, *options)
        if layer["type"] != "pool":
            channels = layer["filters"]
    return height, width, channels
'''

COUNT_PARAMS = '''
def count_params(shape, layers):
    channels, total_params = shape[2], 0
    for layer in layers:
        if layer["type"] == "pool":
            continue
        window, filters, bias = layer["kernel"] ** 2, layer["filters"], int(layer.get("bias", True))
        if layer["type"] == "conv":
            total_params += (window * channels + bias) * filters
        else:
            total_params += window * channels + (channels + bias) * filters
        channels = filters
    return total_params
'''

RECEPTIVE_FIELD = '''
def receptive_field(layers):
    reached, jump = {0}, 1
    for layer in layers:
        kernel = layer["kernel"]
        step = layer.get("dilation", 1) * jump
        reached = {position + tap * step for position in reached for tap in range(kernel)}
        jump *= layer.get("stride", kernel if layer["type"] == "pool" else 1)
    return max(reached) - min(reached) + 1, len(reached)
'''


def _changed(base: str, old: str, new: str) -> str:
    assert old in base, old
    return base.replace(old, new)


CASES = {
    # --- correct, in other styles ---
    "numpy_integers_and_defaults_table": Case(answers={"output_shape": '''
DEFAULTS = {"padding": "valid", "dilation": 1}

def output_shape(shape, layers):
    sizes, channels = np.array(shape[:2], dtype=np.int64), shape[2]
    for layer in layers:
        layer = {**DEFAULTS, "stride": layer["kernel"] if layer["type"] == "pool" else 1, **layer}
        if layer["padding"] == "same":
            sizes = np.ceil(sizes / layer["stride"]).astype(np.int64)
        else:
            pad = {"valid": 0}.get(layer["padding"], layer["padding"])
            span = layer["dilation"] * (layer["kernel"] - 1) + 1
            sizes = np.floor_divide(sizes + 2 * pad - span, layer["stride"]) + 1
        channels = layer.get("filters", channels)
    return (sizes[0], sizes[1], channels)
'''}),
    "asks_keras_for_shapes": Case(answers={"output_shape": '''
def keras_layer(layer):
    kernel, kind = layer["kernel"], layer["type"]
    padding = layer.get("padding", "valid")
    mode = padding if isinstance(padding, str) else "valid"
    parts = [] if isinstance(padding, str) else [keras.layers.ZeroPadding2D(padding)]
    if kind == "pool":
        parts.append(keras.layers.MaxPooling2D(kernel, strides=layer.get("stride", kernel), padding=mode))
    else:
        kinds = {"conv": keras.layers.Conv2D, "separable": keras.layers.SeparableConv2D}
        parts.append(kinds[kind](layer["filters"], kernel, strides=layer.get("stride", 1), padding=mode,
                                 dilation_rate=layer.get("dilation", 1)))
    return parts

def output_shape(shape, layers):
    shape = (1, *shape)
    for layer in layers:
        for part in keras_layer(layer):
            shape = part.compute_output_shape(shape)
    return tuple(shape[1:])
'''}),
    "helper_cell_and_math_ceil": Case(
        added={"output_shape": "import math as m\n\ndef window(layer):\n"
                               "    return layer.get('dilation', 1) * (layer['kernel'] - 1) + 1"},
        answers={"output_shape": '''
def output_shape(shape, layers):
    height, width, channels = shape
    for layer in layers:
        stride = layer.get("stride", layer["kernel"] if layer["type"] == "pool" else 1)
        padding = layer.get("padding", "valid")
        if padding == "same":
            height, width = m.ceil(height / stride), m.ceil(width / stride)
        else:
            extra = 2 * (0 if padding == "valid" else padding) - window(layer)
            height, width = [int(m.floor((s + extra) / stride)) + 1 for s in (height, width)]
        if "filters" in layer:
            channels = layer["filters"]
    return [height, width, channels]
'''}),
    "params_by_keras": Case(answers={"params": '''
def count_params(shape, layers):
    inputs = keras.Input((16, 16, shape[2]))
    x, total = inputs, 0
    for layer in layers:
        if layer["type"] == "pool":
            continue
        kinds = {"conv": keras.layers.Conv2D, "separable": keras.layers.SeparableConv2D}
        # 1x1 maps would do: only the channels matter, so keep the map from shrinking
        x = kinds[layer["type"]](layer["filters"], layer["kernel"], padding="same",
                                 use_bias=layer.get("bias", True))(x)
    return keras.Model(inputs, x).count_params()
'''}),
    "params_by_reduce": Case(answers={"params": '''
import functools

def layer_params(state, layer):
    channels, total = state
    if layer["type"] == "pool":
        return channels, total
    k2, f, b = layer["kernel"] ** 2, layer["filters"], layer.get("bias", True)
    cost = {"conv": (k2 * channels + b) * f, "separable": k2 * channels + channels * f + b * f}[layer["type"]]
    return f, total + cost

def count_params(shape, layers):
    return functools.reduce(layer_params, layers, (shape[-1], 0))[1]
'''}),
    "field_by_coverage_arrays": Case(answers={"receptive_field": '''
def receptive_field(layers):
    covered, jump = np.ones(1, dtype=bool), 1
    for layer in layers:
        kernel = layer["kernel"]
        taps = np.zeros(layer.get("dilation", 1) * jump * (kernel - 1) + 1, dtype=bool)
        taps[:: layer.get("dilation", 1) * jump] = True
        covered = np.convolve(covered.astype(np.int64), taps.astype(np.int64)) > 0
        jump *= layer.get("stride", kernel if layer["type"] == "pool" else 1)
    return len(covered), np.count_nonzero(covered)
'''}),
    "field_backwards_from_the_unit": Case(answers={"receptive_field": '''
def receptive_field(layers):
    positions = [0]
    for layer in reversed(layers):
        kernel = layer["kernel"]
        stride = layer.get("stride", kernel if layer["type"] == "pool" else 1)
        dilation = layer.get("dilation", 1)
        positions = sorted({p * stride + t * dilation for p in positions for t in range(kernel)})
    return positions[-1] - positions[0] + 1, len(positions)
'''}),
    "narrow_plain_convolutions": Case(answers={"field_stack": '''
def field_stack():
    conv = lambda filters: {"type": "conv", "kernel": 3, "filters": filters, "padding": "same"}
    pool = {"type": "pool", "kernel": 2, "stride": 2}
    return [conv(8), pool, conv(8), pool, conv(8), pool, conv(8), conv(32)]
'''}),
    "dilated_context_at_full_size": Case(answers={"field_stack": '''
def field_stack():
    # dilations 1, 2, 4, 8, 16 leave no gaps (Yu and Koltun's context module): a field of 63
    layers = [{"type": "conv", "kernel": 3, "filters": 8, "padding": "same", "dilation": 2 ** i} for i in range(5)]
    layers[-1]["filters"] = 32
    return layers
'''}),
    "strided_convolutions_with_zero_padding": Case(answers={"field_stack": '''
def field_stack():
    down = lambda filters: {"type": "conv", "kernel": 3, "stride": 2, "padding": 1, "filters": filters, "bias": False}
    keep = lambda filters: {"type": "separable", "kernel": 3, "padding": 1, "filters": filters}
    return [down(8), down(8), down(16), keep(32), keep(32), keep(32)]
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
    # --- wrong, each in one place ---
    "same_ignores_stride": wrong("test_output_shape", "the right answer is 5", answers={"output_shape": _changed(
        OUTPUT_SHAPE, "return -(-size // stride)", "return size")}),
    "dilation_ignored": wrong("test_output_shape", "the right answer is 28", answers={"output_shape": _changed(
        OUTPUT_SHAPE, "dilation * (kernel - 1) - 1", "(kernel - 1) - 1")}),
    "pool_stride_one": wrong("test_output_shape", "the right answer is 3", answers={"output_shape": _changed(
        OUTPUT_SHAPE, 'kernel if layer["type"] == "pool" else 1', "1")}),
    "channels_never_change": wrong("test_output_shape", "channels", answers={"output_shape": _changed(
        OUTPUT_SHAPE, 'channels = layer["filters"]', "pass")}),
    "returns_floats": wrong("test_output_shape", "whole number", answers={"output_shape": _changed(
        OUTPUT_SHAPE, "// stride + 1", "/ stride + 1")}),
    "separable_bias_per_depthwise_filter": wrong("test_params", "the right answer is 8896", answers={"params": _changed(
        COUNT_PARAMS, "total_params += window * channels + (channels + bias) * filters",
        "total_params += (window + bias) * channels + (channels + bias) * filters")}),
    "params_from_the_input_channels": wrong("test_params", "the right answer is 400", answers={"params": _changed(
        COUNT_PARAMS, "        channels = filters\n", "")}),
    "bias_always_counted": wrong("test_params", "the right answer is 432", answers={"params": _changed(
        COUNT_PARAMS, 'int(layer.get("bias", True))', "1")}),
    "seen_is_the_span": wrong("test_receptive_field", "the number of pixels seen", answers={"receptive_field": _changed(
        RECEPTIVE_FIELD, "len(reached)", "max(reached) - min(reached) + 1")}),
    "jump_updated_first": wrong("test_receptive_field", "the right answer is", answers={"receptive_field": '''
def receptive_field(layers):
    span, jump = 1, 1
    for layer in layers:
        kernel = layer["kernel"]
        jump *= layer.get("stride", kernel if layer["type"] == "pool" else 1)
        span += layer.get("dilation", 1) * (kernel - 1) * jump
    return span, span
'''}),
    "valid_padding_shrinks_the_maps": wrong("test_field_stack", "8 x 8", answers={"field_stack": '''
def field_stack():
    conv = lambda filters: {"type": "separable", "kernel": 3, "filters": filters}
    pool = {"type": "pool", "kernel": 2}
    return [{"type": "conv", "kernel": 3, "filters": 16}, pool, conv(16), pool, conv(32), pool, conv(32), conv(32)]
'''}),
    "dilations_that_leave_gaps": wrong("test_field_stack", "never reach", answers={"field_stack": '''
def field_stack():
    # dilations 2, 4, 8, 16 without a 1: only every other pixel reaches the unit
    layers = [{"type": "conv", "kernel": 3, "filters": 8, "padding": "same", "dilation": 2 ** i} for i in range(1, 5)]
    layers[-1]["filters"] = 32
    return layers
'''}),
    "wide_plain_convolutions": wrong("test_field_stack", "over 8,000", answers={"field_stack": '''
def field_stack():
    conv = {"type": "conv", "kernel": 3, "filters": 32, "padding": "same"}
    pool = {"type": "pool", "kernel": 2}
    return [conv, pool, conv, pool, conv, pool, conv, conv]
'''}),
    "one_large_separable_kernel": wrong("test_field_stack", "at most 3", answers={"field_stack": '''
def field_stack():
    return [{"type": "separable", "kernel": 45, "filters": 32, "padding": "same"}]
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
