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
                    400,
                    "invalid_input",
                    f"查询参数重复：{'、'.join(repeated)}",
                    [{"field": k, "problem": "repeated"} for k in repeated],
                )
        return self.get_response(request)


MESSAGES = {
    400: ("bad_request", "请求有误"),
    401: ("unauthenticated", "请先登录或提供有效的 API 令牌"),
    403: ("forbidden", "您没有权限执行此操作"),
    404: ("not_found", "接口或对象不存在"),
    405: ("method_not_allowed", "该接口不支持此请求方法"),
    413: ("too_large", "请求体过大"),
    415: ("unsupported_media_type", "不支持的内容类型：请以 application/json 提交"),
}


class JsonErrorsMiddleware:
    """Whatever answers an /api/ request with an error — the framework's own 405, a proxy's page
    rendered by Django — the client gets the API's one error body, in Chinese."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code >= 400
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            code, message = MESSAGES.get(response.status_code, ("error", "请求未能完成"))
            if response.status_code == 405 and response.get("Allow"):
                message += f"（可用：{response['Allow']}）"
            out = error_response(response.status_code, code, message)
            if response.get("Allow"):
                out["Allow"] = response["Allow"]
            return out
        return response
