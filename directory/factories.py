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


class PublishedPageFactory(wagtail_factories.PageFactory):
    """A page added, then published through a revision as an editor would: everything that
    listens for publishing (search documents, cached navigation) sees it. `live=False`
    leaves a draft."""

    class Meta:
        abstract = True

    @classmethod
    def _create_instance(cls, model_class, parent, kwargs):
        instance = super()._create_instance(model_class, parent, kwargs)
        if instance.live:
            instance.save_revision().publish()
            instance.refresh_from_db()
        return instance


def republish(service_id: int) -> None:
    """Publish a live service again, as an editor saving a change to its inline rows would."""
    service = ServicePage.objects.get(pk=service_id)
    if service.live:
        service.save_revision().publish()


class ServiceChildFactory(factory.django.DjangoModelFactory):
    """A row edited inline on a service page: the service is published again afterwards."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        republish(instance.service_id)
        return instance


class OrganisationPageFactory(PublishedPageFactory):
    class Meta:
        model = OrganisationPage

    title = factory.Sequence(lambda n: f"Seaborough Community Trust {n}")
    description = "A local charity."
    parent = factory.LazyFunction(directory_index)


class ServicePageFactory(PublishedPageFactory):
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


class ServiceAtLocationFactory(ServiceChildFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServicePageFactory)
    location = factory.SubFactory(LocationFactory)


class RegularScheduleFactory(ServiceChildFactory):
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
