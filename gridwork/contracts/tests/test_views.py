"""The contracts' pages as the right and the wrong users: staff (list, start, a contract and its moves, clauses,
performance, evaluation, export, a clause from a match), the unit's contacts (their contracts, propose, sign,
perform, evaluate), and the public board (no personal data). Scope attacks get 404; forged POSTs change nothing."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from openpyxl import load_workbook

from gridwork.accounts.models import User
from gridwork.contracts import services
from gridwork.contracts.models import (
    Clause,
    Contract,
    ContractEvent,
    ContractParty,
    ContractState,
    Evidence,
    Performance,
)
from gridwork.contracts.tests.factories import (
    NAMES,
    PHONES,
    ContractWorld,
    days,
    draft,
    evaluating,
    fresh,
    jpeg,
    make_match,
    pdf,
    published,
    signed,
)

pytestmark = pytest.mark.django_db

PHONE_PATTERNS = (
    re.compile(r"1[3-9]\d{9}"),
    re.compile(r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}"),
    re.compile(r"1[3-9]\d[*xX×]{4}\d{4}"),
    re.compile(r"\d{3}\*{4}\d{4}"),
)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def client_of(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def html(response: Any) -> str:
    return str(response.content.decode())


def leaks(page: str) -> list[str]:
    """Phone numbers (whole, spaced or masked) and people's names found in ``page``."""
    found = [match.group(0) for pattern in PHONE_PATTERNS for match in pattern.finditer(page)]
    return found + [text for text in (*NAMES, *PHONES) if text in page]


def performed(world: ContractWorld) -> Contract:
    """Clause 1 performed with a photo; the photo is written when the record commits (run here, in the test's
    transaction that never commits)."""
    contract = published(world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.clause_perform(
            actor=world.unit_user,
            contract=contract,
            clause=contract.clauses.get(position=1),
            side=ContractParty.UNIT,
            performed_on=days(-101),
            note="义诊已开展，联系人赵经理13912345678",
            files=[jpeg()],
        )
    return fresh(contract)


# --- staff ------------------------------------------------------------------------------------------------------------


def test_staff_list_filters_and_shows_progress(world: ContractWorld) -> None:
    mine = performed(world)
    other = services.contract_start(
        actor=world.staff2, community=world.tree.community2, unit=world.unit2, title="秋实共建"
    )
    client = client_of(world.staff)
    page = html(client.get(reverse("contracts:list")))
    assert mine.number in page
    assert other.number not in page
    assert "1 / 2" in page
    assert mine.number not in html(client.get(reverse("contracts:list"), {"state": "negotiating"}))
    assert mine.number in html(client.get(reverse("contracts:list"), {"stage": "perform"}))
    assert mine.number not in html(client.get(reverse("contracts:list"), {"stage": "sign"}))
    assert mine.number in html(client.get(reverse("contracts:list"), {"unit": "人民医院"}))
    assert mine.number not in html(client.get(reverse("contracts:list"), {"expiring": "on"}))
    soon = published(world, term_start=days(-300), term_end=days(10))
    expiring = html(client.get(reverse("contracts:list"), {"expiring": "on"}))
    assert soon.number in expiring
    assert mine.number not in expiring
    # The street sees both communities' contracts.
    street = html(client_of(world.street_staff).get(reverse("contracts:list")))
    assert mine.number in street
    assert other.number in street


def test_staff_start_a_contract_and_draft_clauses(world: ContractWorld) -> None:
    client = client_of(world.staff)
    response = client.post(
        reverse("contracts:new"),
        {
            "community": world.tree.community.pk,
            "unit": world.far_unit.pk,
            "title": "共建",
            "term_start": "",
            "term_end": "",
        },
    )
    assert response.status_code == 400  # the far unit is not offered
    assert not Contract.objects.exists()
    response = client.post(
        reverse("contracts:new"),
        {
            "community": world.tree.community.pk,
            "unit": world.unit.pk,
            "title": "共建健康社区",
            "term_start": days(-10).isoformat(),
            "term_end": days(355).isoformat(),
        },
    )
    contract = Contract.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("contracts:detail", args=[contract.pk])
    response = client.post(
        reverse("contracts:clause-new", args=[contract.pk]),
        {
            "version": contract.version,
            "menu": "service",
            "done_by": "unit",
            "content": "义诊",
            "due_on": days(400).isoformat(),
            "measure": "4次",
            "field": "health",
        },
    )
    assert response.status_code == 400
    assert 'data-testid="error-due_on"' in html(response)
    response = client.post(
        reverse("contracts:clause-new", args=[contract.pk]),
        {
            "version": contract.version,
            "menu": "service",
            "done_by": "unit",
            "content": "义诊",
            "due_on": days(100).isoformat(),
            "measure": "4次",
            "field": "health",
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get()
    assert clause.proposed_by == ContractParty.COMMUNITY
    page = html(client.get(reverse("contracts:detail", args=[contract.pk])))
    assert "义诊" in page
    assert 'data-testid="form-sign"' in page


def test_staff_and_unit_sign_publish_and_the_board_shows_it(world: ContractWorld) -> None:
    contract = draft(world)
    staff, unit = client_of(world.staff), client_of(world.unit_user)
    response = staff.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "sign", "sign-version": contract.version}
    )
    assert response.status_code == 302
    page = html(unit.get(reverse("unit_contracts:detail", args=[contract.pk])))
    assert 'data-testid="form-sign"' in page
    assert "社区小刘" not in page  # the community's signer is "春晖社区 staff" to the unit
    response = unit.post(
        reverse("unit_contracts:detail", args=[contract.pk]), {"action": "sign", "sign-version": contract.version}
    )
    assert response.status_code == 302
    contract = fresh(contract)
    assert contract.state == ContractState.SIGNED
    assert client_of(None).get(reverse("public_contracts:detail", args=[contract.number])).status_code == 404
    # The unit cannot publish (a forged POST): refused, nothing changes.
    response = unit.post(
        reverse("unit_contracts:detail", args=[contract.pk]), {"action": "publish", "publish-version": contract.version}
    )
    assert response.status_code == 403
    assert fresh(contract).state == ContractState.SIGNED
    response = staff.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "publish", "publish-version": contract.version}
    )
    assert response.status_code == 302
    assert fresh(contract).state == ContractState.PERFORMING
    assert client_of(None).get(reverse("public_contracts:detail", args=[contract.number])).status_code == 200


