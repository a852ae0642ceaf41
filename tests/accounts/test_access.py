"""Jurisdiction: which divisions each demo role covers, through the one access module."""

import pytest

from fupin.accounts import access
from fupin.accounts.models import User
from fupin.accounts.services import role_assign, user_create
from fupin.core.errors import NotFound, NotPermitted, ValidationFailed
from fupin.divisions.models import Division
from tests.conftest import OTHER_VILLAGE


def codes_visible(user) -> set[str]:
    return set(access.visible(user, Division, "division.view").values_list("code", flat=True))


def test_village_cadre_sees_only_its_village(world):
    assert codes_visible(world.user("village_cadre")) == {world.village}


def test_township_cadre_sees_its_township_and_villages(world):
    seen = codes_visible(world.user("township_cadre"))
    assert world.township in seen and world.village in seen and world.sibling_village in seen
    assert world.other_village not in seen and world.other_township not in seen
    assert all(c.startswith(world.township[:9]) for c in seen)


@pytest.mark.parametrize("role", ["poverty_office", "finance_bureau", "auditor", "sysadmin", "head_office"])
def test_county_roles_see_the_county_not_the_neighbour(world, role):
    seen = codes_visible(world.user(role))
    assert world.other_village in seen and world.village in seen
    assert OTHER_VILLAGE not in seen
    assert all(c.startswith("529901") for c in seen)


@pytest.mark.parametrize("role", ["loan_officer", "branch_director"])
def test_bank_roles_see_their_branch_coverage(world, role):
    seen = codes_visible(world.user(role))
    assert world.village in seen and world.other_village not in seen
    assert all(c.startswith(world.township[:9]) for c in seen)


def test_household_sees_no_divisions(world):
    assert codes_visible(world.user("household")) == set()
    assert not access.may(world.user("household"), "division.view")


def test_may_with_object_and_code(world):
    cadre = world.user("village_cadre")
    own = Division.objects.get(code=world.village)
    other = Division.objects.get(code=world.sibling_village)
    assert access.may(cadre, "division.view", own)
    assert not access.may(cadre, "division.view", other)
    assert not access.may(cadre, "audit.view", code=world.village)


def test_get_visible_hides_out_of_scope_as_not_found(world):
    cadre = world.user("village_cadre")
    with pytest.raises(NotFound):
        access.get_visible(cadre, Division, "division.view", code=world.sibling_village)
    with pytest.raises(NotPermitted):
        access.get_visible(cadre, Division, "audit.view", code=world.village)


def test_inactive_and_anonymous_have_no_grants(world):
    from django.contrib.auth.models import AnonymousUser

    u = User.objects.get(pk=world.user("poverty_office").pk)
    u.is_active = False
    assert access.grants(u) == []
    assert access.grants(AnonymousUser()) == []


def test_user_with_two_roles_gets_the_union(world):
    u = user_create(acting_user=None, username="two", password="x", check_password=False)
    role_assign(acting_user=None, user=u, role="village_cadre", division_code=world.village)
    role_assign(acting_user=None, user=u, role="village_cadre", division_code=world.other_village)
    u = User.objects.get(pk=u.pk)
    assert codes_visible(u) == {world.village, world.other_village}


def test_roles_come_in_the_order_given(world):
    # the menu's role names follow role_codes; PostgreSQL may return a join's rows in any order
    # (a hash join emits unmatched rows — no branch — in its table's order): CI once saw them reversed
    u = user_create(acting_user=None, username="ordered", password="x", check_password=False)
    given = ["village_cadre", "auditor", "township_cadre"]  # neither alphabetical nor the roles' own order
    for role, code in zip(given, [world.village, world.village[:6] + "000000", world.township], strict=True):
        role_assign(acting_user=None, user=u, role=role, division_code=code)
    assert access.role_codes(User.objects.get(pk=u.pk)) == given


def test_role_must_match_division_level(world):
    u = user_create(acting_user=None, username="lvl", password="x", check_password=False)
    with pytest.raises(ValidationFailed) as e:
        role_assign(acting_user=None, user=u, role="village_cadre", division_code=world.township)
    assert e.value.code == "role_level_mismatch"
    with pytest.raises(ValidationFailed) as e:
        role_assign(acting_user=None, user=u, role="loan_officer", division_code=world.township)
    assert e.value.code == "role_branch_required"


def test_sysadmin_cannot_assign_roles_outside_its_county(world):
    admin = world.user("sysadmin")
    u = user_create(acting_user=admin, username="newbie", password="x", check_password=False)
    role_assign(acting_user=admin, user=u, role="village_cadre", division_code=world.village)
    with pytest.raises(NotPermitted):
        role_assign(acting_user=admin, user=u, role="village_cadre", division_code=OTHER_VILLAGE)
    cadre = world.user("village_cadre")
    with pytest.raises(NotPermitted):
        role_assign(acting_user=cadre, user=u, role="village_cadre", division_code=world.village)


def test_scope_query_count_is_bounded(world, django_assert_max_num_queries):
    user = User.objects.get(pk=world.user("head_office").pk)
    with django_assert_max_num_queries(6):
        list(access.visible(user, Division, "division.view"))
        list(access.visible(user, Division, "division.view"))


def test_grants_are_cached_per_process_and_every_change_counts_from_the_next_request(
    world, django_assert_num_queries
):
    """A known user's request costs no query for its grants; a role given or taken away (by the
    service or straight in the database) and a branch's coverage changed each renew the user's
    stamp, so a fresh copy of the user (the next request, in any process) sees the change."""
    from fupin.accounts.models import RoleAssignment
    from fupin.divisions.models import Branch

    def fresh(u):
        return User.objects.get(pk=u.pk)

    cadre = world.user("village_cadre")
    access.grants(fresh(cadre))
    u = fresh(cadre)
    with django_assert_num_queries(0):
        assert access.may(u, "household.view", code=world.village)
    assert not access.may(fresh(cadre), "household.view", code=world.other_village)
    extra = RoleAssignment.objects.create(
        user_id=cadre.pk, role="village_cadre", division_id=world.other_village
    )
    assert access.may(fresh(cadre), "household.view", code=world.other_village)
    extra.delete()
    assert not access.may(fresh(cadre), "household.view", code=world.other_village)
    RoleAssignment.objects.filter(user_id=cadre.pk).delete()
    assert access.grants(fresh(cadre)) == []

    officer = world.user("loan_officer")
    assert access.may(fresh(officer), "repayment.post", code=world.village)
    branch = Branch.objects.get(pk=fresh(officer).roles.get().branch_id)
    branch.coverage.remove(*branch.coverage.filter(code__startswith=world.village[:9]))
    assert not access.may(fresh(officer), "repayment.post", code=world.village)
