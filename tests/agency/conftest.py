"""Fixtures of the agency tests: the fake ANTS search (``fake_search``) and its data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fake_search import FakeSearch, make

import antsclient as ants
from antsclient.models import OnlineRequest


@pytest.fixture
def fake() -> FakeSearch:
    return FakeSearch()


@pytest.fixture
def retry() -> ants.RetryPolicy:
    return ants.RetryPolicy.immediate(attempts=2)


@pytest.fixture(scope="session")
def make_online() -> Callable[..., OnlineRequest]:
    """``make_online(number, **changes)``: a Cerfa 02 under review, linked, at T0 + n min."""
    return make
