"""What each kind of import file holds: its columns (Chinese header and English key), which are required,
the values allowed, and an example row. The templates, the help on the page and the readers all come from here.

The Chinese headers are the file format, not interface text, so they are not translated; a file may use
either the Chinese header or the English key of a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from gridwork.accounts.roles import Role
from gridwork.party.models import PartyOrgKind
from gridwork.places.models import PlaceLevel

# Chinese spellings accepted for each choice; the first is the one the templates show.
LEVEL_NAMES: dict[str, tuple[str, ...]] = {
    PlaceLevel.CITY: ("城市", "市"),
    PlaceLevel.DISTRICT: ("区", "县", "区县", "区/县"),
    PlaceLevel.STREET: ("街道", "街道办事处"),
    PlaceLevel.COMMUNITY: ("社区", "社区居委会"),
    PlaceLevel.GRID: ("网格",),
    PlaceLevel.MICROGRID: ("微网格", "楼栋"),
    PlaceLevel.HOUSEHOLD: ("户", "住户"),
}
KIND_NAMES: dict[str, tuple[str, ...]] = {
    PartyOrgKind.WORKING_COMMITTEE: ("大工委", "街道大工委", "街道党工委"),
    PartyOrgKind.COMMUNITY_COMMITTEE: ("大党委", "社区大党委", "社区党委"),
    PartyOrgKind.BRANCH: ("党支部", "支部", "网格党支部", "小区党支部"),
    PartyOrgKind.GROUP: ("党小组", "楼栋党小组"),
    PartyOrgKind.CENTRAL_HOUSEHOLD: ("党员中心户",),
    PartyOrgKind.FUNCTIONAL: ("功能型党组织",),
}
ROLE_NAMES: dict[str, tuple[str, ...]] = {
    Role.GRID_WORKER: ("网格员",),
    Role.COMMUNITY_STAFF: ("社区工作人员", "社区工作者"),
    Role.STREET_STAFF: ("街道工作人员",),
    Role.DEPARTMENT_HANDLER: ("部门工作人员", "部门办理人员"),
    Role.DISTRICT_STAFF: ("区级工作人员", "区工作人员"),
    Role.DISPATCH_CENTRE: ("调度中心工作人员", "联合调度中心"),
    Role.CITY_STAFF: ("市级工作人员", "市工作人员"),
    Role.SYSTEM_ADMIN: ("系统管理员",),
    Role.AUDIT_ADMIN: ("审计管理员",),
}

CellType = Literal["text", "code", "integer", "decimal", "boolean", "date", "level", "kind", "role"]


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # Chinese, as in the template
    help: str | Promise
    example: str
    required: bool = False
    type: CellType = "text"
    aliases: tuple[str, ...] = ()

    @property
    def allowed(self) -> tuple[str, ...]:
        """The Chinese spellings a choice column shows in the template (each also accepts the English value)."""
        names = {"level": LEVEL_NAMES, "kind": KIND_NAMES, "role": ROLE_NAMES}.get(self.type)
        return tuple(spellings[0] for spellings in names.values()) if names else ()


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    title: str | Promise
    description: str | Promise
    columns: tuple[Column, ...] = field(default=())
    file_format: Literal["table", "geojson"] = "table"

    @property
    def template_formats(self) -> tuple[str, ...]:
        return ("xlsx", "csv") if self.file_format == "table" else ("geojson",)

    @property
    def upload_extensions(self) -> tuple[str, ...]:
        return (".xlsx", ".csv") if self.file_format == "table" else (".geojson", ".json")

    def column(self, key: str) -> Column:
        return next(column for column in self.columns if column.key == key)


PLACES = ImportSpec(
    kind="places",
    title=_("Places"),
    description=_("Districts, streets, communities, grids, micro-grids and households, with their parents."),
    columns=(
        Column(
            "code",
            "编码",
            _(
                "The place code: 12 digits down to a community, 15 for a grid, 18 for a "
                "micro-grid, 22 for a household; it starts with the parent's digits."
            ),
            "520102003012007",
            required=True,
            type="code",
        ),
        Column("name", "名称", _("The name, up to 100 characters."), "春晖社区第七网格", required=True),
        Column("level", "层级", _("The level of the place."), "网格", required=True, type="level"),
        Column(
            "parent_code",
            "上级编码",
            _("The code of the parent place, in this file or already on the platform; empty only for a city."),
            "520102003012",
            type="code",
        ),
        Column("households", "户数", _("Number of households; empty means 0."), "320", type="integer"),
        Column("population", "人口", _("Number of residents; empty means 0."), "960", type="integer"),
        Column("address", "地址", _("Address, up to 200 characters."), "春晖路7号"),
        Column(
            "latitude", "纬度", _("Latitude of a representative point (WGS-84), −90 to 90."), "26.605", type="decimal"
        ),
        Column(
            "longitude",
            "经度",
            _("Longitude of a representative point (WGS-84), −180 to 180."),
            "106.705",
            type="decimal",
        ),
    ),
)

PARTY_ORGANISATIONS = ImportSpec(
    kind="party_organisations",
    title=_("Party organisations"),
    description=_("Working committees, community committees, branches, groups and central households."),
    columns=(
        Column(
            "code",
            "编码",
            _("A code of your choice that identifies the organisation, up to 40 characters."),
            "DZB520102003012007",
            required=True,
            type="code",
        ),
        Column("name", "名称", _("The name, up to 120 characters."), "春晖社区第七网格党支部", required=True),
        Column("kind", "类型", _("The kind of organisation."), "党支部", required=True, type="kind"),
        Column(
            "parent_code",
            "上级组织编码",
            _(
                "The code of the parent organisation, in this file or already on "
                "the platform; empty only for a working committee."
            ),
            "DDW520102003012",
            type="code",
            aliases=("上级编码",),
        ),
        Column(
            "place_code",
            "地点编码",
            _("The code of the place it serves (a street, community, grid, micro-grid or household)."),
            "520102003012007",
            required=True,
            type="code",
            aliases=("所在地编码", "服务地点编码"),
        ),
        Column("secretary", "书记", _("The secretary's name."), "王建国", aliases=("书记姓名",)),
    ),
)

STAFF = ImportSpec(
    kind="staff",
    title=_("Staff"),
    description=_("Staff accounts with one post each. They set their password through a reset."),
    columns=(
        Column(
            "username",
            "用户名",
            _("The sign-in name: letters, digits, '.', '_' or '-', starting with a letter."),
            "zhang.wei",
            required=True,
        ),
        Column("full_name", "姓名", _("The full name."), "张伟", required=True),
        Column(
            "phone",
            "手机号",
            _("Mainland mobile number, 11 digits."),
            "13812345678",
            required=True,
            type="code",
            aliases=("手机", "手机号码"),
        ),
        Column("role", "角色", _("The role of the post."), "网格员", required=True, type="role"),
        Column(
            "place_code",
            "单位编码",
            _("The code of the place where the post is held."),
            "520102003012007",
            required=True,
            type="code",
        ),
        Column(
            "department_code",
            "部门编码",
            _("The department's code, for department and dispatch-centre roles only."),
            "",
            type="code",
        ),
    ),
)

PARTY_MEMBERS = ImportSpec(
    kind="party_members",
    title=_("Party members"),
    description=_("Members registered with a party organisation; in-service members (在职党员) with their employer."),
    columns=(
        Column("name", "姓名", _("The member's name."), "李红", required=True),
        Column(
            "phone",
            "手机号",
            _("Mainland mobile number, 11 digits; may be empty."),
            "13912345678",
            type="code",
            aliases=("手机", "手机号码"),
        ),
        Column(
            "organisation_code",
            "党组织编码",
            _("The code of the party organisation."),
            "DZB520102003012007",
            required=True,
            type="code",
        ),
        Column(
            "joined_on", "入党日期", _("The date of joining the party, such as 2001-07-01."), "2001-07-01", type="date"
        ),
        Column(
            "in_service",
            "在职党员",
            _("是 for an in-service member, who then needs an employer; otherwise 否."),
            "是",
            type="boolean",
        ),
        Column("employer", "工作单位", _("The employer of an in-service member."), "明川市第一中学"),
        Column(
            "household_code",
            "住户编码",
            _("The code of the member's household, if known (22 digits)."),
            "",
            type="code",
        ),
    ),
)

BOUNDARIES = ImportSpec(
    kind="boundaries",
    title=_("Boundaries"),
    description=_(
        "A GeoJSON FeatureCollection (WGS-84 longitude, latitude): each feature's properties.code names a place "
        "on the platform and its geometry, a Polygon or MultiPolygon, becomes that place's boundary."
    ),
    columns=(
        Column("code", "properties.code", _("The code of an existing place."), "520102003012007", required=True),
        Column(
            "geometry",
            "geometry",
            _("A Polygon or MultiPolygon; grids of one community may not overlap."),
            '{"type": "Polygon", "coordinates": [[[106.70, 26.60], …]]}',
            required=True,
        ),
    ),
    file_format="geojson",
)

SPECS: dict[str, ImportSpec] = {
    spec.kind: spec for spec in (PLACES, PARTY_ORGANISATIONS, STAFF, PARTY_MEMBERS, BOUNDARIES)
}
