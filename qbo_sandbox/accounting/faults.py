"""QBO's error bodies: the Fault envelope, the gateway's lower-case 401/403 envelope, the XML 429.

Wording follows real responses (see tests/fixtures/qbo/samples); where no sample exists the text is our
best reading of Intuit's docs and is marked UNCONFIRMED.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

INACTIVE_HINT = (
    "Something you're trying to use has been made inactive. Check the fields with accounts, "
    "customers, items, vendors or employees."
)


@dataclass
class Error:
    code: str
    message: str
    detail: str | None = None
    element: str | None = None

    def as_json(self) -> dict:
        body = {"Message": self.message}
        if self.detail is not None:
            body["Detail"] = self.detail
        body["code"] = self.code
        if self.element is not None:
            body["element"] = self.element
        return body


@dataclass
class QboFault(Exception):
    """A validation (or other) fault: becomes HTTP `status` with {"Fault": …}."""

    errors: list[Error]
    status: int = 400
    type: str = "ValidationFault"
    with_time: bool = True  # the 2030 "Invalid ID" body has no `time` field (real sample)
    extra: dict = field(default_factory=dict)

    def fault_json(self) -> dict:
        return {"Error": [e.as_json() for e in self.errors], "type": self.type}


def fault(code, message, detail=None, element=None, **kw) -> QboFault:
    return QboFault([Error(str(code), message, detail, element)], **kw)


# --- named faults ---------------------------------------------------------------------------

def object_not_found(element: str = "") -> QboFault:
    return fault(610, "Object Not Found", "Object Not Found : " + INACTIVE_HINT, element)


def invalid_reference(element: str = "") -> QboFault:
    return fault(2500, "Invalid Reference Id", "Invalid Reference Id : " + INACTIVE_HINT, element)


def required_missing(param: str) -> QboFault:
    return fault(
        2020,
        "Required param missing, need to supply the required value for the API",
        f"Required parameter {param} is missing in the request",
        param,
    )


def invalid_id(value) -> QboFault:
    return fault(2030, "Invalid ID", f"Id should be a valid number. Supplied value:{value}", "Id",
                 with_time=False)


def length_exceeded(element: str, limit: int) -> Error:
    return Error("2050", "Length exceeds limit", f"Length of the field exceeds {limit} chars", element)


def stale_object() -> QboFault:
    return fault(
        5010,
        "Stale Object Error",
        "Stale Object Error : You and Sandbox User were working on this at the same time. "
        "Sandbox User finished before you did, so your work was not saved.",
        "",
    )


def duplicate_name() -> QboFault:
    # No `element` key: the real 6240 for a customer has none (qbo_api
    # spec/vcr/error/validation.yml; its Detail there is "The name supplied already exists. : null").
    return fault(
        6240,
        "Duplicate Name Exists Error",
        "The name supplied already exists. : Another customer, vendor or employee is already "
        "using this \nname. Please use a different name.",
    )


def duplicate_doc_number(doc_number: str, txn_type: str, txn_id) -> QboFault:
    return fault(
        6140,
        "Duplicate Document Number Error",
        "Duplicate Document Number Error : You must specify a different number. This number has "
        f"already been used. DocNumber={doc_number} is assigned to TxnType={txn_type} with "
        f"TxnId={txn_id}",
        "",
    )


def account_period_closed(txn_date: str, close_date: str) -> QboFault:
    # Same code as Stale Object (5010), another Message (PROTOCOL.md §11); Detail UNCONFIRMED past
    # its first sentence.
    return fault(5010, "Account Period Closed",
                 f"The account period has closed. The transaction date {txn_date} is on or before "
                 f"the closing date {close_date}; change the date or the closing date.")


def business_validation(detail: str) -> QboFault:
    return fault(6000, "A business validation error has occurred while processing your request",
                 "Business Validation Error: " + detail, "")


def invalid_query(detail: str) -> QboFault:
    return fault(4001, "Invalid query", detail)


def unsupported_operation(relative: str, full: str) -> QboFault:
    return fault(
        500,
        "Unsupported Operation",
        f"Operation Could not find resource for relative : {relative} of full path: {full} is not "
        "supported.",
    )


def unknown_property(name: str, entity: str, known: list[str]) -> QboFault:
    listed = ", ".join(f'"{k}"' for k in known[:60])
    return fault(
        2010,
        "Request has invalid or unsupported property",
        f'Property Name:Unrecognized field "{name}" (class com.intuit.schema.finance.v3.{entity}), '
        f"not marked as ignorable ({len(known)} known properties: {listed} [truncated]])\n "
        "specified is unsupported or invalid",
    )


def system_error(status: int = 500) -> QboFault:
    # UNCONFIRMED wording: Intuit documents 500 as "resubmit once"; code 10000 is its catch-all.
    return fault(10000, "An application error has occurred while processing your request",
                 "System Failure Error: An unexpected error occurred while accessing or saving "
                 "your data. Please wait a few minutes and try again.", status=status,
                 type="SystemFault")


# --- gateway envelopes (lower-case keys, numeric time) ---------------------------------------

def gateway_body(code: str, message: str, detail: str | None, fault_type: str) -> dict:
    return {
        "warnings": None,
        "intuitObject": None,
        "fault": {
            "error": [{"message": message, "detail": detail, "code": code, "element": None}],
            "type": fault_type,
        },
        "report": None,
        "queryResponse": None,
        "batchItemResponse": [],
        "attachableResponse": [],
        "syncErrorResponse": None,
        "requestId": None,
        "time": int(time.time() * 1000),
        "status": None,
        "cdcresponse": [],
    }


def authentication_failed(detail: str) -> dict:
    return gateway_body("3200", "message=AuthenticationFailed; errorCode=003200; statusCode=401",
                        detail, "AUTHENTICATION")


def authorization_failed() -> dict:
    return gateway_body("3100", "message=AuthorizationFailed; errorCode=003100; statusCode=403",
                        None, "SERVICE")


def coreplus_cap_reached(cap: int) -> dict:
    """The 429 past the monthly CorePlus allowance. Intuit has not published this body
    (UNCONFIRMED); the Message names the cause so a client can tell it from a rate limit."""
    return {"Fault": {"Error": [{
        "Message": "CorePlus monthly limit reached",
        "Detail": f"This app has used its {cap} CorePlus calls (reads) for this month; reads resume "
                  "next month. Writes are not metered.",
        "code": "003001"}], "type": "ThrottleExceeded"}}


def throttle_xml(time_text: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<IntuitResponse time="{time_text}" xmlns="http://schema.intuit.com/finance/v3">\n'
        '  <Fault type="SERVICE">\n'
        '    <Error code="3001">\n'
        "      <Message>message=ThrottleExceeded; errorCode=003001; statusCode=429</Message>\n"
        "      <Detail>The request limit was reached.  Try again later</Detail>\n"
        "    </Error>\n"
        "  </Fault>\n"
        "</IntuitResponse>\n"
    )
