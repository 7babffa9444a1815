"""Grader for exercise 0.5.3: sinusoidal positional encoding and a learned positional embedding.

The sinusoidal table is compared with the closed form of "Attention Is All You Need" computed in float64;
the modules are checked for what distinguishes them (a buffer and no parameters; one trainable table that
only the positions used receive gradient in, and that cannot serve positions beyond ``max_len``); the
relative-shift matrix is checked against its closed form and against the property it must have,
``PE[p + k] == M @ PE[p]``, which a learned table does not offer. The "compare" of the knowledge check is
made concrete by these contrasts rather than by an essay.

Probes: sines and cosines in two halves instead of interleaved, sin and cos swapped, the column index or
i instead of 2i in the exponent, positions starting at 1 or divided by max_len, the table stored as a
parameter, the learned rows taken from the end, and a transposed (backwards) shift matrix.
"""

from __future__ import annotations

import pytest
import torch
from gradelib import GradeFailure, check_close, check_true
from torch import nn

ATOL_TABLE = 1e-4


@pytest.fixture(autouse=True, scope="module")
def _one_thread():
    """Tiny tensors: one intra-op thread is fastest, and avoids thread contention on a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _table(max_len, d, *, layout="interleaved", exponent="pair", start=0, normalise=False, swap=False):
    """The sinusoidal table in float64, with the knobs that the classic mistakes turn."""
    p = torch.arange(start, start + max_len, dtype=torch.float64)[:, None]
    if normalise:
        p = p / max_len
    if layout == "halves":
        omega = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
        return torch.cat([torch.sin(p * omega), torch.cos(p * omega)], dim=1)
    j = torch.arange(d, dtype=torch.float64)
    pair = torch.div(j, 2, rounding_mode="floor")
    e = {"pair": 2 * pair / d, "column": j / d, "half": pair / d}[exponent]
    angles = p / 10000.0**e
    even = (torch.arange(d) % 2 == 0)[None, :]
    if swap:
        even = ~even
    return torch.where(even, torch.sin(angles), torch.cos(angles))


def _shift(k, d):
    omega = 10000.0 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    m = torch.zeros(d, d, dtype=torch.float64)
    i = torch.arange(0, d, 2)
    c, s = torch.cos(k * omega), torch.sin(k * omega)
    m[i, i], m[i, i + 1], m[i + 1, i], m[i + 1, i + 1] = c, s, -s, c
    return m


def _table_mistakes(max_len, d):
    return {
        "putting all sines in the first half of the columns and all cosines in the second half instead of "
        "interleaving them (sin on even columns, cos on odd ones)": _table(max_len, d, layout="halves"),
        "cos on even columns and sin on odd ones (swapped)": _table(max_len, d, swap=True),
        "using the column index j in the exponent (10000 ** (j / d_model)), which gives the cosine of a "
        "pair another frequency than its sine": _table(max_len, d, exponent="column"),
        "using i / d_model in the exponent instead of 2i / d_model": _table(max_len, d, exponent="half"),
        "starting the positions at 1 instead of 0": _table(max_len, d, start=1),
        "dividing the positions by max_len": _table(max_len, d, normalise=True),
    }


def test_sinusoidal_values(learner):
    """the table is sin(p / 10000^(2i/d)) on even columns and cos of the same angle on odd columns"""
    got = learner.sinusoidal_encoding(50, 16)
    check_true(isinstance(got, torch.Tensor), f"sinusoidal_encoding should return a tensor, got {type(got).__name__}")
    check_true(got.dtype == torch.float32, f"the table should be float32, got {got.dtype}")
    check_close(
        got,
        _table(50, 16),
        name="sinusoidal_encoding(50, 16)",
        rtol=0,
        atol=ATOL_TABLE,
        mistakes=_table_mistakes(50, 16),
    )


def test_sinusoidal_other_sizes(learner):
    """other sizes: (7, 6), and a long table whose first rows equal a short one's"""
    check_close(
        learner.sinusoidal_encoding(7, 6),
        _table(7, 6),
        name="sinusoidal_encoding(7, 6)",
        rtol=0,
        atol=ATOL_TABLE,
        mistakes=_table_mistakes(7, 6),
    )
    long, short = learner.sinusoidal_encoding(90, 8), learner.sinusoidal_encoding(12, 8)
    check_close(
        long[:12],
        short,
        name="the first 12 rows of sinusoidal_encoding(90, 8) compared with sinusoidal_encoding(12, 8)",
        rtol=0,
        atol=ATOL_TABLE,
    )
    check_close(long, _table(90, 8), name="sinusoidal_encoding(90, 8)", rtol=0, atol=ATOL_TABLE)


