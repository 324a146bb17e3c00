"""Evidence of a self-assessment: checked by content (not by name), photos re-encoded without metadata, stored under a
random name, links only inside the platform, and served only to those who may see the assessment."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from gridwork.places.tests.factories import CityTree
from gridwork.ratings import services
from gridwork.ratings.models import Evidence, EvidenceKind, Round
from gridwork.ratings.tests.factories import Built, assessment_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def client_for(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _add(actor: Any, rating_round: Round, tree: CityTree, **kwargs: Any) -> Evidence:
    assessment = assessment_of(rating_round, tree.community)
    return services.evidence_add(actor=actor, assessment=assessment, expected_version=assessment.version, **kwargs)


def test_a_photo_is_re_encoded_without_metadata_and_renamed(
    tree: CityTree, rating_round: Round, community_staff: Any
) -> None:
    upload = SimpleUploadedFile("../../我的照片.jpg", _jpeg_with_exif(), content_type="image/jpeg")
    evidence = _add(community_staff, rating_round, tree, file=upload)
    assert evidence.kind == EvidenceKind.PHOTO
    stored = evidence.file.name
    assert stored.startswith("ratings/")
    assert "照片" not in stored
    assert ".." not in stored
    content = evidence.file.open("rb").read()
    assert b"SecretCam" not in content
    assert evidence.label == "我的照片.jpg"


def test_a_pdf_is_kept_and_a_disguised_file_refused(tree: CityTree, rating_round: Round, community_staff: Any) -> None:
    evidence = _add(community_staff, rating_round, tree, file=SimpleUploadedFile("总结.pdf", PDF))
    assert evidence.kind == EvidenceKind.DOCUMENT
    assert evidence.file.name.endswith(".pdf")
    with pytest.raises(ValidationError) as refused:
        _add(community_staff, rating_round, tree, file=SimpleUploadedFile("photo.jpg", b"<html><script>x</script>"))
    assert "file" in refused.value.message_dict
    with pytest.raises(ValidationError):
        _add(
            community_staff,
            rating_round,
            tree,
            file=SimpleUploadedFile("a.pdf", PDF.replace(b"/Catalog", b"/Catalog /JavaScript (x)")),
        )


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/no/such/page/"])
def test_links_only_to_pages_of_the_platform(
    tree: CityTree, rating_round: Round, community_staff: Any, link: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        _add(community_staff, rating_round, tree, link=link)
    assert "link" in refused.value.message_dict


def test_evidence_is_served_only_within_scope(
    tree: CityTree, rating_round: Round, community_staff: Any, community2_staff: Any, street_staff: Any
) -> None:
    evidence = _add(community_staff, rating_round, tree, file=SimpleUploadedFile("总结.pdf", PDF))
    url = reverse("ratings:assessment-evidence", args=[evidence.assessment_id, evidence.pk])
    response = client_for(street_staff).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
    assert client_for(community2_staff).get(url).status_code == 404
    # Another assessment's id with this evidence: not found either.
    other = assessment_of(rating_round, tree.community2)
    assert (
        client_for(street_staff).get(reverse("ratings:assessment-evidence", args=[other.pk, evidence.pk])).status_code
        == 404
    )
    assert Client(HTTP_ACCEPT_LANGUAGE="en").get(url).status_code == 302


def test_removed_evidence_is_no_longer_served(tree: CityTree, rating_round: Round, community_staff: Any) -> None:
    evidence = _add(community_staff, rating_round, tree, file=SimpleUploadedFile("总结.pdf", PDF))
    assessment = assessment_of(rating_round, tree.community)
    services.evidence_remove(
        actor=community_staff, assessment=assessment, evidence=evidence.pk, expected_version=assessment.version
    )
    url = reverse("ratings:assessment-evidence", args=[assessment.pk, evidence.pk])
    assert client_for(community_staff).get(url).status_code == 404


def test_only_the_targets_own_unit_adds_evidence(
    tree: CityTree, rating_round: Round, built: Built, community2_staff: Any, street_staff: Any
) -> None:
    from django.core.exceptions import PermissionDenied

    for actor in (community2_staff, street_staff):
        with pytest.raises(PermissionDenied):
            _add(actor, rating_round, tree, link="/staff/")
    assert not Evidence.objects.exists()


def test_uploading_through_the_page(tree: CityTree, rating_round: Round, built: Built, community_staff: Any) -> None:
    assessment = assessment_of(rating_round, tree.community)
    client = client_for(community_staff)
    url = reverse("ratings:assessment-self", args=[assessment.pk])
    response = client.post(
        url,
        {
            "action": "attach",
            "evidence-version": str(assessment.version),
            "evidence-file": SimpleUploadedFile("x.exe", b"MZ\x90\x00binary"),
        },
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()
    response = client.post(
        url,
        {
            "action": "attach",
            "evidence-version": str(assessment.version),
            "evidence-file": SimpleUploadedFile("阵地.jpg", _jpeg_with_exif()),
            "evidence-indicator": str(built.a1.pk),
        },
    )
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.indicator_id == built.a1.pk
    page = client.get(reverse("ratings:assessment", args=[assessment.pk])).content.decode()
    assert reverse("ratings:assessment-evidence", args=[assessment.pk, evidence.pk]) in page
