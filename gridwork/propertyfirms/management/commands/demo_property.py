"""Fill the demo city with property companies, made through the services: a few companies registered by each street
of the estates' first communities, service contracts for most of their estates (one ended early and taken over),
residents' ratings, survey results and community assessments of the last quarters, the property matters in the
estates' grids linked to their companies, and red property recognition where the criteria are met.

It runs after ``demo_estates``: without estates it creates nothing and says so. The same seed gives the same data.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from time import perf_counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gridwork.accounts.models import User, UserKind
from gridwork.accounts.roles import Role
from gridwork.demo.build import demo_staff
from gridwork.demo.fill import DemoFillCommand
from gridwork.demo.identifiers import mobile_number
from gridwork.demo.plan import DEFAULT_SEED
from gridwork.estates.models import Estate
from gridwork.party.models import PartyOrganisation
from gridwork.places.models import Place
from gridwork.propertyfirms import creditcode, selectors, services
from gridwork.propertyfirms.models import ASSESSMENT_ITEMS, PropertyCompany
from gridwork.propertyfirms.quarters import last_quarters, quarter_bounds, quarter_of
from gridwork.propertyfirms.services import CompanyInput

MAX_COMMUNITIES = 4
COMPANIES_PER_STREET = 3
COVERED = 0.9  # the share of estates given a company (the seeds' market coverage is 91.19%)
RATERS = 6
NAMES = ("安居", "和美", "锦城", "惠民", "嘉园", "宜家", "康宁", "万和", "筑梦", "润泽")
SURNAMES = ("李", "王", "张", "刘", "陈", "杨", "赵", "黄")


@dataclass
class Summary:
    communities: list[str] = field(default_factory=list)
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class _Demo:
    def __init__(self, *, seed: int, limit: int, log: Callable[[str], Any]) -> None:
        self.random = random.Random(seed)
        self.limit = limit
        self.log = log
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}

    def count(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def credit_code(self) -> str:
        alphabet = creditcode.ALPHABET
        body = "915201" + "".join(self.random.choice(alphabet) for _ in range(11))
        return creditcode.with_check(body)

    def build(self) -> Summary:
        started = perf_counter()
        communities = list(
            Place.objects.filter(pk__in=Estate.objects.filter(is_active=True).values("community_id")).order_by("code")[
                : self.limit
            ]
        )
        summary = Summary(communities=[c.name for c in communities])
        if not communities:
            self.log(_("No estates: run “manage.py demo_estates” first. Nothing was created."))
            return summary
        streets = Place.objects.filter(pk__in=[c.parent_id for c in communities]).order_by("code")
        companies: dict[int, list[PropertyCompany]] = {}
        for street in streets:
            companies[street.pk] = self.companies_of(street)
        for community in communities:
            assert community.parent_id is not None
            self.fill_community(community, companies.get(community.parent_id, []))
        for street in streets:
            self.recognise(street, companies.get(street.pk, []))
        summary.seconds = perf_counter() - started
        summary.counts = self.counts
        return summary

    def companies_of(self, street: Place) -> list[PropertyCompany]:
        actor = demo_staff(Role.STREET_STAFF, street)
        if actor is None:
            return []
        organisations = list(PartyOrganisation.objects.filter(place__path__startswith=street.path).order_by("code"))
        made = []
        names = self.random.sample(NAMES, COMPANIES_PER_STREET)
        for index, word in enumerate(names):
            members = self.random.randint(2, 12)
            values = CompanyInput(
                name=f"{street.name.removesuffix('街道')}{word}物业服务有限公司",
                credit_code=self.credit_code(),
                contact_name=f"{self.random.choice(SURNAMES)}经理",
                contact_phone=mobile_number(self.random),
                registered_in=street,
                address=f"{street.name}{self.random.randint(1, 200)}号",
                party_organisation=organisations[index] if index == 0 and organisations else None,
                party_members=members,
                party_members_in_management=self.random.randint(1, min(3, members)),
            )
            try:
                made.append(services.company_create(actor=actor, values=values))
            except ValidationError:
                continue
            self.count(str(_("companies")))
        return made

    def fill_community(self, community: Place, companies: list[PropertyCompany]) -> None:
        actor = demo_staff(Role.COMMUNITY_STAFF, community)
        if actor is None or not companies:
            return
        estates = list(Estate.objects.filter(community=community, is_active=True).order_by("name"))
        year_ago = self.today - timedelta(days=400)
        residents = list(
            User.objects.filter(kind=UserKind.RESIDENT, resident__household__path__startswith=community.path).order_by(
                "pk"
            )[:RATERS]
        )
        for index, estate in enumerate(estates):
            if self.random.random() > COVERED:
                continue
            company = self.random.choice(companies)
            try:
                contract = services.contract_create(
                    actor=actor,
                    company=company,
                    estate=estate,
                    starts_on=year_ago,
                    ends_on=year_ago + timedelta(days=3 * 365),
                )
            except (ValidationError, PermissionDenied):
                continue
            self.count(str(_("contracts")))
            if index == 1 and len(companies) > 1:
                contract = self.take_over(actor, contract, companies)
            self.rate(actor, estate, residents)
        for matter, _contract in selectors.suggested_matters(user=actor, company=companies[0])[:5]:
            for company in companies:
                try:
                    services.matter_link(actor=actor, company=company, matter=matter)
                except (ValidationError, PermissionDenied):
                    continue
                self.count(str(_("linked matters")))
                break

    def take_over(self, actor: User, contract: Any, companies: list[PropertyCompany]) -> Any:
        last_day = self.today - timedelta(days=120)
        services.contract_end_early(actor=actor, contract=contract, last_day=last_day, reason="业主大会决定更换物业")
        successor = next(c for c in companies if c.pk != contract.company_id)
        self.count(str(_("contracts ended early")))
        return services.contract_create(
            actor=actor,
            company=successor,
            estate=contract.estate,
            starts_on=last_day + timedelta(days=1),
            ends_on=last_day + timedelta(days=3 * 365),
        )

    def rate(self, actor: User, estate: Estate, residents: list[User]) -> None:
        quarters = [quarter_of(self.today), *last_quarters(self.today, 2)]
        for year, quarter in quarters:
            _first, last = quarter_bounds(year, quarter)
            day = min(last, self.today)
            for resident in residents:
                try:
                    services.rating_submit(
                        actor=resident,
                        estate=estate,
                        score=self.random.choice((3, 4, 4, 5, 5, 5)),
                        comment=self.random.choice(("", "保洁及时", "维修响应快", "停车管理需加强", "")),
                        today=day,
                    )
                except (ValidationError, PermissionDenied):
                    continue
                self.count(str(_("residents' ratings")))
            if (year, quarter) == quarter_of(self.today):
                continue
            items = {name: self.random.randint(points - 8, points) for name, _label, points in ASSESSMENT_ITEMS}
            try:
                services.assessment_record(
                    actor=actor, estate=estate, year=year, quarter=quarter, items=items, today=self.today
                )
                self.count(str(_("community assessments")))
                services.survey_record(
                    actor=actor,
                    estate=estate,
                    year=year,
                    quarter=quarter,
                    score=f"{self.random.uniform(3.6, 4.9):.2f}",
                    sample_size=self.random.randint(20, 80),
                    today=self.today,
                )
                self.count(str(_("survey results")))
            except ValidationError:
                continue

    def recognise(self, street: Place, companies: list[PropertyCompany]) -> None:
        actor = demo_staff(Role.STREET_STAFF, street)
        if actor is None:
            return
        for company in companies:
            try:
                services.recognition_decide(
                    actor=actor,
                    company=company,
                    valid_from=self.today - timedelta(days=30),
                    valid_until=self.today + timedelta(days=335),
                    joint_meeting=True,
                    note="街道党工委审定",
                    today=self.today,
                )
            except (ValidationError, PermissionDenied):
                continue
            self.count(str(_("red property companies")))


class Command(DemoFillCommand):
    help = (
        "Fill the demo city with property companies: companies per street, contracts for most estates, residents' "
        "ratings, assessments and surveys of the last quarters, linked matters and red property, through the services "
        "(run demo_estates first)."
    )
    default_seed = DEFAULT_SEED
    max_communities = MAX_COMMUNITIES
    if_empty_help = "do nothing when property companies exist already"
    debug_help = "build even though DEBUG is off: the demo companies carry made-up names and phone numbers"
    debug_refusal = gettext_lazy(
        "DEBUG is off, so this may be a production database. The demo companies carry made-up names and phone "
        "numbers; add --allow-without-debug if you really want them here."
    )
    there_already = gettext_lazy("Property companies are there already: nothing is added.")
    cannot_again = gettext_lazy(
        "Property companies exist already; recognitions' history cannot be deleted. Rebuild the demo database (make "
        "demo) to fill it again."
    )
    filling = gettext_lazy("Filling the demo city with property companies (seed %(seed)d)…")

    def exists(self) -> bool:
        return PropertyCompany.objects.exists()

    def build(self, *, seed: int, communities: int, log: Callable[[str], Any]) -> Summary:
        return _Demo(seed=seed, limit=communities, log=log).build()

    def after(self, summary: Any) -> None:
        self.stdout.write(
            self.style.SUCCESS(_("Property companies: %(url)s") % {"url": reverse("propertyfirms:company-list")})
        )
        self.stdout.write(_("Public page: %(url)s") % {"url": reverse("propertyfirms_public:list")})
