"""The report services on both item-store backends (SQLite, and DynamoDB on moto): large specs in
parts, share-link expiry on a frozen clock, the audience rules of the policy; and the pure diff."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.functions.actors import Tenant, build_tenant
from tests.functions.backends import BACKENDS, backend_state
from wanllmdb_functions.core import values
from wanllmdb_functions.core.errors import NotFound
from wanllmdb_functions.core.policy import Permission, permissions_of
from wanllmdb_functions.ports import ItemStore
from wanllmdb_functions.reports.models import ReportCreate, ReportSave, ShareLinkIn, VisibilitySet
from wanllmdb_functions.reports.service import ReportService
from wanllmdb_functions.reports.sharing import ShareLinkService
from wanllmdb_functions.reports.store import split_parts
from wanllmdb_functions.reports.versions import diff_blocks, word_diff

from .conftest import paragraph, spec_of


@pytest.fixture(params=BACKENDS)
def items(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ItemStore]:
    with backend_state(request.param, tmp_path) as state:
        yield state.storage.items


@pytest.fixture
def tenant(items: ItemStore) -> Tenant:
    return build_tenant(items)


def test_a_spec_past_the_item_limit_is_stored_in_parts_and_read_back(tenant: Tenant) -> None:
    reports, owner = ReportService(tenant.items), tenant.caller("owner")
    big = spec_of(*(paragraph(f"p{i}", "é" * 20_000 + str(i)) for i in range(40)))  # ~1.6 MB of UTF-8
    report, created = reports.create(
        owner, tenant.projects["personal-private"], ReportCreate(title="big", spec=big)
    )
    assert created and report.spec == big
    again = reports.save(
        owner, report.id, ReportSave(spec={**big, "blocks": big["blocks"][:3]}, base_version=1)
    )
    assert again.version == 2 and len(again.spec["blocks"]) == 3
    assert reports.get(owner, report.id).spec["blocks"][2] == big["blocks"][2]


def test_split_parts_never_cuts_a_character() -> None:
    text = "aé€😀" * 1000
    parts = split_parts(text, limit=7)
    assert "".join(parts) == text and all(len(p.encode()) <= 7 for p in parts)


def test_a_link_is_not_found_once_expired(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    owner = tenant.caller("owner")
    report, _ = ReportService(tenant.items).create(
        owner, tenant.projects["personal-private"], ReportCreate(title="r")
    )
    links = ShareLinkService(tenant.items)
    link = links.create(owner, report.id, ShareLinkIn(access="view", expires_in_s=60))
    assert links.open(tenant.caller("outsider"), link.token).id == report.id
    later = values.now_utc() + timedelta(seconds=61)
    monkeypatch.setattr(values, "clock", lambda: later)
    with pytest.raises(NotFound):
        links.open(tenant.caller("outsider"), link.token)
    assert links.list(owner, report.id).links == []


def test_audiences_of_the_policy(tenant: Tenant) -> None:
    reports = ReportService(tenant.items)
    report, _ = reports.create(
        tenant.caller("member"), tenant.projects["org-private"], ReportCreate(title="r")
    )

    def readers() -> set[str]:
        head = reports.store.head(report.id)
        ref = reports.access.ref(head)
        return {a for a in ("owner", "org_admin", "member", "viewer", "outsider")
                if Permission.REPORT_READ in permissions_of(tenant.caller(a), ref)}  # fmt: skip

    assert readers() == {"member"}  # a draft
    reports.publish(tenant.caller("member"), report.id)
    assert readers() == {"owner", "org_admin", "member", "viewer"}
    reports.set_visibility(tenant.caller("member"), report.id, VisibilitySet(visibility="public"))
    assert readers() == {"owner", "org_admin", "member", "viewer", "outsider"}
    reports.set_visibility(tenant.caller("member"), report.id, VisibilitySet(visibility="private"))
    assert readers() == {"member"}


def test_word_diff_marks_words_and_rebuilds_both_texts() -> None:
    ops = word_diff("the quick brown fox.", "the slow brown fox!")
    assert "".join(o.text for o in ops if o.op != "insert") == "the quick brown fox."
    assert "".join(o.text for o in ops if o.op != "delete") == "the slow brown fox!"
    assert [o.op for o in ops][:3] == ["equal", "delete", "insert"]


def test_diff_blocks_in_reading_order() -> None:
    before = [paragraph("a", "x"), paragraph("b", "y"), paragraph("c", "z")]
    after = [paragraph("b", "y"), paragraph("c", "z2"), paragraph("a", "x"), paragraph("d", "new")]
    changes = [(c.id, c.change) for c in diff_blocks(before, after)]
    assert changes == [("b", "same"), ("c", "changed"), ("a", "moved"), ("d", "added")]
    gone = [(c.id, c.change) for c in diff_blocks(before, before[1:])]
    assert gone == [("a", "removed"), ("b", "same"), ("c", "same")]
