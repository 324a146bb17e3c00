"""Load the default community duty list (22 duties, 22 assisting duties: ``admission/data/duty_list.json``) into the
list of the city, or of the place given by its code; items whose kind and number are taken are left alone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from gridwork.admission.duties import duty_list_load_defaults
from gridwork.places.models import Place, PlaceLevel


class Command(BaseCommand):
    help = "Load the default community duty list into the city's list (or the list of --place CODE)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--place", default="", help="the code of the city or district whose list to fill")

    def handle(self, *args: Any, **options: Any) -> None:
        code = options["place"]
        places = Place.objects.filter(code=code) if code else Place.objects.filter(level=PlaceLevel.CITY)
        place = places.order_by("code").first()
        if place is None:
            raise CommandError("No such place." if code else "No city: create the place tree first.")
        made = duty_list_load_defaults(actor=None, scope=place)
        self.stdout.write(f"{made} items loaded into the list of {place.name}.")
