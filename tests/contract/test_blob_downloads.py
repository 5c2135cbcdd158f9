"""The BlobStore download contract, over real HTTP: a presigned GET answers with a download, not a page.

An uploader chooses both the file name and the declared type of what a run saves, so every adapter's
presigned GET must override them: Content-Disposition attachment, and a type that cannot render
active content. The headers only the embedded server can add (nosniff, CSP sandbox) are checked in
tests/functions/test_blob_endpoint.py; S3 cannot set them on a presigned response.
"""

from __future__ import annotations

import httpx
import pytest

from wanllmdb_functions.ports import BlobStore

ACTIVE_CONTENT = [
    ("report.html", "text/html", b"<script>fetch('/api/auth/me')</script>"),
    (
        "chart.svg",
        "image/svg+xml",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    ),
    # A passive name does not make a declared active type safe.
    ("innocent.png", "text/html", b"<script>alert(1)</script>"),
    ("page.xhtml", "application/xhtml+xml", b"<html xmlns='http://www.w3.org/1999/xhtml'/>"),
]


def _get(store: BlobStore, key: str) -> httpx.Response:
    response = httpx.get(store.presign_get(key, expires_s=60).url)
    assert response.status_code == 200, response.text
    return response


@pytest.mark.parametrize(("name", "declared", "body"), ACTIVE_CONTENT, ids=[c[0] for c in ACTIVE_CONTENT])
def test_active_content_downloads_as_an_opaque_attachment(
    served_blob_store: BlobStore, name: str, declared: str, body: bytes
) -> None:
    key = f"files/project=p/run=r/{name}"
    served_blob_store.put(key, body, content_type=declared)
    response = _get(served_blob_store, key)
    assert response.content == body
    expected_type = "image/png" if name.endswith(".png") else "application/octet-stream"
    assert response.headers["content-type"].split(";")[0] == expected_type
    assert response.headers["content-disposition"] == (
        f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    )


def test_passive_types_keep_their_type_and_are_still_attachments(served_blob_store: BlobStore) -> None:
    served_blob_store.put("files/project=p/run=r/metrics.csv", b"a,b\n1,2\n", content_type="text/csv")
    response = _get(served_blob_store, "files/project=p/run=r/metrics.csv")
    assert response.headers["content-type"].split(";")[0] == "text/csv"
    assert response.headers["content-disposition"].startswith("attachment;")


def test_file_names_are_quoted_safely_with_an_rfc_6266_utf8_name(served_blob_store: BlobStore) -> None:
    key = 'files/project=p/run=r/résumé "final"; x.txt'
    served_blob_store.put(key, b"cv")
    disposition = _get(served_blob_store, key).headers["content-disposition"]
    assert disposition == (
        'attachment; filename="r_sum_ _final_; x.txt"; '
        "filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%3B%20x.txt"
    )