def test_sinusoidal_module(learner):
    """SinusoidalPositionalEncoding keeps the table in a buffer, has no parameters, and adds PE[:T]"""
    module = learner.SinusoidalPositionalEncoding(20, 8)
    check_true(isinstance(module, nn.Module), "SinusoidalPositionalEncoding should be an nn.Module")
    params = [name for name, _ in module.named_parameters()]
    check_true(
        not params,
        f"SinusoidalPositionalEncoding has parameters ({', '.join(params)}): the sinusoidal table is fixed, "
        "so register it with register_buffer instead of nn.Parameter (an optimizer would train it)",
    )
    expected = _table(20, 8)
    buffers = [b for _, b in module.named_buffers() if tuple(b.shape) == (20, 8)]
    check_true(
        bool(buffers),
        "SinusoidalPositionalEncoding(20, 8) has no buffer of shape (20, 8): store the table with "
        "self.register_buffer(name, table) so that it follows module.to(device)",
    )
    if not any(torch.allclose(b.double(), expected, atol=ATOL_TABLE) for b in buffers):
        check_close(
            buffers[0],
            expected,
            name="the table buffer of SinusoidalPositionalEncoding(20, 8)",
            rtol=0,
            atol=ATOL_TABLE,
            mistakes=_table_mistakes(20, 8),
        )
    g = torch.Generator().manual_seed(1)
    x = torch.randn(3, 13, 8, generator=g)
    got = module(x)
    check_close(
        got,
        x + expected[:13].float(),
        name="SinusoidalPositionalEncoding(20, 8) applied to x of shape (3, 13, 8)",
        rtol=1e-5,
        atol=1e-5,
        mistakes={"adding the last T rows of the table instead of the first T": x + expected[-13:].float()},
    )


def _learned(learner, max_len, d):
    module = learner.LearnedPositionalEmbedding(max_len, d)
    check_true(isinstance(module, nn.Module), "LearnedPositionalEmbedding should be an nn.Module")
    params = dict(module.named_parameters())
    if list(params) != ["weight"]:
        raise GradeFailure(
            f"LearnedPositionalEmbedding should have exactly one parameter named 'weight', got {list(params) or 'none'}"
        )
    weight = params["weight"]
    check_true(
        tuple(weight.shape) == (max_len, d),
        f"weight of LearnedPositionalEmbedding({max_len}, {d}) has shape {tuple(weight.shape)}, expected {(max_len, d)}",
    )
    check_true(weight.requires_grad, "weight should be trainable (requires_grad=True)")
    return module


def test_learned_forward_and_gradient(learner):
    """LearnedPositionalEmbedding adds row t of its weight to position t; only rows 0..T-1 get gradient"""
    module = _learned(learner, 10, 4)
    g = torch.Generator().manual_seed(2)
    table = torch.randn(10, 4, generator=g)
    with torch.no_grad():
        module.weight.copy_(table)
    x = torch.randn(2, 6, 4, generator=g)
    out = module(x)
    check_close(
        out,
        x + table[:6],
        name="LearnedPositionalEmbedding(10, 4) applied to x of shape (2, 6, 4)",
        rtol=1e-5,
        atol=1e-5,
        mistakes={
            "adding the last T rows of the weight instead of the first T": x + table[-6:],
            "adding row 0 to every position": x + table[0],
        },
    )
    out.sum().backward()
    check_true(module.weight.grad is not None, "no gradient reached weight: do not detach it")
    expected = torch.zeros(10, 4)
    expected[:6] = 2.0  # each used row receives one gradient per sequence in the batch
    check_close(
        module.weight.grad,
        expected,
        name="the gradient of weight after out.sum().backward() with B=2, T=6",
        rtol=1e-6,
        atol=1e-6,
    )


def test_learned_rejects_long_sequences(learner):
    """LearnedPositionalEmbedding raises ValueError when T > max_len"""
    module = _learned(learner, 5, 4)
    x = torch.zeros(1, 7, 4)
    try:
        module(x)
    except ValueError:
        return
    except Exception as exc:  # noqa: BLE001 - any other error is the learner's to see
        raise GradeFailure(
            f"with T=7 > max_len=5, LearnedPositionalEmbedding raised {type(exc).__name__}: {exc}; "
            "raise ValueError (with a message) instead"
        ) from None
    raise GradeFailure(
        "with T=7 > max_len=5, LearnedPositionalEmbedding returned a value: it has no vector for positions 5 and 6, "
        "so raise ValueError"
    )


def test_relative_shift_matrix(learner):
    """relative_shift_matrix(k) rotates each (sin, cos) pair so that PE[p + k] == M @ PE[p]"""
    d = 8
    for k in (3, -2):
        m = learner.relative_shift_matrix(k, d)
        check_true(isinstance(m, torch.Tensor), f"relative_shift_matrix should return a tensor, got {type(m).__name__}")
        check_close(
            m,
            _shift(k, d),
            name=f"relative_shift_matrix({k}, {d})",
            rtol=0,
            atol=ATOL_TABLE,
            mistakes={
                f"the transposed matrix, or sine terms with the wrong signs (it shifts by {-k} positions, "
                f"not {k})": _shift(k, d).T,
            },
        )
        pe = _table(40, d)
        p = torch.arange(5, 30)
        check_close(
            (m.double() @ pe[p].T).T,
            pe[p + k],
            name=f"M @ PE[p] for M = relative_shift_matrix({k}, {d}), compared with PE[p + {k}]",
            rtol=0,
            atol=ATOL_TABLE,
        )
