"""Receivers. A user's grants are cached per process (fupin.accounts.access.grants) under the user's
``grants_stamp``; every change that could alter them gives the stamp a new value, so the next
request — in any process — computes them afresh: a role given or taken away (RoleAssignment
saved or deleted, by the services or the admin), a branch moved or its coverage changed."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from fupin.accounts import twofactor
from fupin.accounts.models import RoleAssignment, User, new_stamp
from fupin.divisions.models import Branch


@receiver(post_save, sender=RoleAssignment)
@receiver(post_delete, sender=RoleAssignment)
def role_changed(sender, instance: RoleAssignment, **kwargs) -> None:
    stamp = new_stamp()
    User.objects.filter(pk=instance.user_id).update(grants_stamp=stamp)
    if RoleAssignment.user.is_cached(instance):  # the caller's own user object sees the change at once
        user = instance.user
        user.grants_stamp = stamp
        user.__dict__.pop("_fupin_grants", None)


@receiver(post_save, sender=Branch)
@receiver(post_delete, sender=Branch)
def branch_changed(sender, **kwargs) -> None:
    # rare (an administrator's change): every bank user's grants are computed again
    User.objects.filter(roles__branch__isnull=False).update(grants_stamp=new_stamp())


@receiver(m2m_changed, sender=Branch.coverage.through)
def coverage_changed(sender, action: str, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        branch_changed(sender)


@receiver(user_logged_in)
def second_factor_owed(sender, request, user, **kwargs) -> None:
    """Whether this sign-in owes a second factor, decided once while the new session is being
    written anyway (a later page would write the session only to remember it)."""
    if request is not None and hasattr(request, "session"):
        request.session[twofactor.SESSION_FREE] = not twofactor.needed(user)
