"""Exercise 0.3.2: the receptive field of a stack of convolution and pooling layers.

Part 1 (code). A network is described by ``layers``, a list with one tuple per layer, the layer next to
the input first:

* ``(kernel_size, stride)`` or ``(kernel_size, stride, dilation)``; dilation is 1 when left out;
* all values are positive Python ints; kernels are square, so one number covers height and width;
* pooling layers (max or average) are layers too, described the same way (a 3x3 max pool with
  stride 2 is ``(3, 2)``). Padding is not part of the description: it moves the receptive field
  but does not change its size, and the sizes below are for an input large enough that borders
  never matter.

Write

* ``receptive_field(layers) -> int``: the side length, in input pixels, of the square region of the
  input that can influence one unit (one pixel) of the last layer's output. An empty network has a
  receptive field of 1 (each pixel sees itself). A dilated kernel of size k and dilation d spans
  ``d * (k - 1) + 1`` pixels of its own input. Examples: ``[(3, 1)]`` -> 3, ``[(3, 1), (3, 1)]`` -> 5,
  ``[(3, 1, 2)]`` -> 5.
* ``effective_stride(layers) -> int``: the distance, in input pixels, between the receptive fields of
  two neighbouring units of the last layer's output (the "jump"). An empty network gives 1.

The grader compares both with a direct measurement on random stacks (it backpropagates from one output
unit of a chain of convolutions and sees which input pixels receive a gradient). Answers must be exact.

Part 2 (questions). For the five-layer network ``FIVE_LAYER_CNN`` below (do not edit it), set
``RF_FIVE_LAYER`` to the receptive field of one unit of its output (an int, in input pixels) and
``STRIDE_FIVE_LAYER`` to its effective stride (an int). You may compute them with your functions, e.g.
``RF_FIVE_LAYER = receptive_field(FIVE_LAYER_CNN)``. Answers must be exact.
"""

from __future__ import annotations

# (kernel_size, stride[, dilation]); the paddings in the comments keep borders aligned but do not
# change the receptive field.
FIVE_LAYER_CNN = [
    (7, 2),  # conv 7x7, stride 2, padding 3
    (3, 2),  # max pool 3x3, stride 2, padding 1
    (3, 2),  # conv 3x3, stride 2, padding 1
    (3, 2),  # conv 3x3, stride 2, padding 1
    (3, 1, 2),  # conv 3x3, stride 1, padding 2, dilation 2
]


def receptive_field(layers: list[tuple[int, ...]]) -> int:
    """Return the receptive field (side length in input pixels) of one unit of the last layer."""
    raise NotImplementedError("write receptive_field")


def effective_stride(layers: list[tuple[int, ...]]) -> int:
    """Return the distance in input pixels between neighbouring units of the last layer."""
    raise NotImplementedError("write effective_stride")


RF_FIVE_LAYER = None  # int: the receptive field of FIVE_LAYER_CNN
STRIDE_FIVE_LAYER = None  # int: the effective stride of FIVE_LAYER_CNN
