"""The staff pages of the closed loop, as the right and the wrong users: queue, matter page, every move's form,
stale pages, photos, the map and the reporter's data."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gridwork.accounts.models import User
from gridwork.audit.models import AuditEvent
from gridwork.matters.models import Matter, MatterEvent, MatterPhoto
from gridwork.matters.services import matter_transition
from gridwork.matters.tests.factories import LoopStaff, file_in_building, make_loop_staff
from gridwork.matters.workflow import Action, ClosureReason, MatterKind, MatterState, Satisfaction
from gridwork.places.tests.factories import CityTree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def staff(tree: CityTree) -> LoopStaff:
    return make_loop_staff(tree)


def client_for(user: User) -> Client:
    """A signed-in client that asks for English pages, so that the messages can be read by the tests."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def detail_url(matter: Matter) -> str:
    return reverse("matters:detail", args=[matter.number])


def fresh(matter: Matter) -> Matter:
    return Matter.objects.get(pk=matter.pk)


def filed(tree: CityTree, **options: Any) -> Matter:
    options.setdefault("reporter_name", "张三丰")
    options.setdefault("reporter_phone", "13812345678")
    return Matter.objects.get(pk=file_in_building(tree, **options).matter_id)


def act(client: Client, matter: Matter, action: str, fields: dict[str, Any] | None = None, **extra: Any) -> Any:
    """POST one move's form as the page would: prefixed fields, the action, the version the page showed."""
    version = extra.pop("version", fresh(matter).version)
    data: dict[str, Any] = {"action": action, f"{action}-expected_version": version}
    for name, value in (fields or {}).items():
        data[f"{action}-{name}"] = value
    return client.post(detail_url(matter), data, **extra)


def png_upload(name: str = "photo.png", size: int = 24) -> SimpleUploadedFile:
    output = io.BytesIO()
    Image.new("RGB", (size, size), (10, 120, 200)).save(output, format="PNG")
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/png")


def dispatch_to_department(client: Client, tree: CityTree, matter: Matter) -> Any:
    return act(
        client,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.PROFESSIONAL, "urgency": "normal", "lead_unit": f"d:{tree.department.pk}"},
    )


# --- the queue -------------------------------------------------------------------------------------------


