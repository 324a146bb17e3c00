from __future__ import annotations

from django.test import override_settings

from gridwork.supervision.checks import check_supervision_settings


def test_sound_settings_pass() -> None:
    assert check_supervision_settings() == []


@override_settings(SUPERVISION_WARN_FRACTION=1.0, SUPERVISION_OFFICE_HOURS=["17:00-09:00"])
def test_a_bad_warning_share_and_bad_office_hours_are_named() -> None:
    ids = sorted(message.id for message in check_supervision_settings())
    assert ids == ["supervision.E001", "supervision.E002"]
