"""Test data for grid visits: staff around the city tree (the grid worker of 春晖社区第一网格, the one of its second
grid, the community's staff, the other community's staff, street staff who look, a department handler who sees
nothing), households in both grids and in the other community, and visits made through the service."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridwork.accounts.models import User
from gridwork.accounts.roles import Role
from gridwork.accounts.tests.factories import make_staff
from gridwork.gridvisits import services
from gridwork.gridvisits.models import GridVisit
from gridwork.places.models import Place, PlaceLevel
from gridwork.places.tests.factories import CityTree, make_place


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


def png(name: str = "现场.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 60)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@dataclass
class VisitWorld:
    tree: CityTree
    grid_worker: User  # grid worker of 春晖社区第一网格 (tree.grid)
    grid2_worker: User  # grid worker of 春晖社区第二网格 (tree.grid2)
    staff: User  # community staff of 春晖社区: records, files matters, posts wishes, registers disputes
    staff2: User  # community staff of 秋实社区
    street: User  # street staff of 望江街道: looks, without personal data
    department: User  # department handler: no grid-visit perms
    household: Place  # 1号楼1单元101 in tree.grid
    neighbour: Place  # 1号楼1单元102 in tree.grid
    household_grid2: Place  # in tree.grid2
    household2: Place  # in 秋实社区


def make_world(tree: CityTree) -> VisitWorld:
    grid_c2 = Place.objects.get(parent=tree.community2, level=PlaceLevel.GRID)
    building2 = make_place("microgrid", grid_c2, 1, "8号楼", address="秋实路8号8号楼")
    building_g2 = make_place("microgrid", tree.grid2, 1, "5号楼", address="春晖路5号5号楼")
    return VisitWorld(
        tree=tree,
        grid_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid, username="grid1", full_name="刘网格"),
        grid2_worker=make_staff(role=Role.GRID_WORKER, place=tree.grid2, username="grid2", full_name="陈网格"),
        staff=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community, username="chunhui", full_name="张社工"),
        staff2=make_staff(role=Role.COMMUNITY_STAFF, place=tree.community2, username="qiushi"),
        street=make_staff(role=Role.STREET_STAFF, place=tree.street, username="wangjiang", full_name="赵街道"),
        department=make_staff(
            role=Role.DEPARTMENT_HANDLER, place=tree.district, username="dept", department=tree.department
        ),
        household=tree.household,
        neighbour=make_place("household", tree.microgrid, 2, "1号楼1单元102", address="春晖路1号1号楼1单元102"),
        household_grid2=make_place("household", building_g2, 1, "5号楼1单元201", address="春晖路5号5号楼1单元201"),
        household2=make_place("household", building2, 1, "8号楼2单元302", address="秋实路8号8号楼2单元302"),
    )


def visit(
    world: VisitWorld,
    *,
    household: Place | None = None,
    by: Any = None,
    visited_on: date | None = None,
    seen: str = "老人独居，屋内整洁，楼道灯坏了。",
    needs: Sequence[str] = ("楼道灯不亮，晚上上下楼不安全",),
    photos: Sequence[Any] = (),
) -> GridVisit:
    return services.visit_record(
        actor=by or world.grid_worker,
        values=services.VisitInput(
            household=household or world.household,
            visited_on=visited_on or days_ago(1),
            seen=seen,
            asked="问了身体情况和用水用电。",
            resolved="帮忙联系了物业。",
            needs=needs,
        ),
        photos=photos,
    )
