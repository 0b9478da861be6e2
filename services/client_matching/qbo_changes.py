"""What a bookkeeper's change to a QuickBooks customer does to CareLedger's links (issue 15):

- renamed: the link stays, its remembered name is refreshed;
- merged (QuickBooks deletes the loser and moves its transactions to the survivor): the link
  follows to the survivor, unless the survivor is already linked to another record — then the
  link stays on the loser and needs a person;
- made inactive, or deleted outright: the link stays but needs attention — the client is flagged
  on Client Matching and its invoices cannot be ticked for export until someone re-matches it
  (or the customer is made active again).

A merge is recognised from the invoices it moved (an exported invoice sent to the loser now
names the survivor) or from a webhook's `deletedId`; CDC alone only shows the loser's tombstone.
Needing attention is derived (link + customer state), never stored twice.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from models import CustomerLink
from models.export import InvoiceExport
from models.payments import QboCustomerState, QboInvoiceState


@dataclass(frozen=True)
class Attention:
    reason: str          # plain words, for the matching row and the invoice's missing checkbox
    customer_name: str


def _survivors_from_invoices(realm_id: str, losers: set[str]) -> dict[str, str]:
    """loser → survivor, when every moved exported invoice of the loser names one survivor."""
    rows = db.session.execute(
        select(InvoiceExport.qbo_customer_id, QboInvoiceState.customer_id)
        .join(QboInvoiceState, (QboInvoiceState.realm_id == InvoiceExport.realm_id)
              & (QboInvoiceState.qbo_id == InvoiceExport.qbo_id))
        .where(InvoiceExport.realm_id == realm_id, InvoiceExport.qbo_customer_id.in_(list(losers)),
               QboInvoiceState.deleted.is_(False))).all()
    seen: dict[str, set[str]] = {}
    for sent_to, now_on in rows:
        if now_on and now_on != sent_to:
            seen.setdefault(sent_to, set()).add(now_on)
    return {loser: next(iter(found)) for loser, found in seen.items() if len(found) == 1}


def follow_customer_changes(realm_id: str, changes, states: dict[str, QboCustomerState],
                            merge_hints: dict[str, str]) -> list[str]:
    """Refresh renamed links and move merged ones. Returns notes in plain words. Caller commits."""
    notes: list[str] = []
    links = {link.qbo_customer_id: link for link in db.session.scalars(select(CustomerLink).where(
        CustomerLink.realm_id == realm_id,
        CustomerLink.qbo_customer_id.in_([c.qbo_id for c in changes.customers])))}
    for change in changes.customers:
        link = links.get(change.qbo_id)
        if link is not None and not change.deleted and change.display_name \
                and link.qbo_display_name != change.display_name:
            notes.append(f"Customer {link.qbo_display_name or change.qbo_id} is now called {change.display_name}.")
            link.qbo_display_name = change.display_name
    losers = {c.qbo_id for c in changes.customers if c.deleted}
    if not losers:
        return notes
    survivors = _survivors_from_invoices(realm_id, losers)
    survivors.update({loser: s for loser, s in merge_hints.items() if loser in losers})
    for loser, survivor in survivors.items():
        state = states.get(loser)
        if state is not None:
            state.merged_into_id = survivor
        notes += _follow_link(realm_id, links.get(loser), survivor)
    return notes


def _follow_link(realm_id: str, link: CustomerLink | None, survivor: str) -> list[str]:
    if link is None:
        return []
    taken = db.session.scalar(select(CustomerLink.id).where(
        CustomerLink.realm_id == realm_id, CustomerLink.qbo_customer_id == survivor))
    if taken is not None:
        return [f"Customer {link.qbo_display_name} was merged into a customer already matched to "
                "someone else; the client needs matching again."]
    state = db.session.scalar(select(QboCustomerState).where(
        QboCustomerState.realm_id == realm_id, QboCustomerState.qbo_id == survivor))
    old_name = link.qbo_display_name
    link.qbo_customer_id = survivor
    link.qbo_display_name = state.display_name if state is not None and state.display_name else old_name
    return [f"Customer {old_name} was merged into {link.qbo_display_name}; the match follows it."]


def flagged_links(realm_id: str | None, client_ids=None) -> dict[tuple, Attention]:
    """Links whose QuickBooks customer is inactive or gone, keyed like the mapping's customer
    refs: (kind, client id, payer id) → why, in plain words. One query."""
    from services.mapping.invoice import customer_key

    if not realm_id:
        return {}
    statement = (select(CustomerLink, QboCustomerState)
                 .join(QboCustomerState, (QboCustomerState.realm_id == CustomerLink.realm_id)
                       & (QboCustomerState.qbo_id == CustomerLink.qbo_customer_id))
                 .where(CustomerLink.realm_id == realm_id,
                        (QboCustomerState.active.is_(False)) | (QboCustomerState.deleted.is_(True))))
    if client_ids is not None:
        statement = statement.where(CustomerLink.client_id.in_(list(set(client_ids))))
    answer: dict[tuple, Attention] = {}
    for link, state in db.session.execute(statement).all():
        name = link.qbo_display_name or state.display_name or f"#{state.qbo_id}"
        if state.deleted and state.merged_into_id:
            why = f"QuickBooks customer {name} was merged into one matched to someone else: match again"
        elif state.deleted:
            why = f"QuickBooks customer {name} was deleted in QuickBooks: match again"
        else:
            why = f"QuickBooks customer {name} is inactive in QuickBooks: make it active or match again"
        answer[customer_key(link.kind, link.client_id, link.payer_id)] = Attention(why, name)
    return answer


def attention_for(realm_id: str | None, client_ids=None) -> dict[int, Attention]:
    """Clients with at least one such link (client id → why): the Client Matching flag."""
    answer: dict[int, Attention] = {}
    for key, attention in flagged_links(realm_id, client_ids).items():
        if key[1] is not None:
            answer.setdefault(key[1], attention)
    return answer
