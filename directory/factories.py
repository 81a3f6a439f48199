"""Factories for directory data. Pages are created under the migrated /services/ page."""

import datetime

import factory
import wagtail_factories
from django.utils import timezone

from .models import (
    DirectoryIndexPage,
    Location,
    OrganisationPage,
    RegularSchedule,
    ServiceAtLocation,
    ServicePage,
    ServicePhone,
    Taxonomy,
    TaxonomyTerm,
)


def directory_index() -> DirectoryIndexPage:
    """The /services/ page created by migration directory.0002."""
    return DirectoryIndexPage.objects.get()


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy
        django_get_or_create = ("name",)

    name = "Local categories"
    is_browsable = True


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm
        django_get_or_create = ("taxonomy", "code")

    taxonomy = factory.SubFactory(TaxonomyFactory)
    name = factory.Sequence(lambda n: f"Category {n}")
    code = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    description = factory.LazyAttribute(lambda o: f"Services about {o.name.lower()}.")


class OrganisationPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = OrganisationPage

    title = factory.Sequence(lambda n: f"Seaborough Community Trust {n}")
    description = "A local charity."
    parent = factory.LazyFunction(directory_index)


class ServicePageFactory(wagtail_factories.PageFactory):
    """A live, active, free service for all ages with no locations unless given."""

    class Meta:
        model = ServicePage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Community service {n}")
    summary = "A friendly local service."
    description = "We help local people."
    parent = factory.SubFactory(OrganisationPageFactory)
    assured_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        if create and extracted:
            self.taxonomy_terms.set(extracted)
            self.save_revision().publish()


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    name = factory.Sequence(lambda n: f"Community centre {n}")
    address_1 = factory.Sequence(lambda n: f"{n} High Street")
    city = "Southend-on-Sea"
    postal_code = "SS1 1AA"
    latitude = 51.5376
    longitude = 0.7136


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServicePageFactory)
    location = factory.SubFactory(LocationFactory)


class RegularScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegularSchedule

    service = factory.SubFactory(ServicePageFactory)
    weekday = 0
    opens_at = datetime.time(9, 0)
    closes_at = datetime.time(17, 0)


class ServicePhoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServicePhone

    service = factory.SubFactory(ServicePageFactory)
    number = "01702 000000"