def test_a_stale_or_illegal_move_shows_why(world: ContractWorld) -> None:
    contract = draft(world)
    client = client_of(world.staff)
    response = client.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "publish", "publish-version": contract.version}
    )
    assert response.status_code == 409
    assert 'data-testid="refusal"' in html(response)
    services.contract_comment(actor=world.unit_user, contract=contract, side=ContractParty.UNIT, note="请再改")
    response = client.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "sign", "sign-version": contract.version}
    )
    assert response.status_code == 409
    assert fresh(contract).community_signed_at is None
    response = client.post(reverse("contracts:detail", args=[contract.pk]), {"action": "explode"})
    assert response.status_code == 400


def test_performance_without_evidence_is_a_400_naming_the_field(world: ContractWorld) -> None:
    contract = published(world)
    clause = contract.clauses.get(position=2)  # the community's
    client = client_of(world.staff)
    url = reverse("contracts:clause-perform", args=[contract.pk, clause.pk])
    response = client.post(url, {"performed_on": days(0).isoformat(), "note": "活动室已开放", "completes": "on"})
    assert response.status_code == 400
    assert 'data-testid="error-evidence"' in html(response)
    assert not Performance.objects.exists()
    assert Clause.objects.get(pk=clause.pk).performed_on is None
    response = client.post(
        url,
        {"performed_on": days(0).isoformat(), "note": "活动室已开放", "completes": "on", "evidence": [pdf(), jpeg()]},
    )
    assert response.status_code == 302
    assert Evidence.objects.count() == 2
    assert Clause.objects.get(pk=clause.pk).performed_on == days(0)
    # The unit's clause is not the community's to record.
    unit_clause = contract.clauses.get(position=1)
    response = client.post(
        reverse("contracts:clause-perform", args=[contract.pk, unit_clause.pk]),
        {"performed_on": days(0).isoformat(), "note": "代记", "completes": "on", "evidence": [jpeg()]},
    )
    assert response.status_code == 403
    assert Performance.objects.count() == 1


