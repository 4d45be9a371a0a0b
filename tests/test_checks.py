"""The shared argument checks: messages name the parameter, the allowed range and the value given."""
import numpy as np
import pytest
import torch

from biascourse import _checks as checks


def test_integer_accepts_numpy_integers_and_returns_int():
    assert checks.integer("n", np.int64(3), 1) == 3 and type(checks.integer("n", np.int64(3), 1)) is int


@pytest.mark.parametrize("value", [0.5, "3", True, None, 3.0])
def test_integer_wrong_kind_is_a_type_error_and_a_value_error(value):
    with pytest.raises(checks.ArgumentTypeError, match=r"steps must be an integer in \[1, inf\)") as info:
        checks.integer("steps", value, 1)
    assert isinstance(info.value, TypeError) and isinstance(info.value, ValueError)


def test_integer_out_of_range_names_the_range():
    with pytest.raises(ValueError, match=r"k must be an integer in \[1, 4\]; got 5"):
        checks.integer("k", 5, 1, 4)


def test_real_open_and_closed_ends():
    assert checks.real("rho", 1, 0, 1, low_open=True) == 1.0
    with pytest.raises(ValueError, match=r"rho must be in \(0, 1\]; got 0"):
        checks.real("rho", 0.0, 0, 1, low_open=True)
    with pytest.raises(ValueError, match="eta must be a finite number"):
        checks.real("eta", float("inf"), 0, low_open=True)
    with pytest.raises(checks.ArgumentTypeError, match="eta must be a real number"):
        checks.real("eta", "0.1", 0)
    assert checks.real("eta", np.array(0.25)) == 0.25


def test_choice_lists_the_choices():
    with pytest.raises(ValueError, match=r"loss must be one of 'mse', 'bce'; got 'l1'"):
        checks.choice("loss", "l1", ("mse", "bce"))
    with pytest.raises(ValueError):
        checks.choice("loss", ["unhashable"], ("mse",))


def test_array_shape_finite_range_and_empty():
    x = checks.array("x", torch.ones(3, 2), shape=(None, 2))
    assert isinstance(x, np.ndarray) and x.shape == (3, 2)
    with pytest.raises(ValueError, match=r"x must have shape \(any, 4\); got \(3, 2\)"):
        checks.array("x", np.ones((3, 2)), shape=(None, 4))
    with pytest.raises(ValueError, match="x must hold finite numbers; got 1 NaN"):
        checks.array("x", [1.0, np.nan])
    with pytest.raises(ValueError, match=r"p must hold values in \[0, 1\]; got values from -0.5 to 1"):
        checks.array("p", [-0.5, 1.0], low=0, high=1)
    with pytest.raises(ValueError, match="x must not be empty"):
        checks.array("x", [])
    with pytest.raises(ValueError, match="must have 1 or 2 dimension"):
        checks.array("x", np.ones((1, 1, 1)), ndim=(1, 2))
    with pytest.raises(checks.ArgumentTypeError, match="x must be an array of numbers"):
        checks.array("x", ["a", "b"])


def test_same_length_names_both_arrays():
    assert checks.same_length(a=[1, 2], b=np.zeros(2)) == 2
    with pytest.raises(ValueError, match="y_true and y_pred must have the same length; y_true has 2, y_pred has 3"):
        checks.same_length(y_true=[1, 2], y_pred=[1, 2, 3])


def test_array_allow_inf_rejects_nan_only():
    assert np.isinf(checks.array("h", [np.inf, 0.0], allow_inf=True)[0])
    with pytest.raises(ValueError, match="h must not hold NaN; got 1 NaN"):
        checks.array("h", [np.nan, 0.0], allow_inf=True)


def test_instance_names_the_parameter_and_the_kind():
    assert checks.instance("n", 3, int) == 3
    with pytest.raises(checks.ArgumentTypeError, match="params must be a dict or list; got int"):
        checks.instance("params", 3, (dict, list))
