"""The directory search form: GET parameters in, a ServiceQuery out. Shareable URLs."""

from __future__ import annotations

from django import forms

from .postcodes import normalise_postcode
from .query import DEFAULT_DISTANCE_MILES, DISTANCE_CHOICES_MILES, PER_PAGE, ServiceQuery
from .text import MAX_QUERY_CHARACTERS

INVALID_POSTCODE_MESSAGE = "Enter a full UK postcode, like SS2 6ER"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
SORTS = [("relevance", "Best match"), ("distance", "Distance"), ("name", "Name (A to Z)")]
ATTENDING = [("in_person", "In person"), ("online", "Online"), ("phone", "By phone")]
# The deepest page offered: Elasticsearch answers at most 10,000 results deep by default
# (index.max_result_window), and a bigger number overflowed the database's OFFSET (a 500).
MAX_PAGE = 10_000 // PER_PAGE


class ServiceSearchForm(forms.Form):
    q = forms.CharField(label="Search for a service", required=False)
    category = forms.MultipleChoiceField(label="Category", required=False)
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=12,
        help_text="For example, SS2 6ER",
        error_messages={"max_length": "Enter a full UK postcode, like SS2 6ER"},
    )
    distance = forms.TypedChoiceField(
        label="Distance",
        required=False,
        coerce=int,
        choices=[
            (d, f"Within {d} {'mile' if d == 1 else 'miles'}") for d in DISTANCE_CHOICES_MILES
        ],
        empty_value=DEFAULT_DISTANCE_MILES,
    )
    age = forms.IntegerField(
        label="Age of the person who needs help",
        required=False,
        min_value=0,
        max_value=120,
        help_text="In years. Leave empty to see services for all ages.",
        error_messages={
            "invalid": "Enter an age as a whole number, like 45",
            "min_value": "Age must be 0 or more",
            "max_value": "Age must be 120 or less",
        },
    )
    day = forms.ChoiceField(
        label="Open on",
        required=False,
        choices=[("", "Any day"), *[(day, day.title()) for day in DAYS]],
    )
    open_now = forms.BooleanField(label="Open now", required=False)
    free = forms.BooleanField(label="Free services only", required=False)
    attending = forms.MultipleChoiceField(
        label="How you can use it", required=False, choices=ATTENDING
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=SORTS)
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def __init__(self, *args, categories=(), **kwargs):
        # categories: every term that may be chosen (sub-categories too, from browse links).
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.fields["category"].choices = [(term.slug, term.name) for term in self.categories]

    def clean_q(self) -> str:
        return " ".join(self.cleaned_data["q"].split())[:MAX_QUERY_CHARACTERS]

    def clean_postcode(self) -> str:
        raw = self.cleaned_data["postcode"].strip()
        if raw and normalise_postcode(raw) is None:
            raise forms.ValidationError(INVALID_POSTCODE_MESSAGE)
        return raw

    def full_clean(self):
        # Links can be edited by hand: ignore what cannot be used rather than failing the search.
        super().full_clean()
        lenient = {
            "category": [],
            "distance": DEFAULT_DISTANCE_MILES,
            "day": "",
            "attending": [],
            "sort": "relevance",
            "page": 1,
        }
        for name, fallback in lenient.items():
            if name in self._errors:
                del self._errors[name]
                self.cleaned_data[name] = fallback
        if self.is_bound:
            self.cleaned_data["category"] = self._only_known_categories()

    def _only_known_categories(self) -> list[str]:
        known = {term.slug for term in self.categories}
        raw = self.data.getlist("category") if hasattr(self.data, "getlist") else []
        return [slug for slug in raw if slug in known]

    @property
    def has_search(self) -> bool:
        """True when the person asked for something (so results are shown, not just browsing)."""
        return any(self.data.get(name) for name in self.fields if name not in ("page", "sort"))

    def to_query(self) -> ServiceQuery:
        data = self.cleaned_data
        slugs = set(data.get("category") or [])
        term_ids = tuple(term.id for term in self.categories if term.slug in slugs)
        sort = data.get("sort") or "relevance"
        postcode = data.get("postcode") or ""
        if sort == "distance" and not postcode:
            sort = "relevance"
        return ServiceQuery(
            text=data.get("q") or "",
            taxonomy_term_ids=term_ids,
            postcode=postcode,
            distance_miles=data.get("distance") or DEFAULT_DISTANCE_MILES,
            age=data.get("age"),
            day=DAYS.index(data["day"]) if data.get("day") else None,
            open_now=bool(data.get("open_now")),
            free_only=bool(data.get("free")),
            attending=tuple(data.get("attending") or ()),
            sort=sort,
            page=data.get("page") or 1,
        )
