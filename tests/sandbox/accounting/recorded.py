"""The recorded QBO traffic (minimul/qbo_api VCR cassettes) as data, and seeding a fresh sandbox
company with the recorded company's objects; test_recorded_traffic.py replays the interactions."""
from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

import yaml

from tests.shared_data import fixture_path

RECORDED = fixture_path("qbo", "recorded", "qbo_api", "spec", "vcr")


# --- the recordings ----------------------------------------------------------------------------

def header_name(name: str) -> str:
    """WebMock's normalisation: `intuit_tid` and `Intuit-Tid` are the same header here."""
    return "-".join(part.capitalize() for part in re.split(r"[-_]", name))


@dataclass
class Recorded:
    cassette: str
    index: int
    method: str
    tail: str                    # path after /v3/company/<realm>/
    params: list[tuple[str, str]]
    body: str | None
    content_type: str | None
    status: int
    headers: dict[str, str]
    text: str

    @property
    def json(self):
        return json.loads(self.text)

    @property
    def request_json(self):
        return json.loads(self.body) if self.body else None


def _tail(path: str) -> str:
    assert path.startswith("/v3/"), path
    rest = path[len("/v3/"):]
    if rest.startswith("company/"):
        rest = rest.split("/", 2)[2]
    return rest


def load_cassettes() -> list[Recorded]:
    out = []
    for path in sorted(RECORDED.glob("**/*.yml")):
        name = str(path.relative_to(RECORDED))
        for index, item in enumerate(yaml.safe_load(path.read_text())["http_interactions"]):
            req, resp = item["request"], item["response"]
            url = urlsplit(req["uri"])
            out.append(Recorded(
                cassette=name, index=index, method=req["method"].upper(), tail=_tail(url.path),
                params=parse_qsl(url.query, keep_blank_values=True),
                body=(req.get("body") or {}).get("string") or None,
                content_type=(req["headers"].get("Content-Type") or [None])[0],
                status=resp["status"]["code"],
                headers={header_name(k): v[0] for k, v in resp["headers"].items()},
                text=(resp.get("body") or {}).get("string") or ""))
    return out


ALL = load_cassettes()
BY_KEY = {(r.cassette, r.index): r for r in ALL}


def recorded_docs(entity: str, cassettes=None) -> dict[str, dict]:
    """The recorded company's `entity` documents by Id, from response bodies (latest wins)."""
    docs = {}
    for rec in ALL:
        if cassettes is not None and rec.cassette not in cassettes:
            continue
        try:
            body = rec.json
        except ValueError:
            continue
        if not isinstance(body, dict):
            continue
        found = list(body.get("QueryResponse", {}).get(entity) or [])
        if isinstance(body.get(entity), dict) and "status" not in body[entity]:
            found.append(body[entity])
        for doc in found:
            docs[doc["Id"]] = doc
    return docs


# --- seeding: the recorded company's objects, re-created through the API ----------------------

# Set by QBO, or defaulted by it and so left out on purpose: the sandbox must add them itself.
SERVER_SET = {"Id", "SyncToken", "MetaData", "domain", "sparse", "FullyQualifiedName", "Balance",
              "BalanceWithJobs", "Level", "Job", "Active", "CurrencyRef", "BillableTime",
              "Vendor1099", "PreferredDeliveryMethod", "Classification", "CurrentBalance",
              "CurrentBalanceWithSubAccounts", "SubAccount"}


@dataclass
class Seeded:
    ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, recorded Id) → ours

    def id(self, entity: str, recorded_id: str) -> str:
        return self.ids[(entity, recorded_id)]


def _writable(api, entity: str, doc: dict, seeded: Seeded) -> dict:
    body = {}
    for key, value in doc.items():
        if key in SERVER_SET:
            continue
        if key.endswith("Addr") and isinstance(value, dict) and "Line1" in value:
            value = {k: v for k, v in value.items() if k not in ("Id", "Lat", "Long")}
        if key == "ParentRef":
            value = {"value": seeded.id(entity, value["value"])}
        if key in ("TermRef", "SalesTermRef"):  # the recorded company's terms: use a starter one
            value = {"value": api.rows("SELECT * FROM Term WHERE Name = 'Net 30'")[0]["Id"]}
        body[key] = value
    return body


def recreate(api, entity: str, docs: dict[str, dict], seeded: Seeded | None = None) -> Seeded:
    """Create `docs` in recorded-Id order (parents first); inactive ones are then made inactive,
    which, as in QBO, leaves them at SyncToken 1."""
    seeded = seeded or Seeded()
    for doc in sorted(docs.values(), key=lambda d: (d.get("Level", 0), int(d["Id"]))):
        body = _writable(api, entity, doc, seeded)
        response = api.post(entity.lower(), body)
        if (response.status_code == 400 and doc.get("ParentRef")
                and response.json()["Fault"]["Error"][0]["code"] == "6240"):
            # Real QBO let sub-customer "Jack Doe" share the DisplayName of a top-level customer
            # (all/customers.yml, Ids 60 and 64); the sandbox keeps DisplayNames unique (left as
            # is, see the report), so this one sub-customer gets a distinct name.
            body["DisplayName"] += " (job)"
            response = api.post(entity.lower(), body)
        created = api.ok(response)[entity]
        if doc.get("Active") is False:
            created = api.ok(api.post(entity.lower(), {
                "Id": created["Id"], "SyncToken": created["SyncToken"], "sparse": True,
                "Active": False}))[entity]
        seeded.ids[(entity, doc["Id"])] = created["Id"]
    return seeded


def recreate_from(api, entity: str, cassettes, seeded=None) -> Seeded:
    return recreate(api, entity, recorded_docs(entity, set(cassettes)), seeded)


def amy(api, seeded: Seeded) -> str:
    """Customer 1 of the recorded company, to whom its invoices belong."""
    recreate(api, "Customer", {"1": recorded_docs("Customer")["1"]}, seeded)
    return seeded.id("Customer", "1")


def services_item(api) -> str:
    return api.rows("SELECT * FROM Item WHERE Name = 'Services'")[0]["Id"]


def invoice_of_100(api, seeded: Seeded) -> dict:
    """The invoice create/invoice.yml made: 100.00 of Services for Amy's Bird Sanctuary."""
    body = BY_KEY[("create/invoice.yml", 0)].request_json
    body["CustomerRef"]["value"] = amy(api, seeded)
    body["Line"][0]["SalesItemLineDetail"]["ItemRef"]["value"] = services_item(api)
    return api.create("Invoice", body)


def real_invoice() -> dict:
    """A real Invoice document (void/invoice.yml), to stand in for SalesReceipt/Estimate rows."""
    return copy.deepcopy(BY_KEY[("void/invoice.yml", 0)].json["Invoice"])
