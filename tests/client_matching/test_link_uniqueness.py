"""The database itself keeps one link per agency record and realm: the NULL in `payer_id` (or
`client_id`) must not let a second CLIENT or PAYER link for the same record slip past the unique
constraint (NULLs are distinct in SQL), whatever a racing request does."""
import pytest
from sqlalchemy.exc import IntegrityError

from models.agency import Agency, Office
from models.clients import Client, Payer, PayerKind
from models.links import CustomerLink, LinkKind, LinkSource

REALM = "9341453100000099"


@pytest.fixture
def records(db):
    agency = Agency(name="Uniq Care")
    office = Office(agency=agency, name="North", code="N")
    client = Client(code="C1", office=office, first_name="Ann", last_name="Abbott")
    payer = Payer(name="Acme LTC", kind=PayerKind.LTC_INSURANCE)
    db.session.add_all([agency, office, client, payer])
    db.session.commit()
    return client, payer


def _link(kind, customer_id, *, client=None, payer=None, realm=REALM):
    return CustomerLink(realm_id=realm, kind=kind, client_id=client.id if client else None,
                        payer_id=payer.id if payer else None, qbo_customer_id=customer_id,
                        qbo_display_name=f"Customer {customer_id}", source=LinkSource.MANUAL)


@pytest.mark.parametrize("kind", [LinkKind.CLIENT, LinkKind.PAYER])
def test_a_second_link_for_the_same_record_is_refused(db, records, kind):
    client, payer = records
    who = {"client": client} if kind == LinkKind.CLIENT else {"payer": payer}
    db.session.add(_link(kind, "11", **who))
    db.session.commit()
    db.session.add(_link(kind, "12", **who))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.query(CustomerLink).count() == 1


def test_a_second_pair_link_is_refused(db, records):
    client, payer = records
    db.session.add(_link(LinkKind.CLIENT_UNDER_PAYER, "21", client=client, payer=payer))
    db.session.commit()
    db.session.add(_link(LinkKind.CLIENT_UNDER_PAYER, "22", client=client, payer=payer))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_different_kinds_and_realms_may_coexist(db, records):
    client, payer = records
    db.session.add_all([
        _link(LinkKind.CLIENT, "31", client=client),
        _link(LinkKind.CLIENT_UNDER_PAYER, "32", client=client, payer=payer),
        _link(LinkKind.PAYER, "33", payer=payer),
        _link(LinkKind.CLIENT, "34", client=client, realm="another-realm"),
    ])
    db.session.commit()
    assert db.session.query(CustomerLink).count() == 4