def test_queue_tabs_follow_the_users_work(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatcher = client_for(staff.dispatcher)
    page = dispatcher.get(reverse("matters:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="tab-to_dispatch"' in html
    assert detail_url(matter) in html  # the dispatcher's first tab is "to dispatch"
    assert page.context["tab"] == "to_dispatch"
    assert {count.tab: count.count for count in page.context["counts"]}["to_dispatch"] == 1

    grid_worker = client_for(staff.grid_worker).get(reverse("matters:queue"))
    assert 'data-testid="tab-to_dispatch"' not in grid_worker.content.decode()
    assert grid_worker.context["tab"] == "to_accept"

    department = client_for(staff.department)
    assert detail_url(matter) not in department.get(reverse("matters:queue") + "?tab=all").content.decode()
    dispatch_to_department(dispatcher, tree, matter)
    to_accept = department.get(reverse("matters:queue") + "?tab=to_accept")
    assert detail_url(matter) in to_accept.content.decode()
    assert detail_url(matter) not in dispatcher.get(reverse("matters:queue") + "?tab=to_dispatch").content.decode()


def test_queue_filters_are_applied_and_bad_values_are_errors_not_500(tree: CityTree, staff: LoopStaff) -> None:
    urgent = filed(tree, urgency="urgent", title="急事")
    normal = filed(tree, title="平常")
    client = client_for(staff.dispatcher)
    page = client.get(reverse("matters:queue"), {"tab": "all", "urgency": "urgent"})
    html = page.content.decode()
    assert detail_url(urgent) in html
    assert detail_url(normal) not in html
    page = client.get(reverse("matters:queue"), {"tab": "all", "q": normal.number})
    assert [m.pk for m in page.context["page"].items] == [normal.pk]
    bad = client.get(reverse("matters:queue"), {"tab": "nonsense", "kind": "nope", "place": tree.street2.code})
    assert bad.status_code == 200
    assert set(bad.context["form"].errors) == {"kind", "place"}


# --- who may see and do what -------------------------------------------------------------------------------


def test_a_grid_worker_sees_the_matter_but_cannot_dispatch(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    client = client_for(staff.grid_worker)
    page = client.get(detail_url(matter))
    assert page.status_code == 200
    assert 'data-testid="action-dispatch"' not in page.content.decode()
    assert page.context["forms"] == []
    response = dispatch_to_department(client, tree, matter)
    assert response.status_code == 403
    assert "You may not take this step on this matter." in response.content.decode()
    assert (fresh(matter).state, fresh(matter).version) == (MatterState.SUBMITTED, 1)


def test_a_sibling_communitys_staff_gets_404_everywhere(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    MatterPhoto.objects.create(
        matter=matter,
        image="matters/x.png",
        width=1,
        height=1,
        size=1,
        content_type="image/png",
        created_at=matter.created_at,
    )
    photo = matter.photos.get()
    client = client_for(staff.other_community)
    assert client.get(detail_url(matter)).status_code == 404
    assert client.get(reverse("matters:detail-map", args=[matter.number])).status_code == 404
    assert client.get(reverse("matters:photo", args=[matter.number, photo.pk])).status_code == 404
    assert dispatch_to_department(client, tree, matter).status_code == 404
    assert client.post(detail_url(matter), {"action": "reveal_reporter"}).status_code == 404
    assert fresh(matter).version == 1
    assert not AuditEvent.objects.filter(action="matter.reveal_reporter").exists()
    assert detail_url(matter) not in client.get(reverse("matters:queue") + "?tab=all").content.decode()


def test_a_department_handler_sees_only_what_was_dispatched_to_it(tree: CityTree, staff: LoopStaff) -> None:
    ours, other = filed(tree), filed(tree)
    department = client_for(staff.department)
    assert department.get(detail_url(ours)).status_code == 404
    dispatch_to_department(client_for(staff.dispatcher), tree, ours)
    assert department.get(detail_url(ours)).status_code == 200
    assert department.get(detail_url(other)).status_code == 404
    listed = department.get(reverse("matters:queue") + "?tab=all").context["page"].items
    assert [m.pk for m in listed] == [ours.pk]


def test_residents_are_refused_and_anonymous_users_sent_to_sign_in(tree: CityTree) -> None:
    from gridwork.accounts.tests.factories import make_resident_user

    matter = filed(tree)
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en").get(detail_url(matter))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))
    resident = client_for(make_resident_user(phone="13700001111"))
    assert resident.get(detail_url(matter)).status_code == 403
    assert resident.get(reverse("matters:queue")).status_code == 403


# --- the whole loop through the forms -----------------------------------------------------------------------


def test_the_whole_loop_through_the_forms(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatcher, department, operator = (
        client_for(staff.dispatcher),
        client_for(staff.department),
        client_for(staff.operator),
    )

    def step(client: Client, action: str, fields: dict[str, Any] | None = None) -> Matter:
        response = act(client, matter, action, fields)
        assert response.status_code == 302, (action, response.content.decode()[:3000])
        assert response["Location"] == detail_url(matter)
        return fresh(matter)

    page = dispatcher.get(detail_url(matter))
    assert [form.action for form in page.context["forms"]] == [Action.DISPATCH, Action.DISCARD]
    step(
        dispatcher,
        Action.DISPATCH,
        {
            "kind": MatterKind.PROFESSIONAL,
            "urgency": "urgent",
            "lead_unit": f"d:{tree.department.pk}",
            "co_units": [f"p:{tree.community.pk}"],
            "note": "请住建局牵头",
        },
    )
    assert fresh(matter).assignments.get().place == tree.community
    assert step(department, Action.RETURN, {"note": "不属于本部门职责"}).state == MatterState.RETURNED
    assert step(dispatcher, Action.OVERRULE, {"note": "路灯属住建职责"}).state == MatterState.DISPATCHED
    assert step(department, Action.ACCEPT).state == MatterState.IN_PROGRESS
    assert step(department, Action.REQUEST_EXTENSION, {"days": "5", "note": "需采购灯具"}).extension_pending
    decision_form = next(
        form for form in dispatcher.get(detail_url(matter)).context["forms"] if form.action == Action.DECIDE_EXTENSION
    )
    assert decision_form.initial["days"] == 5  # prefilled with the days asked for
    assert step(dispatcher, Action.DECIDE_EXTENSION, {"decision": "approve", "days": "3"}).extension_days == 3
    assert step(department, Action.REPLY, {"text": "已更换灯具"}).state == MatterState.REPLIED
    reopened = step(operator, Action.RATE, {"satisfaction": Satisfaction.UNSATISFIED, "note": "灯还是不亮"})
    assert (reopened.state, reopened.reopen_count) == (MatterState.IN_PROGRESS, 1)
    step(department, Action.REPLY, {"text": "重新接线，已修好"})
    assert step(operator, Action.RATE, {"satisfaction": Satisfaction.SATISFIED}).state == MatterState.TO_VERIFY
    closed = step(dispatcher, Action.VERIFY_CLOSE, {"note": "核查属实"})
    assert (closed.state, closed.closure_reason, closed.return_count, closed.version) == (
        MatterState.CLOSED,
        ClosureReason.RESOLVED,
        1,
        12,
    )
    page = dispatcher.get(detail_url(matter))
    html = page.content.decode()
    assert 'data-testid="read-only"' in html
    assert page.context["forms"] == []
    labels = [entry.label for entry in page.context["timeline"]]
    assert labels[:4] == ["Filed", "Dispatched", "Returned to the dispatcher", "Return overruled"]
    assert len(labels) == 12
    details = {label: value for entry in page.context["timeline"] for label, value in entry.details}
    assert details["Lead unit"] == tree.department.name
    assert details["Co-handling units"] == tree.community.name
    assert details["Days granted"] == "3"
    assert details["Rating"] == "Satisfied"
    assert "灯还是不亮" in html
    assert "重新接线，已修好" in html


def test_a_community_matter_needs_its_consultation_before_the_reply(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree, kind=MatterKind.COMMUNITY)
    community = client_for(staff.community)
    act(
        community,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.COMMUNITY, "urgency": "normal", "lead_unit": f"p:{tree.community.pk}"},
    )
    act(community, matter, Action.ACCEPT)
    refused = act(community, matter, Action.REPLY, {"text": "已协商解决"})
    assert refused.status_code == 400
    assert "needs a community consultation record" in refused.content.decode()
    assert fresh(matter).state == MatterState.IN_PROGRESS
    recorded = act(
        community,
        matter,
        Action.RECORD_CONSULTATION,
        {"date": "2026-11-20", "participants": "居委会、业委会、楼栋长", "decision": "统一更换楼道灯"},
    )
    assert recorded.status_code == 302
    assert act(community, matter, Action.REPLY, {"text": "已协商解决"}).status_code == 302
    details = dict(
        detail for entry in community.get(detail_url(matter)).context["timeline"] for detail in entry.details
    )
    assert details["Participants"] == "居委会、业委会、楼栋长"
    assert details["Date of the consultation"] == "2026-11-20"


def test_a_personal_matter_closes_with_the_residents_agreement(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree, kind=MatterKind.PERSONAL)
    community = client_for(staff.community)
    act(
        community,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.PERSONAL, "urgency": "normal", "lead_unit": f"p:{tree.community.pk}"},
    )
    act(community, matter, Action.ACCEPT)
    missing = act(community, matter, Action.CLOSE_BY_AGREEMENT, {"note": ""})
    assert missing.status_code == 400
    assert 'data-testid="error-note"' in missing.content.decode()
    done = act(community, matter, Action.CLOSE_BY_AGREEMENT, {"note": "11月20日电话确认，居民同意结案"})
    assert done.status_code == 302
    assert (fresh(matter).state, fresh(matter).closure_reason) == (MatterState.CLOSED, ClosureReason.AGREED)


def test_discarding_a_duplicate_names_a_visible_matter(tree: CityTree, staff: LoopStaff) -> None:
    original, repeat = filed(tree), filed(tree)
    client = client_for(staff.dispatcher)
    missing = act(client, repeat, Action.DISCARD, {"reason": ClosureReason.DUPLICATE, "note": "重复"})
    assert missing.status_code == 400
    assert "Name the matter this one duplicates." in missing.content.decode()
    itself = act(
        client, repeat, Action.DISCARD, {"reason": ClosureReason.DUPLICATE, "duplicate_of": repeat.number, "note": "x"}
    )
    assert "A matter cannot duplicate itself." in itself.content.decode()
    done = act(
        client,
        repeat,
        Action.DISCARD,
        {"reason": ClosureReason.DUPLICATE, "duplicate_of": original.number.lower(), "note": "同一路灯"},
    )
    assert done.status_code == 302
    assert (fresh(repeat).closure_reason, fresh(repeat).duplicate_of_id) == (ClosureReason.DUPLICATE, original.pk)
    assert reverse("matters:detail", args=[original.number]) in client.get(detail_url(repeat)).content.decode()


# --- errors, named -------------------------------------------------------------------------------------------


def test_a_stale_page_gets_a_clear_message_and_changes_nothing(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatcher = client_for(staff.dispatcher)
    dispatch_to_department(dispatcher, tree, matter)
    department = client_for(staff.department)
    seen_version = fresh(matter).version  # both handlers open the page at this version
    assert act(department, matter, Action.ACCEPT, version=seen_version).status_code == 302
    after_first = fresh(matter)
    events = MatterEvent.objects.filter(matter=matter).count()
    late = act(department, matter, Action.RETURN, {"note": "不归我们管"}, version=seen_version)
    assert late.status_code == 409
    html = late.content.decode()
    assert 'data-testid="stale"' in html
    assert "This matter was changed by someone else. Reload it and try again." in html
    now = fresh(matter)
    assert (now.state, now.version, now.return_count) == (after_first.state, after_first.version, 0)
    assert MatterEvent.objects.filter(matter=matter).count() == events


def test_service_refusals_are_shown_next_to_their_field(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    client = client_for(staff.dispatcher)
    unit = f"d:{tree.department.pk}"
    same = act(
        client,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.PROFESSIONAL, "urgency": "normal", "lead_unit": unit, "co_units": [unit]},
    )
    assert same.status_code == 400
    assert 'data-testid="error-co_units"' in same.content.decode()
    assert "The lead unit cannot also be a co-handling unit." in same.content.decode()
    elsewhere = act(
        client,
        matter,
        Action.DISPATCH,
        {"kind": MatterKind.PROFESSIONAL, "urgency": "normal", "lead_unit": f"p:{tree.community2.pk}"},
    )
    assert elsewhere.status_code == 400
    assert 'data-testid="error-lead_unit"' in elsewhere.content.decode()
    no_reason = act(client, matter, Action.DISCARD, {"reason": ""})
    assert 'data-testid="error-reason"' in no_reason.content.decode()
    assert fresh(matter).version == 1


def test_a_second_extension_request_is_refused_with_the_reason(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatch_to_department(client_for(staff.dispatcher), tree, matter)
    department = client_for(staff.department)
    act(department, matter, Action.ACCEPT)
    assert act(department, matter, Action.REQUEST_EXTENSION, {"days": "3", "note": "等配件"}).status_code == 302
    page = department.get(detail_url(matter))
    assert Action.REQUEST_EXTENSION not in [form.action for form in page.context["forms"]]  # no second request offered
    again = act(department, matter, Action.REQUEST_EXTENSION, {"days": "3", "note": "再等等"})
    assert again.status_code == 400
    assert "An extension request is already waiting." in again.content.decode()


def test_an_unknown_action_is_a_bad_request(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    assert client_for(staff.dispatcher).post(detail_url(matter), {"action": "teleport"}).status_code == 400


# --- photos -----------------------------------------------------------------------------------------------


def test_a_file_that_is_not_a_photo_is_refused_by_name_before_the_service(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatch_to_department(client_for(staff.dispatcher), tree, matter)
    department = client_for(staff.department)
    act(department, matter, Action.ACCEPT)
    version = fresh(matter).version
    fake = SimpleUploadedFile("invoice.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = act(department, matter, Action.PROGRESS, {"note": "已到现场", "photos": [png_upload(), fake]})
    assert response.status_code == 400
    assert "invoice.jpg is not a readable image." in response.content.decode()
    assert fresh(matter).version == version
    assert not MatterPhoto.objects.exists()


def test_photos_of_a_move_are_saved_shown_and_streamed_to_those_in_scope(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    dispatch_to_department(client_for(staff.dispatcher), tree, matter)
    department = client_for(staff.department)
    act(department, matter, Action.ACCEPT)
    response = act(department, matter, Action.PROGRESS, {"note": "已到现场", "photos": [png_upload("a.png")]})
    assert response.status_code == 302, response.content.decode()[:2000]
    photo = MatterPhoto.objects.get()
    assert photo.event is not None
    assert photo.event.action == Action.PROGRESS
    url = reverse("matters:photo", args=[matter.number, photo.pk])
    assert url in department.get(detail_url(matter)).content.decode()
    streamed = client_for(staff.dispatcher).get(url)
    assert streamed.status_code == 200
    assert streamed["Content-Type"] == "image/png"
    assert streamed["X-Content-Type-Options"] == "nosniff"
    body = b"".join(streamed.streaming_content)  # type: ignore[attr-defined]
    assert Image.open(io.BytesIO(body)).size == (24, 24)
    assert client_for(staff.other_community).get(url).status_code == 404


def test_a_photo_of_another_matter_is_not_found_under_this_number(tree: CityTree, staff: LoopStaff) -> None:
    first, second = filed(tree), filed(tree)
    photo = MatterPhoto.objects.create(
        matter=second,
        image="matters/x.png",
        width=1,
        height=1,
        size=1,
        content_type="image/png",
        created_at=second.created_at,
    )
    client = client_for(staff.dispatcher)
    assert client.get(reverse("matters:photo", args=[first.number, photo.pk])).status_code == 404
    # The file of this row was never written: a missing file is 404 too, never a 500.
    assert client.get(reverse("matters:photo", args=[second.number, photo.pk])).status_code == 404


# --- the page's other parts ---------------------------------------------------------------------------------


def test_the_map_data_is_the_grid_boundary_and_the_pin(tree: CityTree, staff: LoopStaff) -> None:
    tree.microgrid.latitude, tree.microgrid.longitude = 26.605, 106.705
    tree.microgrid.save(update_fields=["latitude", "longitude"])
    matter = filed(tree)
    data = client_for(staff.grid_worker).get(reverse("matters:detail-map", args=[matter.number])).json()
    roles = {feature["properties"]["role"]: feature["geometry"] for feature in data["features"]}
    assert roles["grid"] == tree.grid.boundary
    assert roles["pin"] == {"type": "Point", "coordinates": [106.705, 26.605]}


def test_the_reporter_is_masked_and_showing_is_audited(tree: CityTree, staff: LoopStaff) -> None:
    matter = filed(tree)
    client = client_for(staff.community)
    html = client.get(detail_url(matter)).content.decode()
    assert "张*丰" in html
    assert "138****5678" in html
    assert "13812345678" not in html
    shown = client.post(detail_url(matter), {"action": "reveal_reporter"})
    assert shown.status_code == 200
    assert "13812345678" in shown.content.decode()
    audit = AuditEvent.objects.get(action="matter.reveal_reporter")
    assert (audit.actor, audit.object_id, audit.detail) == (
        staff.community,
        str(matter.pk),
        {"fields": ["name", "phone"]},
    )


def test_the_triage_suggestion_is_shown_to_the_dispatcher_and_prefills_the_form(
    tree: CityTree, staff: LoopStaff
) -> None:
    from gridwork.matters.models import Category, RoutingRule

    lamps = Category.objects.get(code="G1.01.002")  # 路灯, keywords 路灯|灯不亮|照明
    RoutingRule.objects.create(place=tree.district, category=lamps, lead_department=tree.department)
    matter = filed(tree, kind="", text="小区门口的路灯不亮了，灯不亮已经三天。")
    page = client_for(staff.dispatcher).get(detail_url(matter))
    suggestion = page.context["suggestion"]
    assert suggestion.category == lamps
    assert suggestion.unit == tree.department.name
    assert "路灯" in " ".join(suggestion.reasons)
    assert 'data-testid="suggestion"' in page.content.decode()
    dispatch = page.context["forms"][0]
    assert dispatch.initial["lead_unit"] == f"d:{tree.department.pk}"
    assert dispatch.initial["category"] == str(lamps.pk)
    assert client_for(staff.grid_worker).get(detail_url(matter)).context["suggestion"] is None


def test_the_sidebar_links_the_queue_and_the_routing_rules_by_permission(tree: CityTree, staff: LoopStaff) -> None:
    street = client_for(staff.dispatcher).get(reverse("matters:queue")).content.decode()
    assert 'data-testid="nav-matters"' in street
    assert 'data-testid="nav-routing"' in street
    community = client_for(staff.community).get(reverse("matters:queue")).content.decode()
    assert 'data-testid="nav-matters"' in community
    assert 'data-testid="nav-routing"' not in community


def test_matter_transition_is_what_the_page_offers(tree: CityTree, staff: LoopStaff) -> None:
    """The forms on the page are exactly the service's allowed moves, for each user."""
    from gridwork.matters.services import matter_allowed_actions

    matter = filed(tree)
    matter_transition(
        actor=staff.dispatcher,
        matter_id=matter.pk,
        action=Action.DISPATCH,
        data={"kind": "professional", "lead_department_id": tree.department.pk},
    )
    for user in (staff.dispatcher, staff.department, staff.community, staff.grid_worker, staff.operator):
        page = client_for(user).get(detail_url(matter))
        offered = [form.action for form in page.context["forms"]]
        assert offered == matter_allowed_actions(actor=user, matter=fresh(matter)), user
