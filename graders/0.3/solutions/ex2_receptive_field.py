"""Reference solution for exercise 0.3.2 (shown by `tracker solution 0.3.2` after a pass).

Walk from the input to the output keeping two numbers: ``jump``, the distance in input pixels between
neighbouring units of the current layer, and ``rf``, the receptive field of one of its units. A layer
with a kernel spanning ``span = d * (k - 1) + 1`` of its input units widens the field by ``span - 1``
of those units, that is ``(span - 1) * jump`` input pixels, and then multiplies the jump by its stride.
A layer's own stride only matters to the layers after it.
"""

from __future__ import annotations

FIVE_LAYER_CNN = [
    (7, 2),  # conv 7x7, stride 2, padding 3
    (3, 2),  # max pool 3x3, stride 2, padding 1
    (3, 2),  # conv 3x3, stride 2, padding 1
    (3, 2),  # conv 3x3, stride 2, padding 1
    (3, 1, 2),  # conv 3x3, stride 1, padding 2, dilation 2
]


def _unpack(layer):
    kernel, stride = layer[0], layer[1]
    dilation = layer[2] if len(layer) > 2 else 1
    return kernel, stride, dilation


def receptive_field(layers):
    rf, jump = 1, 1
    for layer in layers:
        kernel, stride, dilation = _unpack(layer)
        span = dilation * (kernel - 1) + 1
        rf += (span - 1) * jump
        jump *= stride
    return rf


def effective_stride(layers):
    jump = 1
    for layer in layers:
        jump *= _unpack(layer)[1]
    return jump


RF_FIVE_LAYER = receptive_field(FIVE_LAYER_CNN)  # 99
STRIDE_FIVE_LAYER = effective_stride(FIVE_LAYER_CNN)  # 16
