"""Staff-editable signposting (selfcare.signposting, Snippets > Signposting rules): which keys a
result offers, how rules add directory categories to the result's own, and the admin form that
refuses a key no result could match."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator

from directory.factories import TaxonomyTermFactory
from portal import roles
from portal.factories import UserFactory
from selfcare import engine
from selfcare.eligibility import IndicativeEligibility
from selfcare.engine import Band, Outcome, ResultBlock
from selfcare.models import SignpostRule
from selfcare.signposting import signpost_categories_for, signpost_keys
from selfcare.wagtail_hooks import SIGNPOST_KEY_ERROR, SignpostRuleForm

pytestmark = pytest.mark.django_db

RULES = "/admin/snippets/selfcare/signpostrule/"


def outcome(*, slug: str = "example-assessment", categories=("own-category",)) -> Outcome:
    return Outcome(
        definition_slug=slug,
        definition_version=1,
        scoring_version=1,
        scores={"severity": 12, "stress": 3},
        bands={
            "severity": Band(id="moderate", label="Moderate", minimum=10, maximum=14),
            "stress": Band(id="low", label="Low", minimum=0, maximum=4),
        },
        flags=frozenset({"urgent", "carer"}),
        interrupts=(),
        results=(ResultBlock(title="Result", body="", signpost_categories=tuple(categories)),),
    )


def eligibility(*, eligible: bool = False) -> IndicativeEligibility:
    return IndicativeEligibility(
        eligible=eligible,
        regulation="regulation 2",
        conditions=(),
        outcomes_unachievable=("nutrition", "hygiene"),
    )


def definition(slug: str = "example-assessment"):
    found = engine.definition_get(slug)
    assert found is not None
    return found


def term(slug: str):
    return TaxonomyTermFactory(name=slug.replace("-", " ").title(), slug=slug)


def rule(key: str, *slugs: str, tool: str = "example-assessment") -> SignpostRule:
    created = SignpostRule.objects.create(definition_slug=tool, key=key)
    created.categories.set([term(slug) for slug in slugs])
    return created


def test_keys_cover_always_bands_flags_and_eligibility():
    assert signpost_keys(outcome=outcome(), eligibility=eligibility()) == [
        "always",
        "band:severity:moderate",
        "band:stress:low",
        "flag:carer",
        "flag:urgent",
        "not-eligible",
        "outcome:nutrition",
        "outcome:hygiene",
    ]
    assert "eligible" in signpost_keys(outcome=outcome(), eligibility=eligibility(eligible=True))


def test_without_eligibility_there_are_no_eligibility_keys():
    keys = signpost_keys(outcome=outcome())
    assert not [k for k in keys if k in ("eligible", "not-eligible") or k.startswith("outcome:")]


def test_without_rules_the_result_blocks_categories_are_used():
    assert signpost_categories_for(definition=definition(), outcome=outcome()) == ["own-category"]


def test_a_matching_rule_adds_its_categories_after_the_results_own():
    rule("band:severity:moderate", "talking-therapies", "peer-support")
    rule("band:severity:severe", "crisis-support")  # not this result's band
    assert signpost_categories_for(definition=definition(), outcome=outcome()) == [
        "own-category",
        "peer-support",
        "talking-therapies",
    ]


def test_rules_for_another_tool_do_not_apply():
    rule("always", "befriending", tool="loneliness")
    assert signpost_categories_for(definition=definition(), outcome=outcome()) == ["own-category"]


def test_rules_follow_the_key_order_and_each_category_appears_once():
    rule("outcome:nutrition", "meals-at-home", "own-category")
    rule("flag:urgent", "crisis-support", "meals-at-home")
    rule("always", "carers-support")
    categories = signpost_categories_for(
        definition=definition(), outcome=outcome(), eligibility=eligibility()
    )
    assert categories == ["own-category", "carers-support", "crisis-support", "meals-at-home"]


def test_eligibility_rules_only_apply_with_an_eligibility():
    rule("not-eligible", "community-groups")
    assert "community-groups" not in signpost_categories_for(
        definition=definition(), outcome=outcome()
    )
    assert "community-groups" in signpost_categories_for(
        definition=definition(), outcome=outcome(), eligibility=eligibility()
    )


def rule_form(data: dict):
    """The admin's own form for a rule (the viewset's panels on SignpostRuleForm)."""
    form_class = SignpostRule.snippet_viewset.get_form_class()
    assert issubclass(form_class, SignpostRuleForm)
    return form_class(data=data, instance=SignpostRule())


@pytest.mark.parametrize(
    "key",
    [
        "always",
        "eligible",
        "not-eligible",
        "outcome:nutrition",
        "band:severity:moderate",
        "flag:urgent",
    ],
)
def test_the_form_accepts_each_kind_of_key(key):
    category = term("peer-support")
    form = rule_form(
        {"definition_slug": "example-assessment", "key": key, "categories": [category.pk]}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["key"] == key


@pytest.mark.parametrize(
    "key", ["sometimes", "band:severity", "outcome:", "flag:urgent:extra", "outcome:a b/c"]
)
def test_the_form_refuses_a_key_no_result_can_match(key):
    form = rule_form({"definition_slug": "example-assessment", "key": key})
    assert not form.is_valid()
    assert form.errors["key"] == [SIGNPOST_KEY_ERROR]


def test_the_form_refuses_a_tool_that_is_not_offered():
    form = rule_form({"definition_slug": "no-such-tool", "key": "always"})
    assert not form.is_valid()
    assert form.errors["definition_slug"] == ["Choose a self-care tool from the list"]


def editor_client(client):
    editor = UserFactory(roles=[roles.EDITORS])
    Authenticator.objects.create(user=editor, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client.force_login(editor)
    return client


def test_an_editor_adds_a_rule_in_the_admin_and_a_bad_key_is_refused(client):
    editor_client(client)
    category = term("peer-support")
    assert client.get(f"{RULES}add/").status_code == 200

    refused = client.post(
        f"{RULES}add/",
        {
            "definition_slug": "example-assessment",
            "key": "band-severity",
            "categories": [category.pk],
        },
    )
    assert refused.status_code == 200
    assert "Enter a key like" in refused.content.decode()
    assert not SignpostRule.objects.exists()

    saved = client.post(
        f"{RULES}add/",
        {
            "definition_slug": "example-assessment",
            "key": "band:severity:moderate",
            "categories": [category.pk],
        },
    )
    assert saved.status_code == 302
    added = SignpostRule.objects.get()
    assert (added.definition_slug, added.key) == ("example-assessment", "band:severity:moderate")
    assert list(added.categories.all()) == [category]

    listing = client.get(RULES).content.decode()
    assert "band:severity:moderate" in listing
    assert "Peer Support" in listing


def test_residents_cannot_reach_the_rules(client):
    resident = UserFactory(roles=[roles.RESIDENTS])
    client.force_login(resident)
    assert client.get(RULES).status_code in (302, 403)
