"""HR scope: an HR user sees the people of their units (with sub-units) and provinces only."""

from sqlalchemy import select

from lms.accounts import service
from lms.accounts.demo import demo_data, load_units
from lms.accounts.models import OrgUnit, Province
from lms.extensions import session
from tests.conftest import make_user


def ids(codes):
    return [session.scalar(select(OrgUnit.id).where(OrgUnit.code == c)) for c in codes]


def province(code):
    return session.scalar(select(Province.id).where(Province.iso_code == code))


def visible(hr):
    return {u.email for u in session.scalars(service.users_in_scope(hr))}


def test_unit_scope_includes_sub_units_and_nothing_else(app):
    load_units(demo_data()["units"])
    ops, cm, dds_data = ids(["DEMO-OPS", "DEMO-PO-CM", "DEMO-DDS-DATA"])
    make_user(email="ops@example.org", org_unit_id=ops)
    make_user(email="cm@example.org", org_unit_id=cm)
    make_user(email="data@example.org", org_unit_id=dds_data)
    make_user(email="nowhere@example.org")
    hr = make_user("hr", email="hr@example.org")
    service.set_scopes(hr, [ops], [])
    assert visible(hr) == {"ops@example.org", "cm@example.org"}


def test_province_scope_and_unions(app):
    load_units(demo_data()["units"])
    (dds_data,) = ids(["DEMO-DDS-DATA"])
    make_user(email="songkhla@example.org", province_id=province("TH-90"))
    make_user(email="bkk@example.org", province_id=province("TH-10"))
    make_user(email="data@example.org", org_unit_id=dds_data, province_id=province("TH-10"))
    hr = make_user("hr", email="hr@example.org")
    service.set_scopes(hr, [], [province("TH-90")])
    assert visible(hr) == {"songkhla@example.org"}
    service.set_scopes(hr, [dds_data], [province("TH-90")])
    assert visible(hr) == {"songkhla@example.org", "data@example.org"}


def test_no_scope_sees_no_one(app):
    make_user(email="someone@example.org")
    hr = make_user("hr", email="hr@example.org")
    assert visible(hr) == set()
