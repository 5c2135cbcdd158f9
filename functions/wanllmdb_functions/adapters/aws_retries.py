"""How every AWS client of the functions retries: botocore's standard mode, with a bounded number of tries.

Standard mode retries throttles (S3 ``503 SlowDown``, DynamoDB ``ProvisionedThroughputExceededException``
and ``ThrottlingException``), 5xx and dropped connections, with exponential backoff and full jitter
(1 s base for throttles, capped at 20 s) under a client-wide retry quota, so a store that stays overloaded
is not hammered. Six tries: with 10% of calls throttled, one call in a million still fails (and the SDK,
which sees a 5xx, tries its request again); the worst case, five backoffs, stays well inside API
Gateway's 29 s in expectation (about 15 s). `tests/e2e/test_faults_at_scale.py` runs 16 runs through it.
"""

from __future__ import annotations

from typing import Any

from botocore.config import Config

__all__ = ["TOTAL_ATTEMPTS", "client_config"]

TOTAL_ATTEMPTS = 6


def client_config(**options: Any) -> Config:
    """A botocore client config with the functions' retry policy (plus `options`, e.g. the signature)."""
    return Config(retries={"mode": "standard", "total_max_attempts": TOTAL_ATTEMPTS}, **options)
