"""erroranswers: every error of the drawn tree becomes one answer, decided in one place."""

from __future__ import annotations

import inspect

import pytest
from structlog.testing import capture_logs

from pinrelay import errors
from pinrelay.erroranswers import (
    INTERNAL_MESSAGE,
    STORE_UNAVAILABLE_MESSAGE,
    admin_error_body,
    answer_for,
    segment_error_body,
)
from pinrelay.errors import (
    ConfigError,
    ImportFileError,
    NotFound,
    PinrelayError,
    ResourceNotFound,
    StoreError,
    TooManyRequests,
    UnprocessableEntity,
)


def test_an_http_error_answers_its_status_message_and_details() -> None:
    answer = answer_for(UnprocessableEntity("yaml: bad", details=[{"line": 3}]))
    assert (answer.status, answer.message, answer.details) == (422, "yaml: bad", [{"line": 3}])
    assert admin_error_body(answer) == {
        "error": {"status": 422, "message": "yaml: bad", "details": [{"line": 3}]}
    }


def test_too_many_requests_says_when_to_come_back() -> None:
    answer = answer_for(TooManyRequests("slow down", retry_after_seconds=7))
    assert answer.headers == {"Retry-After": "7"}


def test_a_row_that_vanished_is_a_404_with_the_stores_message() -> None:
    answer = answer_for(NotFound("source src_1 does not exist"))
    assert (answer.status, answer.message) == (404, "source src_1 does not exist")
    assert "details" not in admin_error_body(answer)["error"]


def test_a_failed_commit_is_a_503_that_keeps_the_database_message_in_the_log() -> None:
    with capture_logs() as logs:
        answer = answer_for(StoreError("connection to db.internal:5432 refused"), path="/v1/t")
    assert (answer.status, answer.message) == (503, STORE_UNAVAILABLE_MESSAGE)
    [entry] = logs
    assert entry["action"] == "http.store_unavailable"
    assert "db.internal" in entry["detail"]


def test_a_server_side_error_of_ours_says_nothing_of_its_internals() -> None:
    with capture_logs():
        answer = answer_for(ConfigError("key file /var/lib/pinrelay/secret.key is unreadable"))
    assert (answer.status, answer.message) == (500, INTERNAL_MESSAGE)


def test_an_error_that_is_not_ours_is_a_logged_500() -> None:
    with capture_logs() as logs:
        answer = answer_for(ZeroDivisionError("division by zero"))
    assert answer.status == 500
    assert logs[0]["action"] == "http.unexpected_error"


def test_a_bad_import_file_is_the_callers_to_fix() -> None:
    answer = answer_for(ImportFileError("no column named email"))
    assert (answer.status, answer.message) == (400, "no column named email")


def test_the_segment_body_carries_the_code_the_sdks_read() -> None:
    assert segment_error_body(503, "retry") == {
        "success": False,
        "code": "unavailable",
        "message": "retry",
    }
    assert segment_error_body(418, "odd")["code"] == "error"


ERROR_CLASSES = [
    cls
    for _, cls in inspect.getmembers(errors, inspect.isclass)
    if issubclass(cls, PinrelayError) and cls.__module__ == errors.__name__
]


@pytest.mark.parametrize("cls", ERROR_CLASSES, ids=[c.__name__ for c in ERROR_CLASSES])
def test_every_error_class_is_drawn_in_the_tree_with_an_http_status(
    cls: type[PinrelayError],
) -> None:
    assert cls.__name__ in (errors.__doc__ or "")
    assert 400 <= cls.status_code < 600


def test_not_found_of_the_store_and_of_the_api_answer_alike() -> None:
    store_answer = answer_for(NotFound("integration int_1 does not exist"))
    api_answer = answer_for(ResourceNotFound("integration int_1 does not exist"))
    assert store_answer == api_answer
