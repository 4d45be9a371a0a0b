"""Tests of biascourse/igb/_meanfield.py against https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield and its test vectors."""
import numpy as np
import pytest

from biascourse import igb

# https://biascourse.github.io/biascourse/book/derivations/initial_guessing_bias.html#deriv-igb-meanfield: tanh edge of chaos
EOC_TABLE = {0.01: (1.4242, 0.273), 0.10: (1.9861, 0.806), 0.20: (2.2852, 1.165), 0.30: (2.5051, 1.461),
             0.50: (2.8432, 1.971), 1.00: (3.4432, 3.036)}


def test_tanh_edge_of_chaos_table():
    sb2 = np.array(list(EOC_TABLE))
    eoc = igb.edge_of_chaos(sb2, "tanh")
    np.testing.assert_allclose(eoc, [v[0] for v in EOC_TABLE.values()], atol=1e-4)
    np.testing.assert_allclose(igb.fixed_point_q(eoc, sb2, "tanh"), [v[1] for v in EOC_TABLE.values()], atol=1e-3)
    np.testing.assert_allclose(igb.chi_1(igb.fixed_point_q(eoc, sb2, "tanh"), eoc, "tanh"), 1.0, atol=1e-9)
    assert igb.edge_of_chaos(0.0, "tanh") == pytest.approx(1.0, abs=1e-6)


def test_tanh_example_points():
    q = igb.fixed_point_q(2.5, 0.1, "tanh")
    assert igb.chi_1(q, 2.5, "tanh") == pytest.approx(1.100, abs=5e-4)
    c = igb.fixed_point_c(2.5, 0.1, "tanh")
    assert c == pytest.approx(0.664, abs=5e-4)
    assert igb.gamma_from_c(c) == pytest.approx(1.98, abs=5e-3)
    assert igb.chi_1(igb.fixed_point_q(1.0, 0.1, "tanh"), 1.0, "tanh") == pytest.approx(0.689, abs=5e-4)
    assert igb.fixed_point_c(1.0, 0.1, "tanh") == 1.0


def test_relu_vectors():
    assert igb.fixed_point_q(1.5, 0.1, "relu") == pytest.approx(0.4)
    np.testing.assert_allclose(igb.chi_1(np.array([0.3, 4.0]), np.array([1.5, 3.0]), "relu"), [0.75, 1.5])
    assert igb.fixed_point_q(2.5, 0.1, "relu") == np.inf
    pd = igb.phase_diagram(*np.meshgrid(np.linspace(0.5, 4, 8), np.linspace(0, 1, 5)), "relu")
    assert np.all(pd.c_star == 1.0) and np.all(pd.phase == 0)  # deep prejudice in both phases


def test_c_equals_one_is_stable_in_the_ordered_phase_and_unstable_in_the_chaotic_phase():
    for sigma_w2, ordered in [(1.0, True), (1.6, True), (2.5, False), (3.5, False)]:
        q = igb.fixed_point_q(sigma_w2, 0.1, "tanh")
        chi = igb.chi_1(q, sigma_w2, "tanh")
        assert (chi < 1) == ordered
        # the slope of the correlation map at c = 1 is chi_1
        eps = 1e-4
        slope = (1 - igb.correlation_map(1 - eps, q, sigma_w2, 0.1, "tanh")) / eps
        assert slope == pytest.approx(chi, rel=2e-3)
        c = 0.2
        for _ in range(300):
            c = igb.correlation_map(c, q, sigma_w2, 0.1, "tanh")
        if ordered:
            assert c == pytest.approx(1.0, abs=1e-3)
        else:
            c_star = igb.fixed_point_c(sigma_w2, 0.1, "tanh")
            assert c == pytest.approx(c_star, abs=1e-8) and c_star < 1
            assert igb.correlation_map(c_star, q, sigma_w2, 0.1, "tanh") == pytest.approx(c_star, abs=1e-9)


def test_neutrality_line_has_c_star_one_half():
    sb2 = np.array([0.05, 0.1, 0.5])
    line = igb.iso_gamma_line(1.0, sb2, "tanh")
    assert np.all(line > igb.edge_of_chaos(sb2, "tanh"))
    np.testing.assert_allclose(igb.fixed_point_c(line, sb2, "tanh"), 0.5, atol=1e-6)
    other = igb.iso_gamma_line(3.0, sb2, "tanh")  # more bias: closer to the edge of chaos
    assert np.all(other < line)


def test_phase_diagram_labels_and_link():
    w, b = np.meshgrid(np.linspace(0.8, 6, 12), np.linspace(0.02, 1, 6))
    pd = igb.phase_diagram(w, b, "tanh")
    assert pd.c_star.shape == w.shape
    np.testing.assert_array_equal(pd.phase == 0, pd.chi_1 <= 1)
    np.testing.assert_allclose(igb.c_from_gamma(pd.gamma_star), pd.c_star)
    assert set(np.unique(pd.phase)) == {0, 1, 2}
    # without bias, an odd activation has c* = 0 in the chaotic phase: no IGB
    assert igb.fixed_point_c(2.0, 0.0, "tanh") == pytest.approx(0.0, abs=1e-9)


def test_normalisation_table_of_section_4():
    for depth in (1, 2, 5):
        def gamma(norm):
            return igb.gamma_mean_field(igb.MLPSpec(input_dim=3, depth=depth, norm=norm))

        assert gamma("none") == pytest.approx(igb.gamma_relu_depth(depth))
        assert gamma("bn_before") == pytest.approx(igb.GAMMA_RELU)
        assert gamma("bn_after") == pytest.approx(0.0, abs=1e-12)
        assert gamma("ln_before") == pytest.approx(igb.gamma_relu_depth(depth))
        assert gamma("ln_after") == pytest.approx(0.0, abs=1e-12)


def test_profile_conventions_and_errors():
    # a linear net on inputs of correlation c0 keeps it: gamma = c0 / (1 - c0) = s^2 for a shift s
    s = 0.5
    spec = igb.MLPSpec(input_dim=3, depth=2, activation="linear", sigma_w2=1.0)
    assert igb.gamma_mean_field(spec, input_q=1 + s**2, input_c=s**2 / (1 + s**2)) == pytest.approx(s**2)
    x = np.random.default_rng(0).standard_normal((3000, 20)) + s
    q0, c0 = igb.input_moments(x)
    assert q0 == pytest.approx(1 + s**2, rel=0.02) and c0 / (1 - c0) == pytest.approx(igb.gamma_linear(x), rel=0.01)
    with pytest.raises(ValueError, match="pool = 1 only"):
        igb.correlation_profile(igb.MLPSpec(input_dim=3, width=4, pool=2))
    with pytest.raises(ValueError, match=r"gamma must be in \(0, inf\)"):
        igb.iso_gamma_line(0.0, 0.1, "tanh")
