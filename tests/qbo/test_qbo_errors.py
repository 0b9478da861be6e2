"""Fault parsing and classification against Intuit's real payloads (tests/fixtures/qbo/samples)."""
from __future__ import annotations


import pytest

from qbo import errors as e
from tests.shared_data import fixture_path

SAMPLES = fixture_path("qbo", "samples")


def sample(name: str) -> bytes:
    return (SAMPLES / name).read_bytes()


@pytest.mark.parametrize("name, status, cls, code", [
    ("qbo_fault_400_duplicate_name_6240.json", 400, e.DuplicateNameError, "6240"),
    ("qbo_fault_400_duplicate_name_6240_taxrate.json", 400, e.DuplicateNameError, "6240"),
    ("qbo_fault_400_invalid_id_2030.json", 400, e.ValidationError, "2030"),
    ("qbo_fault_400_invalid_query_4001.json", 400, e.ValidationError, "4001"),
    ("qbo_fault_400_unsupported_operation_500.json", 400, e.ValidationError, "500"),
    ("qbo_fault_400_unsupported_property_2010.json", 400, e.ValidationError, "2010"),
    ("qbo_fault_400_business_validation_6000.json", 400, e.ValidationError, "6000"),
    ("qbo_fault_400_amount_calc_6070.xml", 400, e.ValidationError, "6070"),
    ("qbo_fault_400_invalid_reference_2500.xml", 400, e.ValidationError, "2500"),
    ("qbo_fault_401_authentication_lowercase_keys.json", 401, e.AuthenticationError, "3200"),
    ("qbo_fault_401_malformed_bearer_token.json", 401, e.AuthenticationError, "3200"),
    ("qbo_fault_403_authorization_failed_3100.json", 403, e.AuthorizationError, "3100"),
    ("qbo_fault_429_throttle_exceeded.xml", 429, e.ThrottledError, "3001"),
])
def test_real_faults_map_to_the_family(name, status, cls, code):
    error = e.error_from_response(status, {"intuit_tid": "1-abc"}, sample(name))
    assert type(error) is cls
    assert error.code == code
    assert error.status == status
    assert error.intuit_tid == "1-abc"
    assert isinstance(error, e.QboError)


def test_validation_keeps_code_element_and_message():
    error = e.error_from_response(400, {}, sample("qbo_fault_400_invalid_id_2030.json"))
    assert (error.code, error.element) == ("2030", "Id")
    assert error.errors[0].message == "Invalid ID"
    assert "Supplied value:1.5" in error.detail
    assert "[2030] Invalid ID" in str(error)


def test_malformed_xml_6070_still_yields_code_element_message_detail():
    # The real sample never closes <Error>; a strict parser would give up on it.
    error = e.error_from_response(400, {}, sample("qbo_fault_400_amount_calc_6070.xml"))
    assert error.element == "Line.Amount"
    assert error.errors[0].message == "Amount calculation incorrect in the request."
    assert error.detail == "Amount is not equal to UnitPrice * Qty. Supplied value:58"
    assert error.fault_type == "ValidationFault"


def test_gateway_lowercase_envelope_reads_message_and_detail():
    error = e.error_from_response(401, {}, sample("qbo_fault_401_authentication_lowercase_keys.json"))
    assert error.errors[0].message.startswith("message=AuthenticationFailed")
    assert error.detail.startswith("Token expired")
    assert error.fault_type == "AUTHENTICATION"


def test_xml_throttle_waits_60_seconds_unless_told_otherwise():
    body = sample("qbo_fault_429_throttle_exceeded.xml")
    assert e.error_from_response(429, {}, body).retry_after == 60
    assert e.error_from_response(429, {"Retry-After": "7"}, body).retry_after == 7
    # and a 429 with no body at all is still "throttled"
    assert isinstance(e.error_from_response(429, {}, b""), e.ThrottledError)


def test_batch_faults_map_per_item():
    import json

    items = json.loads(sample("qbo_batch_response_mixed_faults.json"))["BatchItemResponse"]
    mapped = {}
    for item in items:
        if "Fault" in item:
            fault_type, errors = e.parse_fault({"Fault": item["Fault"]})
            mapped[item["bId"]] = type(e.error_for_fault(errors, fault_type=fault_type))
    assert mapped == {"bid2": e.NotFoundError, "bid3": e.StaleObjectError}


@pytest.mark.parametrize("status, cls", [(500, e.TransientError), (502, e.TransientError),
                                         (503, e.TransientError), (404, e.NotFoundError),
                                         (401, e.AuthenticationError)])
def test_statuses_without_a_fault_body(status, cls):
    error = e.error_from_response(status, {}, b"<html>Bad gateway</html>")
    assert type(error) is cls
    if cls is e.TransientError:
        assert error.ambiguous  # a 5xx may have been committed


def test_duplicate_document_number_6140():
    body = b'{"Fault":{"Error":[{"Message":"Duplicate Document Number Error","Detail":"x","code":"6140","element":""}],"type":"ValidationFault"}}'
    error = e.error_from_response(400, {}, body)
    assert isinstance(error, e.DuplicateDocumentNumberError)
    assert isinstance(error, e.ValidationError)


def test_oauth_invalid_grant_means_reconnect():
    error = e.oauth_error_from_response(400, sample("oauth_token_error_invalid_grant.json"))
    assert isinstance(error, e.ReconnectRequired) and isinstance(error, e.OAuthError)
    assert error.error == "invalid_grant"
    other = e.oauth_error_from_response(401, b'{"error":"invalid_client"}')
    assert not isinstance(other, e.ReconnectRequired)


def test_retry_after_http_date():
    from email.utils import format_datetime
    from datetime import datetime, timedelta, timezone

    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=30), usegmt=True)
    assert 25 <= e.retry_after_seconds(when) <= 31
    assert e.retry_after_seconds("garbage") == 60
