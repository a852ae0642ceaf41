"""Request hygiene for the API that the typed schema cannot express."""

from __future__ import annotations

from fupin.api.errors import error_response


class RepeatedQueryParameterMiddleware:
    """``?q=a&q=b`` for a single-valued parameter is refused (400), not silently reduced to
    one of its values: no API parameter of Fupin is a list."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            repeated = sorted(k for k in request.GET if len(request.GET.getlist(k)) > 1)
            if repeated:
                return error_response(
                    400, "invalid_input", f"查询参数重复：{'、'.join(repeated)}",
                    [{"field": k, "problem": "repeated"} for k in repeated],
                )
        return self.get_response(request)