def test_evidence_is_served_to_those_who_may_see_the_contract_only(world: ContractWorld) -> None:
    contract = performed(world)
    evidence = Evidence.objects.get()
    staff_url = reverse("contracts:evidence", args=[contract.pk, evidence.pk])
    unit_url = reverse("unit_contracts:evidence", args=[contract.pk, evidence.pk])
    response = client_of(world.staff).get(staff_url)
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_of(world.unit_user).get(unit_url).status_code == 200
    assert client_of(world.staff2).get(staff_url).status_code == 404
    assert client_of(world.unit2_user).get(unit_url).status_code == 404
    assert client_of(None).get(staff_url).status_code == 302


def test_evaluation_pages_for_both_parties_close_the_contract(world: ContractWorld) -> None:
    contract = evaluating(world)
    clauses = list(contract.clauses.order_by("position"))
    staff, unit = client_of(world.staff), client_of(world.unit_user)
    response = staff.post(reverse("contracts:evaluate", args=[contract.pk]), {"score": "120"})
    assert response.status_code == 400
    body = html(response)
    assert 'data-testid="error-score"' in body
    assert f'data-testid="error-clause_{clauses[0].pk}"' in body
    data = {"score": "90", **{f"clause_{clause.pk}": "88" for clause in clauses}, "comment": "很好"}
    assert staff.post(reverse("contracts:evaluate", args=[contract.pk]), data).status_code == 302
    assert staff.post(reverse("contracts:evaluate", args=[contract.pk]), data).status_code == 400
    assert unit.post(reverse("unit_contracts:evaluate", args=[contract.pk]), data).status_code == 302
    assert fresh(contract).state == ContractState.CLOSED
    page = html(staff.get(reverse("contracts:detail", args=[contract.pk])))
    assert 'data-testid="score-community">90<' in page


def test_export_is_a_workbook_of_contracts_and_clauses(world: ContractWorld) -> None:
    contract = performed(world)
    response = client_of(world.staff).get(reverse("contracts:export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    contracts, clauses = workbook.worksheets[0], workbook.worksheets[1]
    assert contracts.cell(row=2, column=1).value == contract.number
    assert contracts.max_row == 2
    assert clauses.max_row == 3
    text = " ".join(str(cell.value) for sheet in workbook.worksheets[:2] for row in sheet.iter_rows() for cell in row)
    assert not leaks(text)
    assert client_of(world.unit_user).get(reverse("contracts:export")).status_code == 403
    response = client_of(world.staff).get(reverse("contracts:export"), {"state": "bogus"})
    assert response.status_code == 400


def test_a_match_becomes_a_clause_from_its_page(world: ContractWorld) -> None:
    match = make_match(world)
    url = reverse("contracts:clause-from-match", args=[match.pk])
    client = client_of(world.staff)
    page = html(client.get(url))
    assert "医院志愿医生团队" in page
    response = client.post(
        url,
        {
            "contract": "",
            "title": "共建健康社区",
            "menu": "resource",
            "done_by": "unit",
            "content": "医院志愿医生上门体检",
            "due_on": days(60).isoformat(),
            "measure": "上门体检50人",
            "field": "health",
        },
    )
    assert response.status_code == 302
    clause = Clause.objects.get()
    assert clause.match == match
    assert clause.contract.state == ContractState.NEGOTIATING
    # Another community's staff do not see the match.
    assert client_of(world.staff2).get(url).status_code == 404
    assert client_of(world.grid_worker).get(url).status_code == 403


# --- scope attacks ----------------------------------------------------------------------------------------------------


def _staff_urls(contract: Contract) -> list[str]:
    clause = contract.clauses.order_by("position").first()
    assert clause is not None
    return [
        reverse("contracts:detail", args=[contract.pk]),
        reverse("contracts:clause-new", args=[contract.pk]),
        reverse("contracts:clause-edit", args=[contract.pk, clause.pk]),
        reverse("contracts:clause-perform", args=[contract.pk, clause.pk]),
        reverse("contracts:evaluate", args=[contract.pk]),
    ]


def test_another_community_s_staff_get_404_and_cannot_act(world: ContractWorld) -> None:
    contract = draft(world)
    client = client_of(world.staff2)
    for url in _staff_urls(contract):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "sign", "sign-version": contract.version}
    )
    assert response.status_code == 404
    response = client.post(
        reverse("contracts:detail", args=[contract.pk]),
        {"action": "cancel", "cancel-version": contract.version, "cancel-reason": "x"},
    )
    assert response.status_code == 404
    assert fresh(contract).version == contract.version
    assert fresh(contract).state == ContractState.NEGOTIATING


