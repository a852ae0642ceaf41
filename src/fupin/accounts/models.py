"""Users, their role assignments (each bound to a division or a branch) and API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models

from fupin.accounts.roles import ROLE_CHOICES


def new_stamp() -> str:
    import uuid

    return uuid.uuid4().hex


BATCH_USERNAME = "system-cob"  # the nightly batch's own actor for what it posts (no roles, cannot log in)


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=64, blank=True)
    phone = models.CharField("手机号", max_length=32, blank=True)
    # changes whenever the user's roles or the branches they serve change: the key of the
    # per-process cache of grants (fupin.accounts.access.grants)
    grants_stamp = models.CharField(max_length=32, default=new_stamp, editable=False)
    # another system (a bank's core, the county's data platform): acts through API tokens under
    # roles of its own, never signs in to the pages (no usable password)
    is_service_account = models.BooleanField("系统账号", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name() or self.username

    def __str__(self) -> str:
        return self.get_full_name()


class RoleAssignment(models.Model):
    """One role held by a user, bound to a division (and for bank roles, to a branch)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="roles", verbose_name="用户")
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name="辖区"
    )
    branch = models.ForeignKey(
        "divisions.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="网点",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "角色授权"
        verbose_name_plural = "角色授权"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "division", "branch"], name="role_assignment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.division_id}"


class RoleRequest(models.Model):
    """A role that carries money steps, asked for by one administrator and in force only once a
    second one approves it (two-person rule): until then it grants nothing."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_requests", verbose_name="用户"
    )
    role = models.CharField("角色", max_length=32, choices=ROLE_CHOICES)
    division = models.ForeignKey(
        "divisions.Division", on_delete=models.PROTECT, related_name="+", verbose_name="辖区"
    )
    branch = models.ForeignKey(
        "divisions.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="网点",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="申请人"
    )
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    approved = models.BooleanField("批准", null=True, blank=True)
    reason = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "角色授权申请"
        verbose_name_plural = "角色授权申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "division", "branch"],
                condition=models.Q(decided_at__isnull=True),
                name="role_request_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.division_id}（待审批）"


class ApiToken(models.Model):
    """A bearer token for API clients. Only a SHA-256 of the secret is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="用户")
    name = models.CharField("用途", max_length=64)
    prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="签发人"
    )
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    # a person's sign-in over the API expires (None: a token an administrator issued to a system)
    expires_at = models.DateTimeField("失效时间", null=True, blank=True)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


def user_field(*, null: bool = True) -> models.ForeignKey:
    """Who did something (an actor, a decider): protected, no reverse accessor."""
    return models.ForeignKey(User, on_delete=models.PROTECT, null=null, blank=null, related_name="+")
