"""The graders' shared checks: what they say to the learner, and that odd values fail as checks, not crashes."""

from __future__ import annotations

import sys

import numpy as np
import pytest
import torch

from .conftest import PROJECT

sys.path.insert(0, str(PROJECT / "graders"))
from gradelib import (  # noqa: E402
    GradeFailure,
    check_close,
    check_number,
    check_shape,
    check_true,
    grad_of,
    learner_tensor,
    unpack,
)


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(GradeFailure) as info:
        fn(*args, **kwargs)
    return str(info.value)


def test_the_headline_is_the_worst_violation_of_the_tolerance_not_the_largest_difference():
    expected = torch.tensor([24367.3, 1.0, 2.0], dtype=torch.float64)
    actual = expected.clone()
    actual[0] += 0.01  # the largest difference, but within rtol=1e-6 of 24367.3 (allowed 0.0244)
    actual[2] += 1e-3  # outside: allowed 2e-6
    message = failure(check_close, actual, expected, name="x", rtol=1e-6, atol=0.0)
    assert "the worst difference from the reference is 0.001 at index [2]" in message
    assert "expected 2, got 2.001" in message and "allowed 2e-06" in message
    assert "1 of 3 values are outside rtol=1e-06, atol=0" in message


def test_a_nan_where_a_number_was_expected_is_named():
    message = failure(check_close, torch.tensor([1.0, float("nan")]), torch.tensor([1.0, 2.0]), name="y")
    assert "NaN at index [1]" in message


@pytest.mark.parametrize("value", [None, "text", {"a": 1}, [torch.ones(2), torch.ones(3)], object()])
def test_values_of_the_wrong_type_are_failures_of_the_check(value):
    message = failure(check_close, value, torch.ones(2), name="the output")
    assert message.startswith("the output should be a tensor")
    assert failure(check_number, value, 1.0, name="n").startswith("n should be a number")


def test_an_empty_selection_is_a_shape_failure():
    assert "has shape (0,), expected (3,)" in failure(check_close, torch.ones(0), torch.ones(3))
    assert "has shape (0, 2), expected (3, 2)" in failure(check_shape, np.zeros((0, 2)), (3, 2))


def test_check_true_fails_on_values_with_no_single_truth():
    assert failure(check_true, torch.ones(3), "must hold") == "must hold"
    assert failure(check_true, np.array([True, False]), "must hold") == "must hold"
    check_true(torch.tensor(True), "fine")


def test_disconnected_outputs_and_missing_gradients_are_named():
    x = torch.ones(3, requires_grad=True)
    assert "not connected to the inputs' autograd graph" in failure(
        learner_tensor, torch.zeros(3, requires_grad=True), "the output", grad=True)
    assert "should be a torch.Tensor, but it is NoneType" in failure(learner_tensor, None, "the output")
    assert "has shape (3,), expected (2,)" in failure(learner_tensor, x * 2, "the output", shape=(2,))
    assert learner_tensor(x * 2, grad=True).grad_fn is not None
    assert "no gradient reached x" in failure(grad_of, x, "x")


def test_unpack_names_what_the_tuple_should_hold():
    assert unpack((1, 2), 2) == (1, 2)
    message = failure(unpack, None, 2, "attend(...)", "the output and the weights")
    assert message == "attend(...) should be a tuple of 2 values (the output and the weights), but it is NoneType: None"
    assert "list of length 3" in failure(unpack, [1, 2, 3], 2)


def test_check_defaults_names_a_changed_default_and_leaves_stubs_not_started():
    from gradelib import NotStarted, check_defaults

    def fit(X, y, lr=1.0, steps=500):
        return X

    def stub(X, lr=1.0):
        raise NotImplementedError("write stub")

    check_defaults(fit, "fit", lr=1.0, steps=500)
    assert failure(check_defaults, fit, "fit", steps=100) == "fit's steps defaults to 500; the stub says 100"
    assert "no parameter 'momentum'" in failure(check_defaults, fit, "fit", momentum=0.9)
    assert "has no default" in failure(check_defaults, fit, "fit", X=0)
    with pytest.raises(NotStarted):
        check_defaults(stub, "stub", lr=1.0)
