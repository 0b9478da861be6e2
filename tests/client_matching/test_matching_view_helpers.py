"""Service helpers the Client Matching views call (moved out of the blueprint)."""
from __future__ import annotations

from models.matching_state import CreationStatus, PendingCreation, QboCustomerCopy
from services import client_matching as cm
from services.client_matching import creation as cc

REALM = "4620816365000001"


def test_keep_current_choice_puts_the_chosen_customer_back_on_top(db):
    db.session.add_all([QboCustomerCopy(realm_id=REALM, qbo_id="7", display_name="Abbott, Ann"),
                        QboCustomerCopy(realm_id="other", qbo_id="8", display_name="Baker, Bob")])
    db.session.commit()
    found = [("9", "Zimmer, Otto", "name")]
    options = cm.keep_current_choice(REALM, list(found), "7")
    assert [o[0] for o in options] == ["7", "9"] and options[0][2] == "current choice"
    assert cm.keep_current_choice(REALM, list(found), "9") == found      # already listed
    assert cm.keep_current_choice(REALM, list(found), "8") == found      # another company's
    assert cm.keep_current_choice(REALM, list(found), "") == found
    assert cm.taken_display_names(REALM) == {"Abbott, Ann"}


def test_has_pending_sees_only_this_realms_waiting_creations(db):
    assert not cc.has_pending(REALM)
    row = PendingCreation(realm_id=REALM, link_kind="client", display_name="New, Nora", body="{}",
                          request_id="r-1", bid="b1", status=CreationStatus.FAILED)
    db.session.add(row)
    db.session.commit()
    assert not cc.has_pending(REALM)
    row.status = CreationStatus.PENDING
    db.session.commit()
    assert cc.has_pending(REALM) and not cc.has_pending("other")
