"""Fairness cases for conv_arithmetic: see tests/fairness_cases/__init__.py."""

from fairness_cases import Case, wrong

CASES = {
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
