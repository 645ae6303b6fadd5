"""Values remembered for the length of one request and no longer (the KIS settings): every
worker process reads them again on its next request, so an edit is seen everywhere at once.
Outside a request nothing is remembered. ``RequestMemoMiddleware`` opens and closes the memo."""

from collections.abc import Callable
from typing import Any

from asgiref.local import Local

_state = Local()


def remember(key: str, read: Callable[[], Any]) -> Any:
    values = getattr(_state, "values", None)
    if values is None:  # not inside a request
        return read()
    if key not in values:
        values[key] = read()
    return values[key]


def forget(key: str) -> None:
    values = getattr(_state, "values", None)
    if values is not None:
        values.pop(key, None)


class RequestMemoMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _state.values = {}
        try:
            return self.get_response(request)
        finally:
            _state.values = None