def test_a_grid_worker_below_the_community_does_not_see_its_contracts(world: ContractWorld) -> None:
    contract = draft(world)
    client = client_of(world.grid_worker)
    assert contract.number not in html(client.get(reverse("contracts:list")))
    assert client.get(reverse("contracts:detail", args=[contract.pk])).status_code == 404
    response = client.post(
        reverse("contracts:detail", args=[contract.pk]), {"action": "sign", "sign-version": contract.version}
    )
    assert response.status_code == 404
    # Without MANAGE_PARTY anywhere, the pages that act are refused outright; a unit's contact is no staff.
    assert client.get(reverse("contracts:new")).status_code == 403
    assert client.get(reverse("contracts:clause-new", args=[contract.pk])).status_code == 403
    assert client_of(world.unit_user).get(reverse("contracts:detail", args=[contract.pk])).status_code == 403
    assert fresh(contract).community_signed_at is None


def test_another_unit_s_contact_gets_404_on_the_unit_pages(world: ContractWorld) -> None:
    contract = published(world)
    clause = contract.clauses.get(position=1)
    client = client_of(world.unit2_user)
    urls = [
        reverse("unit_contracts:detail", args=[contract.pk]),
        reverse("unit_contracts:clause-new", args=[contract.pk]),
        reverse("unit_contracts:clause-perform", args=[contract.pk, clause.pk]),
        reverse("unit_contracts:evaluate", args=[contract.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("unit_contracts:clause-perform", args=[contract.pk, clause.pk]),
        {"performed_on": days(-101).isoformat(), "note": "冒充", "completes": "on", "evidence": [jpeg()]},
    )
    assert response.status_code == 404
    assert not Performance.objects.exists()
    assert contract.number not in html(client.get(reverse("unit_contracts:list")))
    # Staff and residents who speak for no unit are refused the unit's pages.
    assert client_of(world.resident).get(reverse("unit_contracts:list")).status_code == 403


def test_a_forged_post_for_a_clause_of_another_contract_changes_nothing(world: ContractWorld) -> None:
    mine = draft(world)
    theirs = services.contract_start(
        actor=world.staff2, community=world.tree.community2, unit=world.unit2, title="秋实共建"
    )
    services.clause_add(
        actor=world.staff2,
        contract=theirs,
        side=ContractParty.COMMUNITY,
        values=services.ClauseValues(
            menu="service", done_by="unit", content="他们的条款", due_on=days(10), measure="1次", field="other"
        ),
        expected_version=theirs.version,
    )
    their_clause = Clause.objects.get(contract=theirs)
    client = client_of(world.staff)
    response = client.post(
        reverse("contracts:detail", args=[mine.pk]),
        {"action": "remove_clause", "remove_clause-clause": their_clause.pk, "remove_clause-version": mine.version},
    )
    assert response.status_code == 403
    assert Clause.objects.filter(pk=their_clause.pk).exists()
    assert client.get(reverse("contracts:clause-edit", args=[mine.pk, their_clause.pk])).status_code == 404


# --- the unit's pages -------------------------------------------------------------------------------------------------


def test_the_unit_proposes_a_clause_and_comments(world: ContractWorld) -> None:
    contract = draft(world)
    client = client_of(world.unit_user)
    listing = html(client.get(reverse("unit_contracts:list")))
    assert contract.number in listing
    response = client.post(
        reverse("unit_contracts:clause-new", args=[contract.pk]),
        {
            "version": contract.version,
            "menu": "special",
            "done_by": "unit",
            "content": "开设健康讲堂",
            "due_on": days(30).isoformat(),
            "measure": "每月1次",
            "field": "health",
        },
    )
    assert response.status_code == 302
    assert Clause.objects.filter(contract=contract, proposed_by=ContractParty.UNIT).count() == 1
    response = client.post(
        reverse("unit_contracts:detail", args=[contract.pk]), {"action": "comment", "comment-note": "希望延长期限"}
    )
    assert response.status_code == 302
    staff_page = html(client_of(world.staff).get(reverse("contracts:detail", args=[contract.pk])))
    assert "希望延长期限" in staff_page
    assert "王联络" in staff_page  # the community staff hold VIEW_PERSONAL_DATA there
    street_page = html(client_of(world.street_staff).get(reverse("contracts:detail", args=[contract.pk])))
    assert "王联络" not in street_page  # street staff do not: masked
    # The unit cannot change the terms (a forged POST).
    response = client.post(
        reverse("unit_contracts:detail", args=[contract.pk]),
        {"action": "terms", "terms-version": fresh(contract).version, "terms-title": "改了", "terms-term_start": ""},
    )
    assert response.status_code == 403
    assert fresh(contract).title == "共建健康社区"


def _term_labels(page: str) -> list[str]:
    """The label of the term on a detail page (the <dt> before ``data-testid="term"``) or the list's column."""
    labels = re.findall(r'<dt[^>]*>([^<]*)</dt><dd[^>]*data-testid="term"', page)
    return labels or re.findall(r"<th>([^<]*)</th><th class=\"text-end\">", page)[-1:]


def test_contract_pages_name_the_term_of_a_contract_not_of_an_office(world: ContractWorld) -> None:
    contract = published(world)
    with translation.override("zh-hans"):
        expected = pgettext("contract", "Term")
    assert expected != "任期"
    pages = [
        (world.staff, reverse("contracts:detail", args=[contract.pk])),
        (world.staff, reverse("contracts:list")),
        (world.unit_user, reverse("unit_contracts:detail", args=[contract.pk])),
        (None, reverse("public_contracts:detail", args=[contract.number])),
    ]
    for user, url in pages:
        client = client_of(user)
        page = html(client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))
        assert _term_labels(page) == [expected], url


# --- the public board -------------------------------------------------------------------------------------------------


def test_the_public_board_shows_the_clauses_and_no_personal_data(world: ContractWorld) -> None:
    contract = performed(world)
    # Staff typed a contact's phone into the clause's wording: the board takes it out.
    Clause.objects.filter(contract=contract, position=2).update(
        content="社区提供活动室，联系电话 139-1234-5678 或 138****5678"
    )
    services.contract_start_evaluation(
        actor=world.staff, contract=contract, reason="提前结束", expected_version=contract.version
    )
    services.contract_rate(actor=world.resident, contract=contract, stars=5, comment="我是张桂兰，电话13800000001")
    anonymous = client_of(None)
    board = html(anonymous.get(reverse("public_contracts:community", args=[world.tree.community.code])))
    assert contract.number in board
    page_response = anonymous.get(reverse("public_contracts:detail", args=[contract.number]))
    assert page_response.status_code == 200
    page = html(page_response)
    assert "每季度为社区老人开展一次义诊" in page
    assert "社区提供活动室" in page
    assert world.unit.name in page
    assert "春晖社区大党委" in page
    assert "[phone number removed]" in page
    assert leaks(page) == []
    assert leaks(board) == []
    # The same scan finds them on a page that does carry them: the check can fail.
    staff_page = html(client_of(world.staff).get(reverse("contracts:detail", args=[contract.pk])))
    assert leaks(staff_page)
    # Signed in as the resident (whose name the header never shows) or as the unit: still nothing personal.
    for user in (world.resident, world.unit_user, world.staff):
        assert leaks(html(client_of(user).get(reverse("public_contracts:detail", args=[contract.number])))) == []


def test_the_public_board_takes_out_landlines_and_service_numbers(world: ContractWorld) -> None:
    contract = performed(world)
    Clause.objects.filter(contract=contract, position=2).update(
        content="社区提供活动室，预约请拨 (0571)87654321 或 0571-8765 4322，热线 400-123-4567",
        measure="每月至少2次，电话：87654323",
    )
    page = html(client_of(None).get(reverse("public_contracts:detail", args=[contract.number])))
    assert "社区提供活动室" in page
    for number in ("87654321", "8765 4322", "400-123-4567", "87654323"):
        assert number not in page
    assert page.count("[phone number removed]") >= 4


def test_the_board_shows_only_published_contracts_of_a_real_community(world: ContractWorld) -> None:
    negotiating = draft(world)
    anonymous = client_of(None)
    assert anonymous.get(reverse("public_contracts:detail", args=[negotiating.number])).status_code == 404
    assert negotiating.number not in html(
        anonymous.get(reverse("public_contracts:community", args=[world.tree.community.code]))
    )
    assert anonymous.get(reverse("public_contracts:community", args=[world.tree.street.code])).status_code == 404
    assert anonymous.get(reverse("public_contracts:community", args=["nope"])).status_code == 404


def test_residents_rate_once_and_only_their_community_s_contracts(world: ContractWorld) -> None:
    contract = evaluating(world)
    url = reverse("public_contracts:rate", args=[contract.number])
    assert client_of(None).post(url, {"stars": "5"}).status_code == 302  # to sign in
    resident = client_of(world.resident)
    assert 'data-testid="rating"' in html(resident.get(reverse("public_contracts:detail", args=[contract.number])))
    assert resident.post(url, {"stars": "9"}).status_code == 400
    assert resident.post(url, {"stars": "4", "comment": "好"}).status_code == 302
    assert resident.post(url, {"stars": "1"}).status_code == 400
    assert client_of(world.outsider).post(url, {"stars": "1"}).status_code == 403
    page = html(client_of(None).get(reverse("public_contracts:detail", args=[contract.number])))
    assert 'data-testid="score-residents">4.0' in page
    assert ContractEvent.objects.filter(subject=contract).count() == fresh(contract).version


def test_the_unit_s_signature_page_is_for_its_own_contracts(world: ContractWorld) -> None:
    contract = signed(world)
    assert client_of(world.unit_user).get(reverse("unit_contracts:detail", args=[contract.pk])).status_code == 200


def test_the_pages_render_in_chinese(world: ContractWorld, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    contract = performed(world)
    clause = contract.clauses.get(position=2)
    staff, unit = client_of(world.staff), client_of(world.unit_user)
    for client, url in [
        (staff, reverse("contracts:list")),
        (staff, reverse("contracts:new")),
        (staff, reverse("contracts:detail", args=[contract.pk])),
        (staff, reverse("contracts:clause-perform", args=[contract.pk, clause.pk])),
        (unit, reverse("unit_contracts:list")),
        (unit, reverse("unit_contracts:detail", args=[contract.pk])),
        (client_of(None), reverse("public_contracts:community", args=[world.tree.community.code])),
        (client_of(None), reverse("public_contracts:detail", args=[contract.number])),
    ]:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, url
        assert 'lang="zh-hans"' in html(response), url
    evaluating_contract = evaluating(world)
    assert staff.get(reverse("contracts:evaluate", args=[evaluating_contract.pk])).status_code == 200
    assert unit.get(reverse("unit_contracts:evaluate", args=[evaluating_contract.pk])).status_code == 200
    negotiating = draft(world)
    first = negotiating.clauses.get(position=1)
    assert staff.get(reverse("contracts:clause-edit", args=[negotiating.pk, first.pk])).status_code == 200
    assert unit.get(reverse("unit_contracts:clause-new", args=[negotiating.pk])).status_code == 200
