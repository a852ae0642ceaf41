"""The error pages — and, for a request to the API, the API's JSON error body instead (the
client of /api/ reads JSON, whatever failed: a URL that does not exist, CSRF, a body too large,
too many fields, a server error)."""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.shortcuts import render

from fupin.api.errors import error_response

log = logging.getLogger("fupin.errors")


def _api(request) -> bool:
    return request.path.startswith("/api/")


def _answer(request, status: int, code: str, message: str):
    if _api(request):
        return error_response(status, code, message)
    return render(request, "error.html", {"message": message, "code": code}, status=status)


def not_found(request, exception=None):
    if _api(request):
        return error_response(404, "not_found", f"接口不存在：{request.method} {request.path[:200]}")
    return _answer(request, 404, "not_found", "页面不存在")


def forbidden(request, exception=None):
    return _answer(
        request, 403, "forbidden", "您没有权限访问此页面" if not _api(request) else "您没有权限执行此操作"
    )


def bad_request(request, exception=None):
    if isinstance(exception, RequestDataTooBig):
        return _answer(
            request, 413, "too_large", "提交的内容过大：文件请小于页面或接口说明的上限，或分批提交"
        )
    if isinstance(exception, TooManyFieldsSent):
        return _answer(request, 400, "too_many_fields", "提交的字段过多，请分批提交")
    return _answer(request, 400, "bad_request", "请求有误，请检查后重试")


def csrf_failure(request, reason: str = ""):
    if _api(request):
        return error_response(
            403,
            "csrf_failed",
            "CSRF 校验失败：以页面会话调用接口须带 X-CSRFToken 请求头（值取自 csrftoken "
            "Cookie）；或改用 Bearer 令牌",
        )
    return render(
        request,
        "error.html",
        {"message": "页面已过期或来源不明（CSRF 校验失败），请刷新页面后重试", "code": "csrf_failed"},
        status=403,
    )


def server_error(request):
    ref = uuid.uuid4().hex[:12]
    log.error("server error %s on %s %s", ref, request.method, request.path)
    return _answer(request, 500, "internal_error", f"系统内部错误（编号 {ref}），请稍后重试或联系管理员")
