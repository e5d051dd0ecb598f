import pytest

from nuanxin.accounts.models import Role, User
from nuanxin.core.errors import ApplicationError
from nuanxin.core.scoping import require_jurisdiction, scope_to_jurisdiction
from nuanxin.geo.models import Region
from tests.factories import UserFactory, staff

# role, the region of the small test city it is bound to, the regions it must see.
CASES = [
    (Role.CITY_ADMIN, "city", None),
    (Role.COUNTY_ADMIN, "A", "A"),
    (Role.STREET_ADMIN, "B2", "B2"),
    (Role.COMMUNITY_STAFF, "A1b", "A1b"),
]


def _names_under(tree, root_name):
    if root_name is None:
        return set(tree.regions)
    return {name for name in tree.regions if name.startswith(root_name)}


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "bound_to", "subtree_root"), CASES)
def test_staff_role_sees_exactly_its_region_subtree(tree, role, bound_to, subtree_root):
    user = staff(role, tree[bound_to])

    seen = set(scope_to_jurisdiction(Region.objects.all(), user, region_field=None))

    expected = {tree[name] for name in _names_under(tree, subtree_root)}
    assert seen == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "bound_to", "subtree_root"), CASES)
def test_staff_role_sees_exactly_the_workers_living_in_its_subtree(
    tree, role, bound_to, subtree_root
):
    workers = {name: UserFactory(region=tree[name]) for name in tree.regions if "-" in name}
    user = staff(role, tree[bound_to])

    seen = set(scope_to_jurisdiction(User.objects.filter(role=Role.WORKER), user))

    expected = {w for name, w in workers.items() if name in _names_under(tree, subtree_root)}
    assert seen == expected
    assert len(seen) == {None: 16, "A": 8, "B2": 4, "A1b": 2}[subtree_root]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.WORKER, Role.STATION_KEEPER, Role.ENTERPRISE_LIAISON])
def test_roles_without_a_jurisdiction_see_nothing(tree, role):
    user = UserFactory(role=role, region=tree["A1a"])

    assert not scope_to_jurisdiction(Region.objects.all(), user, region_field=None).exists()


@pytest.mark.django_db
def test_superuser_sees_everything(tree):
    root = User.objects.create_superuser("13700000000", "pw-long-enough-1")

    assert scope_to_jurisdiction(Region.objects.all(), root, region_field=None).count() == len(
        tree.regions
    )


@pytest.mark.django_db
def test_community_staff_cannot_act_in_the_next_community(tree):
    user = staff(Role.COMMUNITY_STAFF, tree["A1a"])

    require_jurisdiction(user, tree["A1a-2"])
    with pytest.raises(ApplicationError) as error:
        require_jurisdiction(user, tree["A1b"])
    assert error.value.code == "auth.out_of_jurisdiction"
    assert error.value.status == 403
