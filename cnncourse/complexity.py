"""How much arithmetic a model does: multiply-accumulates counted from its layers' shapes.

One multiply-accumulate (MAC) is ``a += w * x``. A convolution or dense layer does one per
weight per output position, so its count follows from the kernel size and the output shape:

- ``Conv1D/2D/3D``: output values x kernel elements x input channels / groups;
- ``DepthwiseConv2D``: output values x kernel elements (each output channel sees one input);
- ``SeparableConv2D``: its depthwise part plus a 1x1 convolution on the depthwise output;
- ``Conv2DTranspose``: input values x kernel elements x output channels (each input pixel is
  spread over a kernel-sized patch of every output channel);
- ``Dense``: output values x input features.

Biases, batch normalisation, pooling, activations and additions are not counted: they cost a
few operations per value, against tens to thousands of MACs per output of the layers above.
Papers often quote "FLOPs" for the same figure; one MAC is two floating-point operations.
"""

from __future__ import annotations

import math

import keras
from keras import layers


def _known(shape, layer: layers.Layer, which: str) -> tuple[int, ...]:
    dims = tuple(shape[1:])
    if any(size is None for size in dims):
        raise ValueError(
            f"layer {layer.name!r} has {which} shape {tuple(shape)} with unknown sizes: build the "
            "model with a fixed input size (e.g. keras.Input(shape=(224, 224, 3))) to count MACs"
        )
    return dims


def _channels(dims: tuple[int, ...], layer: layers.Layer) -> int:
    return dims[0] if getattr(layer, "data_format", "channels_last") == "channels_first" else dims[-1]


def _layer_macs(layer: layers.Layer) -> int | None:
    """MACs of one call of ``layer`` on one example, or None for a layer type that is not counted."""
    if not isinstance(layer, (layers.Conv1D, layers.Conv2D, layers.Conv3D, layers.DepthwiseConv2D,
                              layers.SeparableConv2D, layers.Conv2DTranspose, layers.Dense)):
        return None
    try:
        input_dims = _known(layer.input.shape, layer, "input")
        output_dims = _known(layer.output.shape, layer, "output")
    except (AttributeError, ValueError) as error:
        if isinstance(error, ValueError) and "unknown sizes" in str(error):
            raise
        raise ValueError(
            f"layer {layer.name!r} has no single input and output shape (is it shared, or not "
            "part of a functional model?): MACs are counted from a functional model's layers"
        ) from error
    output_values = math.prod(output_dims)
    if isinstance(layer, layers.Dense):
        return output_values * input_dims[-1]
    kernel_elements = math.prod(layer.kernel_size)
    input_channels = _channels(input_dims, layer)
    if isinstance(layer, layers.DepthwiseConv2D):
        return output_values * kernel_elements
    if isinstance(layer, layers.SeparableConv2D):
        depthwise_values = output_values // layer.filters * input_channels * layer.depth_multiplier
        return depthwise_values * kernel_elements + output_values * input_channels * layer.depth_multiplier
    if isinstance(layer, layers.Conv2DTranspose):
        return math.prod(input_dims) * kernel_elements * layer.filters
    return output_values * kernel_elements * input_channels // layer.groups


def layer_multiply_accumulates(model: keras.Model) -> list[tuple[str, int]]:
    """(layer name, MACs per example) for every counted layer of a functional model, in order.

    Nested models (e.g. a keras.applications backbone inside a classifier) are walked into, and
    their layers named ``outer/inner``. Every counted layer needs fully known input and output
    shapes, so the model must be built for a fixed input size.
    """
    if not isinstance(model, keras.Model) or not getattr(model, "inputs", None):
        raise ValueError(f"expected a built functional or Sequential keras.Model, got {type(model).__name__}")
    counts = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            counts += [(f"{layer.name}/{name}", macs) for name, macs in layer_multiply_accumulates(layer)]
            continue
        macs = _layer_macs(layer)
        if macs is not None:
            counts.append((layer.name, macs))
    return counts


def multiply_accumulates(model: keras.Model) -> int:
    """Multiply-accumulates of one forward pass of one example through ``model`` (see module doc)."""
    return sum(macs for _, macs in layer_multiply_accumulates(model))


def receptive_fields(model: keras.Model) -> dict[str, int]:
    """The receptive field, in input pixels along one side, of one value of every layer's output
    in a sequential stack of ``model``'s layers (first dimension of each kernel or window):
    chapter 1's rule ``r += (k - 1) * dilation * jump`` and ``jump *= stride`` for convolutions
    and poolings; other layers (activations, normalisation, dropout) change neither."""
    field, jump, fields = 1, 1, {}
    for layer in model.layers:
        if isinstance(layer, (layers.Conv2D, layers.DepthwiseConv2D, layers.SeparableConv2D)):
            field += (layer.kernel_size[0] - 1) * layer.dilation_rate[0] * jump
            jump *= layer.strides[0]
        elif isinstance(layer, (layers.MaxPooling2D, layers.AveragePooling2D)):
            field += (layer.pool_size[0] - 1) * jump
            jump *= layer.strides[0]
        fields[layer.name] = field
    return fields
