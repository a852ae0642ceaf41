"""Maps every exception that can reach the API edge to ``{"code", "message", "details"}``.

Domain errors carry their own code and Chinese message; framework errors (bad JSON,
failed validation, missing authentication) are translated here. Nothing a client
sends may cause a 5xx.
"""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, JsonResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from fupin.core.errors import DomainError

log = logging.getLogger(__name__)


def error_response(status: int, code: str, message: str, details=None) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "details": details},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _validation_details(errors) -> list[dict]:
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        out.append({"field": ".".join(loc), "problem": e.get("msg", ""), "type": e.get("type", "")})
    return out


def install(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return error_response(exc.http_status, exc.code, exc.message, exc.details)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc: ValidationError):
        return error_response(
            400, "invalid_input", "请求参数有误，请检查后重试", _validation_details(exc.errors)
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return error_response(401, "unauthenticated", "请先登录或提供有效的 API 令牌")

    @api.exception_handler(AuthorizationError)
    def authorization_error(request, exc):
        return error_response(403, "forbidden", "您没有权限执行此操作")

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return error_response(404, "not_found", "对象不存在或不在您的辖区内")

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        if exc.status_code == 403 and "csrf" in str(exc).lower():
            return error_response(
                403,
                "csrf_failed",
                "CSRF 校验失败：以页面会话调用接口须带 X-CSRFToken 请求头（值取自 "
                "csrftoken Cookie）；或改用 Bearer 令牌",
            )
        messages = {
            400: "请求有误",
            405: f"该接口不支持 {request.method} 方法",
            413: "请求体过大",
            415: "不支持的内容类型：请以 application/json 提交",
        }
        return error_response(
            exc.status_code, f"http_{exc.status_code}", messages.get(exc.status_code, "请求有误")
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return error_response(413, "too_large", "请求体过大：上限约 40 MB（文件以 base64 放在 JSON 中）")

    @api.exception_handler(Exception)
    def server_error(request, exc: Exception):
        ref = uuid.uuid4().hex[:12]
        log.error("server error %s on %s %s", ref, request.method, request.path, exc_info=exc)
        return error_response(500, "internal_error", f"系统内部错误（编号 {ref}），请稍后重试或联系管理员")
