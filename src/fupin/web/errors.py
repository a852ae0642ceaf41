from django.shortcuts import render


def not_found(request, exception=None):
    return render(request, "error.html", {"message": "页面不存在", "code": "not_found"}, status=404)


def forbidden(request, exception=None):
    return render(request, "error.html", {"message": "您没有权限访问此页面", "code": "forbidden"}, status=403)


def server_error(request):
    return render(request, "error.html", {"message": "系统内部错误，请稍后重试或联系管理员", "code": "internal_error"}, status=500)
