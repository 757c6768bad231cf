"""MinHash signatures and LSH band keys: estimates, determinism, and the candidate curve."""

from __future__ import annotations

import numpy as np
import pytest

from aggregator.stories import minhash


def sets_with_jaccard(rng: np.random.Generator, size: int, jaccard: float) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of `size` random 64-bit values whose Jaccard similarity is `jaccard` (to rounding)."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    pool = rng.integers(0, 2**63, size=3 * size, dtype=np.uint64)
    common, rest = pool[:shared], pool[shared:]
    a = np.unique(np.concatenate([common, rest[: size - shared]]))
    b = np.unique(np.concatenate([common, rest[size - shared : 2 * (size - shared)]]))
    return a, b


@pytest.mark.parametrize("jaccard", [0.1, 0.3, 0.5, 0.8, 1.0])
def test_signature_estimates_jaccard(jaccard: float) -> None:
    rng = np.random.default_rng(11)
    errors = []
    for _ in range(20):
        a, b = sets_with_jaccard(rng, 400, jaccard)
        true = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
        errors.append(minhash.jaccard_estimate(minhash.signature(a), minhash.signature(b)) - true)
    assert abs(float(np.mean(errors))) < 0.03  # unbiased
    assert max(abs(e) for e in errors) < 0.2  # 128 permutations: standard error about 0.045


def test_signature_is_deterministic_and_serialises() -> None:
    values = np.arange(1000, 1400, dtype=np.uint64)
    sig = minhash.signature(values)
    assert sig.dtype == np.uint32 and sig.shape == (minhash.NUM_PERM,)
    assert np.array_equal(sig, minhash.signature(values.copy()))
    assert np.array_equal(minhash.from_bytes(minhash.to_bytes(sig)), sig)
    assert len(minhash.to_bytes(sig)) == 4 * minhash.NUM_PERM


def test_long_texts_are_hashed_in_chunks_with_the_same_result() -> None:
    values = np.random.default_rng(3).integers(0, 2**63, size=10_000, dtype=np.uint64)
    sig = minhash.signature(values)
    parts = [minhash.signature(values[i : i + 2500]) for i in range(0, 10_000, 2500)]
    assert np.array_equal(sig, np.minimum.reduce(parts))


def test_band_keys_differ_by_band_even_for_equal_rows() -> None:
    sig = np.zeros(minhash.NUM_PERM, dtype=np.uint32)
    keys = minhash.band_keys(sig)
    assert len(keys) == minhash.BANDS and len(set(keys)) == minhash.BANDS
    assert all(-(2**63) <= k < 2**63 for k in keys)


def test_anchor_keys_are_apart_from_band_keys() -> None:
    assert minhash.text_key("anchor", "n:1260万") == minhash.text_key("anchor", "n:1260万")
    assert minhash.text_key("anchor", "n:1260万") != minhash.text_key("anchor", "n:1260")


@pytest.mark.parametrize(("jaccard", "low", "high"), [(0.05, 0.0, 0.02), (0.5, 0.75, 0.97), (0.7, 0.97, 1.0)])
def test_lsh_candidate_rate_follows_the_s_curve(jaccard: float, low: float, high: float) -> None:
    """1-(1-J^4)^32: about 0.0002 at J=0.05, 0.87 at 0.5, 0.9997 at 0.7 (seeded, so the rate is fixed)."""
    rng = np.random.default_rng(5)
    hits = 0
    trials = 300
    for _ in range(trials):
        a, b = sets_with_jaccard(rng, 300, jaccard)
        hits += bool(set(minhash.band_keys(minhash.signature(a))) & set(minhash.band_keys(minhash.signature(b))))
    assert low <= hits / trials <= high


@pytest.mark.parametrize(("size_a", "size_b", "shared"), [(400, 400, 300), (200, 600, 180), (300, 900, 60), (500, 500, 0)])
def test_containment_estimate(size_a: int, size_b: int, shared: int) -> None:
    rng = np.random.default_rng(size_a + size_b + shared)
    pool = rng.integers(0, 2**63, size=size_a + size_b, dtype=np.uint64)
    a = np.unique(pool[:size_a])
    b = np.unique(np.concatenate([pool[:shared], pool[size_a : size_a + size_b - shared]]))
    true = len(np.intersect1d(a, b)) / min(len(a), len(b))
    estimate = minhash.containment_estimate(minhash.signature(a), len(a), minhash.signature(b), len(b))
    # containment = J(|A|+|B|)/(1+J)/min: the error of J (binomial over 128 positions) is magnified by the
    # ratio of the sizes, so the bound is three standard errors of that transformation.
    j = len(np.intersect1d(a, b)) / len(np.union1d(a, b))
    slope = (len(a) + len(b)) / min(len(a), len(b)) / (1 + j) ** 2
    assert abs(estimate - true) <= 3 * slope * max(np.sqrt(j * (1 - j) / minhash.NUM_PERM), 1 / minhash.NUM_PERM)
    assert minhash.containment_estimate(minhash.signature(a), 0, minhash.signature(b), len(b)) == 0.0
