"""MinHash signatures and LSH band keys over shingle hashes, vectorised with numpy.

A signature is NUM_PERM 32-bit minima of multiply-shift hashes of the shingle hashes; two articles agree on
one position with probability equal to the Jaccard similarity of their shingle sets. The signature is cut into
BANDS bands of ROWS values; articles sharing any band key are candidates. With 32 bands of 4 rows the chance of
becoming a candidate is 1-(1-J^4)^32: 0.87 at J=0.5, 0.99 at J=0.6, 0.0002 at J=0.05 (docs/stories.md).
"""

from __future__ import annotations

import hashlib

import numpy as np

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
SEED = 20250728  # fixed: stored signatures and band keys are only comparable under the same parameters

_rng = np.random.default_rng(SEED)
_A = _rng.integers(1, 2**63, size=NUM_PERM, dtype=np.uint64) | np.uint64(1)  # odd multipliers
_B = _rng.integers(0, 2**63, size=NUM_PERM, dtype=np.uint64)
_A_COLUMN, _B_COLUMN = _A[:, None].copy(), _B[:, None].copy()  # one row per permutation, broadcast over shingles
_EMPTY = np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32)
_SHIFT = np.uint64(32)
_CHUNK = 4096  # shingles hashed per step, so a very long text never builds a huge matrix
_BAND_HASHERS = [hashlib.blake2b(digest_size=8, person=b"lsh-band" + band.to_bytes(4, "little"))
                 for band in range(BANDS)]
_ANCHOR_HASHER = hashlib.blake2b(digest_size=8, person=b"anchor")


def signature(shingles: np.ndarray) -> np.ndarray:
    """The MinHash signature (NUM_PERM uint32 values) of a set of 64-bit shingle hashes."""
    if shingles.size == 0:
        return _EMPTY.copy()
    least = _least(shingles[:_CHUNK])
    for start in range(_CHUNK, shingles.size, _CHUNK):
        np.minimum(least, _least(shingles[start : start + _CHUNK]), out=least)
    # The shift waits for the minima: x >> 32 is monotonic, so the high bits of the least value are the least high
    # bits, at one shift per permutation instead of one per shingle and permutation.
    return (least >> _SHIFT).astype(np.uint32)


def _least(part: np.ndarray) -> np.ndarray:
    """Per permutation, the least a*x+b (mod 2^64) over the shingles `part`: multiply-shift hashing, whose hash is
    the high 32 bits of that value for an odd a. The product is summed in place (no temporary matrix)."""
    hashed = np.multiply(_A_COLUMN, part)
    hashed += _B_COLUMN
    return hashed.min(axis=1)


def jaccard_estimate(a: np.ndarray, b: np.ndarray) -> float:
    """The share of equal positions of two signatures: an unbiased estimate of the Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def containment_estimate(a: np.ndarray, size_a: int, b: np.ndarray, size_b: int) -> float:
    """Estimated share of the smaller set found in the other, from the signatures and the set sizes.

    |A∩B| = J(|A|+|B|)/(1+J); with 128 positions the estimate of J has a standard error of about 0.045.
    """
    if not size_a or not size_b:
        return 0.0
    j = jaccard_estimate(a, b)
    return j * (size_a + size_b) / (1 + j) / min(size_a, size_b)


def band_keys(sig: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (the band's number is hashed in, so equal rows in two bands differ)."""
    raw = sig.reshape(BANDS, ROWS).tobytes()  # the rows' bytes one band after another (reshape checks the size)
    step = len(raw) // BANDS
    keys = []
    for band, base in enumerate(_BAND_HASHERS):
        digest = base.copy()  # copying a keyed hasher costs less than building one from its parameters
        digest.update(raw[band * step : (band + 1) * step])
        keys.append(int.from_bytes(digest.digest(), "little", signed=True))
    return keys


def text_key(kind: str, value: str) -> int:
    """A signed 64-bit key for an anchor (a figure, a person, a quoted name, the event's day and city)."""
    digest = _ANCHOR_HASHER.copy()
    digest.update(f"{kind}\x1f{value}".encode())
    return int.from_bytes(digest.digest(), "little", signed=True)


def to_bytes(sig: np.ndarray) -> bytes:
    """Serialise a signature for the story_signatures table (little-endian uint32)."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> np.ndarray:
    """Read back a stored signature."""
    return np.frombuffer(data, dtype="<u4").astype(np.uint32)
