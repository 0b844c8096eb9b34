"""The retry policy's waits and the names given to downloaded files, without a session."""

from __future__ import annotations

import antsclient as ants
from antsclient._files import safe_filename
from antsclient._retries import Transient, backoff


def test_backoff_grows_caps_and_honours_retry_after() -> None:
    policy = ants.RetryPolicy(initial_backoff=1.0, max_backoff=5.0, jitter=0.0)
    assert [backoff(policy, n, None, 0.5) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]
    hinted = Transient("busy", ambiguous=False, retry_after=3.0)
    assert backoff(policy, 1, hinted, 0.9) == 3.0
    assert backoff(ants.RetryPolicy(initial_backoff=1, jitter=1.0), 1, None, 0.5) == 1.5


def test_safe_filename_limits_length() -> None:
    name = safe_filename("a" * 400 + ".pdf", "x")
    assert len(name) <= 150 and name.endswith(".pdf")
