"""A fictional directory for the demo area, and larger synthetic ones for benchmarks.

Everything is generated from a seed, fixed word lists and a fixed reference date, so two
fresh loads give the same organisations, services, times and "last checked" dates. Every
row has a uuid derived from its position in the plan: a second load finds them all in a few
queries and creates nothing.

Names, phone numbers and web addresses are fictional: organisation names are invented,
phone numbers come from Ofcom's ranges for drama (01632 960xxx, 0808 157 0xxx,
07700 900xxx) and web and email addresses use example.org.
"""

from __future__ import annotations

import csv
import datetime
import math
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from .models import (
    AccessibilityFeature,
    Location,
    OrganisationPage,
    ServicePage,
    TaxonomyTerm,
)
from .services import (
    ContactData,
    CostOptionData,
    LanguageData,
    PhoneData,
    ScheduleData,
    ScheduleExceptionData,
    ServiceData,
    directory_index_get,
    local_categories_get,
    pages_bulk_publish,
    service_page_build,
)

DEMO_SEED = 2026
# "Last checked" dates and closures are counted back and forward from this day, not from
# today, so the demo is the same whenever it is loaded.
DEMO_REFERENCE_DATE = datetime.date(2026, 11, 2)
SYNTHETIC_DEFAULT_SEED = 1
SERVICES_PER_ORGANISATION = 18  # about the demo's ratio, for synthetic sets
_NAMESPACE = uuid.UUID("0b5c3f4e-8f0a-4a57-9a53-6d1f3a2c9e71")
_BATCH_SERVICES = 1000

T = datetime.time


# --- Vocabulary ------------------------------------------------------------------------------

CHILD_CATEGORIES: dict[str, list[tuple[str, str]]] = {
    "mental-health-and-wellbeing": [
        ("Talking therapies", "Counselling and therapy for anxiety, depression and stress."),
        ("Crisis support", "Urgent help when you are struggling to cope."),
        ("Peer support", "Groups run by and for people with lived experience."),
    ],
    "dementia": [
        ("Memory cafés", "Social groups for people living with dementia and their families."),
        ("Dementia carers", "Support for family and friends who care for someone with dementia."),
    ],
    "carers-support": [
        ("Carers' breaks", "Sitting services and planned breaks for unpaid carers."),
        ("Young carers", "Support for children and young people who look after someone."),
    ],
    "money-and-benefits": [
        ("Debt advice", "Help to deal with debts and talk to the people you owe."),
        ("Benefits advice", "Checks and help with claims, forms and appeals."),
    ],
    "physical-activity": [
        ("Walking groups", "Led walks at an easy pace."),
    ],
    "housing": [
        ("Homelessness", "Help if you are homeless or about to lose your home."),
        ("Home adaptations", "Grants, repairs and changes to make your home safer."),
        ("Domestic abuse", "Safe accommodation and support if you are affected by abuse."),
    ],
}

TOWNS = {
    "SS0": "Westcliff-on-Sea",
    "SS1": "Southend-on-Sea",
    "SS2": "Southend-on-Sea",
    "SS3": "Shoeburyness",
    "SS4": "Rochford",
    "SS5": "Hockley",
    "SS6": "Rayleigh",
    "SS7": "Benfleet",
    "SS8": "Canvey Island",
    "SS9": "Leigh-on-Sea",
    "SS11": "Wickford",
    "SS12": "Wickford",
    "SS13": "Basildon",
    "SS14": "Basildon",
    "SS15": "Laindon",
    "SS16": "Langdon Hills",
    "SS17": "Stanford-le-Hope",
}

STREETS = [
    "Samphire Road",
    "Gull Lane",
    "Tidewater Avenue",
    "Marram Close",
    "Cormorant Way",
    "Saltings Road",
    "Wherry Street",
    "Oyster Lane",
    "Sandpiper Drive",
    "Shingle Road",
    "Lugworm Lane",
    "Estuary View",
    "Harbour Street",
    "Mudflat Road",
    "Beacon Hill Road",
    "Kittiwake Crescent",
    "Seawall Avenue",
    "Driftwood Lane",
    "Lighthouse Road",
    "Creekside",
]
VENUE_NAMES = [
    "Samphire",
    "Marram",
    "Cormorant",
    "Saltings",
    "Wherry",
    "Sandpiper",
    "Kittiwake",
    "Beacon",
    "Driftwood",
    "Tideway",
    "Seawall",
    "Creekside",
    "Shingle Bank",
    "Old Pier",
    "Harbourside",
    "Avocet",
    "Redshank",
    "Brent Goose",
    "Lightship",
    "Estuary",
]
VENUE_TYPES = [
    "Community Centre",
    "Hub",
    "Health Centre",
    "Church Hall",
    "Resource Centre",
    "House",
    "Pavilion",
    "Centre",
    "Community Hall",
    "Clinic",
]
ACCESSIBILITY = [
    "Step-free access",
    "Accessible toilet",
    "Hearing loop",
    "Disabled parking",
    "Lift to all floors",
    "Quiet room",
    "Large print information",
    "Assistance dogs welcome",
    "Baby changing facilities",
]
OTHER_LANGUAGES = [
    ("Polish", "pl"),
    ("Romanian", "ro"),
    ("Urdu", "ur"),
    ("Bengali", "bn"),
    ("Turkish", "tr"),
    ("Lithuanian", "lt"),
    ("Portuguese", "pt"),
    ("Punjabi", "pa"),
    ("Arabic", "ar"),
    ("British Sign Language", "bfi"),
]
FIRST_NAMES = ["Priya", "Tom", "Grace", "Daniel", "Amina", "Joe", "Helen", "Marek", "Sade", "Ruth"]
LAST_NAMES = ["Shah", "Barker", "Okafor", "Nowak", "Hughes", "Ellis", "Khan", "Doyle", "Price"]

# Invented places for synthetic organisations, so they never clash with the demo's names.
SYNTHETIC_PLACES = [
    "Saltmere",
    "Gullhaven",
    "Marramby",
    "Tidesend",
    "Wherrybridge",
    "Samphirefield",
    "Oysterholt",
    "Cockleford",
    "Shinglemouth",
    "Sandlingham",
    "Creekmoor",
    "Fleetwick",
    "Brinehurst",
    "Mudlark Cross",
    "Seawold",
    "Heronsgate Vale",
    "Kelpton",
    "Dunmarsh",
    "Egretby",
    "Ternstead",
]
SYNTHETIC_KINDS = {
    "charity": ["Carers' Network", "Wellbeing Trust", "Advice Centre", "Age Well", "Care Trust"],
    "community": ["Community Association", "Friendship Club", "Walking Club", "Neighbours"],
    "council": ["Council Community Services", "Council Adult Services"],
    "nhs": ["Community Health NHS Trust"],
    "social enterprise": ["Living CIC", "Home Services CIC"],
    "national": ["Helpline"],
}


# --- Services that can exist -----------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """One kind of service. `kind` sets how people use it: times, attending, location."""

    category: str
    title: str
    summary: str
    description: str
    kind: str  # group class dropin evening advice appointment helpline phone online home day refuge
    ages: tuple[int | None, int | None] = (None, None)
    child: str = ""
    extra: tuple[str, ...] = ()
    paid: str = ""
    referral: bool = False
    place: bool = False  # one per place: "Walking group in Rayleigh"
    refuge: bool = False
    always_open: bool = False
    by: tuple[str, ...] = ()  # the kinds of organisation that run it; empty for any


ADULTS = (18, None)


def _t(category: str, *args, **kwargs) -> Template:
    return Template(category, *args, **kwargs)


TEMPLATES: list[Template] = [
    # Adult social care
    _t(
        "adult-social-care",
        "Care needs assessment",
        "Find out what help you can get to live well at home.",
        "A social care worker talks to you about what you find hard day to day and what "
        "matters to you. Together you agree what would help, such as equipment, home care "
        "or a day service.",
        "appointment",
        ages=ADULTS,
        by=("council",),
    ),
    _t(
        "adult-social-care",
        "Home care",
        "Help at home with washing, dressing, meals and medicines.",
        "Trained care workers visit you at home at times that suit you. They can help with "
        "personal care, getting up and going to bed, meals and taking medicines.",
        "home",
        ages=ADULTS,
        paid="assessed",
        referral=True,
        by=("council", "nhs", "social enterprise", "charity"),
    ),
    _t(
        "adult-social-care",
        "Reablement after a hospital stay",
        "Up to 6 weeks of free support to get back on your feet at home.",
        "If you have been in hospital or unwell, a reablement team helps you relearn "
        "everyday tasks and get your confidence back. It is free for up to 6 weeks.",
        "home",
        ages=ADULTS,
        referral=True,
        extra=("falls-prevention",),
        by=("council", "nhs"),
    ),
    _t(
        "adult-social-care",
        "Hospital discharge support",
        "Help to get home safely after a hospital stay.",
        "We work with hospital staff to plan your return home. We can arrange short-term "
        "care, equipment and a check-in call in your first week at home.",
        "advice",
        ages=ADULTS,
        referral=True,
        by=("council", "nhs"),
    ),
    _t(
        "adult-social-care",
        "Occupational therapy assessment",
        "Advice and equipment to make daily tasks easier and safer.",
        "An occupational therapist looks at how you manage at home and suggests equipment, "
        "changes to your home or different ways of doing things.",
        "appointment",
        ages=ADULTS,
        referral=True,
        extra=("telecare-and-equipment",),
        by=("council", "nhs"),
    ),
    _t(
        "adult-social-care",
        "Direct payments advice",
        "Help to manage your own care budget as a direct payment.",
        "If you get care funded by the council, you can take it as a direct payment and "
        "arrange your own support. We explain how it works and help with the paperwork.",
        "advice",
        ages=ADULTS,
        extra=("personal-assistants",),
        by=("council", "charity"),
    ),
    _t(
        "adult-social-care",
        "Choosing a care home",
        "Impartial advice on care homes and how care is paid for.",
        "We explain the types of care home, what to look for when you visit and how fees "
        "are paid. We can help you find homes with vacancies.",
        "advice",
        ages=ADULTS,
    ),
    _t(
        "adult-social-care",
        "Meals at home",
        "Hot or frozen meals delivered to your door.",
        "Meals are delivered on the days you choose. We cater for special diets and "
        "cultural and religious needs.",
        "home",
        ages=ADULTS,
        paid="meal",
    ),
    _t(
        "adult-social-care",
        "Shopping and errands help",
        "Volunteers who help with shopping and small errands.",
        "A volunteer can collect your shopping or prescriptions, or go to the shops with "
        "you. You only pay for your shopping.",
        "home",
        ages=ADULTS,
        place=True,
        extra=("befriending-and-loneliness",),
    ),
    # Carers' support
    _t(
        "carers-support",
        "Carers' breaks service",
        "Planned short breaks for unpaid carers, so you can rest and recharge.",
        "If you look after someone, a trained care worker can stay with them while you "
        "take a break. Breaks can be a few hours a week or a longer planned break.",
        "home",
        ages=ADULTS,
        child="carers-breaks",
    ),
    _t(
        "carers-support",
        "Carers' assessment",
        "Talk about your caring role and the support you could get.",
        "A carers' assessment looks at how caring affects your life, work and health. It "
        "can lead to breaks, equipment, a carers' grant or other help. It is free.",
        "appointment",
        ages=ADULTS,
        by=("council", "charity"),
    ),
    _t(
        "carers-support",
        "Carers' drop-in",
        "Come for a chat, advice and a cup of tea with other carers.",
        "Meet other carers and talk to a carers' support worker. You do not need to book.",
        "dropin",
        ages=ADULTS,
        place=True,
    ),
    _t(
        "carers-support",
        "Young carers' club",
        "Activities and a break for young people who look after someone at home.",
        "Young carers meet to relax, have fun and make friends with others who understand. "
        "Staff can also talk to your school about extra support.",
        "group",
        ages=(8, 17),
        child="young-carers",
        place=True,
        extra=("children-and-families",),
    ),
    _t(
        "carers-support",
        "Carers' emergency card",
        "A card that tells people you are a carer if something happens to you.",
        "If you are taken ill or have an accident, the card tells the emergency services "
        "that someone depends on you. We agree an emergency plan with you.",
        "advice",
        ages=ADULTS,
    ),
    _t(
        "carers-support",
        "Carers' wellbeing course",
        "A free 6-week course about looking after yourself while caring.",
        "Learn ways to manage stress, sleep better and plan for the future. Each session "
        "lasts 2 hours.",
        "class",
        ages=ADULTS,
        place=True,
        extra=("mental-health-and-wellbeing",),
    ),
    _t(
        "carers-support",
        "Carers' advice line",
        "Phone advice for anyone who looks after a family member or friend.",
        "Talk to an adviser about benefits, breaks, work and what to do if you are struggling.",
        "helpline",
        ages=ADULTS,
    ),
    _t(
        "carers-support",
        "Sitting service",
        "A trained volunteer sits with the person you care for while you go out.",
        "A volunteer can spend up to 3 hours with the person you look after, once a week.",
        "home",
        ages=ADULTS,
        child="carers-breaks",
    ),
    _t(
        "carers-support",
        "Online carers' support group",
        "Meet other carers on a video call in the evening.",
        "A relaxed online group for carers who find it hard to get out. You need a phone, "
        "tablet or computer.",
        "online",
        ages=ADULTS,
    ),
    # Dementia
    _t(
        "dementia",
        "Memory café",
        "A friendly social group for people living with dementia and their families.",
        "Enjoy a cup of tea, music and activities in a relaxed setting. Dementia support "
        "workers are there to answer your questions.",
        "group",
        child="memory-cafes",
        place=True,
        extra=("befriending-and-loneliness",),
    ),
    _t(
        "dementia",
        "Dementia carers' support group",
        "Share experiences and get practical advice if you care for someone with dementia.",
        "A support group for family and friends of people living with dementia. Each month "
        "a guest speaker covers a topic such as legal matters or changes in behaviour.",
        "group",
        ages=ADULTS,
        child="dementia-carers",
        place=True,
        extra=("carers-support",),
    ),
    _t(
        "dementia",
        "Dementia adviser service",
        "One-to-one advice after a dementia diagnosis.",
        "A dementia adviser helps you understand the diagnosis, plan ahead and find local "
        "support. You can see an adviser at home, by phone or at a clinic.",
        "advice",
        ages=ADULTS,
    ),
    _t(
        "dementia",
        "Singing and memory group",
        "Sing familiar songs together. You do not need any experience.",
        "Singing can help memory and mood. Carers are welcome to join in.",
        "group",
        place=True,
        paid="session",
    ),
    _t(
        "dementia",
        "Memory assessment clinic",
        "Assessment and diagnosis if you are worried about your memory.",
        "Specialist staff assess your memory and thinking. If you are diagnosed with "
        "dementia, they explain treatment and the support you can get.",
        "appointment",
        ages=ADULTS,
        referral=True,
        by=("nhs",),
    ),
    _t(
        "dementia",
        "Dementia day care",
        "Day care with activities and lunch for people living with dementia.",
        "Trained staff run activities, gentle exercise and outings. Lunch is included.",
        "day",
        ages=ADULTS,
        paid="day",
        extra=("day-opportunities",),
        by=("charity", "nhs", "council"),
    ),
    _t(
        "dementia",
        "Dementia helpline",
        "Advice by phone for anyone affected by dementia.",
        "Talk to a dementia nurse or adviser about symptoms, diagnosis, care and looking "
        "after yourself.",
        "helpline",
    ),
    _t(
        "dementia",
        "Dementia-friendly swimming",
        "Relaxed swimming sessions for people living with dementia and their carers.",
        "Quiet pool time with extra staff on hand. The changing rooms are accessible.",
        "class",
        place=True,
        paid="session",
        extra=("physical-activity",),
    ),
    _t(
        "dementia",
        "Life story work",
        "Make a book of memories with help from a trained volunteer.",
        "A life story book helps family, carers and care staff get to know the person better.",
        "home",
        ages=ADULTS,
        child="dementia-carers",
    ),
    # Mental health and wellbeing
    _t(
        "mental-health-and-wellbeing",
        "Talking therapies",
        "Free NHS talking therapies for anxiety, depression and stress.",
        "Talk to a therapist one-to-one or join a group course. You can refer yourself: you "
        "do not need to see your GP first.",
        "appointment",
        ages=ADULTS,
        child="talking-therapies",
        by=("nhs", "charity"),
    ),
    _t(
        "mental-health-and-wellbeing",
        "Crisis café",
        "A safe place to go in the evening if you are struggling with your mental health.",
        "Talk to trained staff and volunteers in a calm space. You do not need an "
        "appointment or a referral.",
        "evening",
        ages=(16, None),
        child="crisis-support",
        place=True,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Mental health crisis line",
        "Call any time of the day or night if you need urgent help with your mental health.",
        "Talk to a mental health professional who can help you stay safe and arrange "
        "support. If you are in danger now, call 999.",
        "helpline",
        child="crisis-support",
        always_open=True,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Peer support group",
        "Meet people with lived experience of mental ill health.",
        "A safe, confidential group run by people who have been there. You can just listen "
        "if you prefer.",
        "group",
        ages=ADULTS,
        child="peer-support",
        place=True,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Men's mental health group",
        "A space for men to talk openly, with no pressure.",
        "Men meet to talk about what is on their minds. No one has to speak unless they want to.",
        "evening",
        ages=ADULTS,
        child="peer-support",
        place=True,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Mindfulness course",
        "An 8-week course to help with stress and low mood.",
        "Learn simple mindfulness practices you can use every day. Sessions last 90 minutes.",
        "class",
        ages=ADULTS,
        place=True,
        paid="course",
    ),
    _t(
        "mental-health-and-wellbeing",
        "Bereavement support",
        "Support after the death of someone close to you.",
        "Talk one-to-one with a trained bereavement volunteer, or join a group with others "
        "who are grieving.",
        "appointment",
        ages=ADULTS,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Recovery college courses",
        "Free courses about mental health, run with people who have lived experience.",
        "Courses cover topics such as managing anxiety, sleep and going back to work. "
        "Anyone aged 18 or over can enrol.",
        "class",
        ages=ADULTS,
        place=True,
    ),
    _t(
        "mental-health-and-wellbeing",
        "Perinatal mental health support",
        "Support for your mental health during pregnancy and after your baby is born.",
        "A specialist team helps if you have a mental health problem during pregnancy or in "
        "the first 2 years after birth.",
        "appointment",
        ages=(16, None),
        referral=True,
        extra=("children-and-families",),
        by=("nhs",),
    ),
    _t(
        "mental-health-and-wellbeing",
        "Online peer support",
        "Talk to others in a moderated online group.",
        "Share how you feel with people who understand. Trained moderators keep the group safe.",
        "online",
        ages=ADULTS,
        child="peer-support",
    ),
    _t(
        "mental-health-and-wellbeing",
        "Wellbeing check-in calls",
        "A weekly phone call to see how you are doing.",
        "A wellbeing worker calls you each week to talk about how you are and what might help.",
        "phone",
        ages=ADULTS,
    ),
    # Falls prevention
    _t(
        "falls-prevention",
        "Falls prevention: strength and balance classes",
        "Exercise classes to improve your strength and balance and lower your risk of a fall.",
        "A 24-week programme led by a qualified instructor. Classes are gentle and go at "
        "your pace. You can refer yourself or ask your GP.",
        "class",
        ages=(60, None),
        place=True,
        extra=("physical-activity",),
    ),
    _t(
        "falls-prevention",
        "Home safety check",
        "A free visit to spot trip hazards and make your home safer.",
        "A trained worker checks lighting, rugs, stairs and your bathroom, and can fit grab rails.",
        "home",
        ages=(60, None),
        extra=("telecare-and-equipment",),
    ),
    _t(
        "falls-prevention",
        "Falls clinic",
        "Specialist assessment if you have fallen or are afraid of falling.",
        "A physiotherapist and a nurse check your balance, medicines, eyesight and feet, "
        "and agree a plan with you.",
        "appointment",
        ages=(65, None),
        referral=True,
        by=("nhs",),
    ),
    _t(
        "falls-prevention",
        "Chair-based exercise",
        "Gentle seated exercise to keep you moving.",
        "Exercise to music without getting up from your chair. Suitable for most people.",
        "class",
        ages=(50, None),
        place=True,
        paid="session",
        extra=("physical-activity",),
    ),
    _t(
        "falls-prevention",
        "Tai chi for better balance",
        "Slow, flowing movements that improve balance and confidence.",
        "Tai chi is gentle on your joints and helps prevent falls. Wear loose clothes.",
        "class",
        ages=(50, None),
        place=True,
        paid="session",
    ),
    _t(
        "falls-prevention",
        "Falls response service",
        "Someone comes to help you up if you fall at home, day or night.",
        "If you have a pendant alarm and fall, a trained responder comes to help you up "
        "and checks that you are not hurt.",
        "helpline",
        ages=ADULTS,
        paid="week",
        always_open=True,
        extra=("telecare-and-equipment",),
        by=("council", "social enterprise"),
    ),
    # Physical activity
    _t(
        "physical-activity",
        "Walking group",
        "Friendly, led walks of 30 to 60 minutes.",
        "Walks are led by trained volunteers at an easy pace. Wear comfortable shoes. You "
        "can just turn up.",
        "group",
        child="walking-groups",
        place=True,
    ),
    _t(
        "physical-activity",
        "Walking football",
        "Football at walking pace for people aged 50 and over.",
        "A friendly game with no running and no slide tackles. All abilities are welcome.",
        "class",
        ages=(50, None),
        place=True,
        paid="session",
    ),
    _t(
        "physical-activity",
        "Gentle yoga",
        "Yoga for beginners and people with limited mobility.",
        "Slow stretches and breathing. Chairs are available if you cannot get onto a mat.",
        "class",
        ages=ADULTS,
        place=True,
        paid="session",
    ),
    _t(
        "physical-activity",
        "Swimming for older people",
        "Quiet swimming sessions for people aged 60 and over.",
        "Lanes are set aside for older swimmers and a lifeguard is always on duty.",
        "class",
        ages=(60, None),
        place=True,
        paid="session",
    ),
    _t(
        "physical-activity",
        "Exercise referral scheme",
        "A 12-week supported exercise programme if you have a health condition.",
        "A trainer plans exercise that is safe for you and checks your progress.",
        "class",
        ages=(16, None),
        referral=True,
        paid="session",
        place=True,
        by=("council", "nhs"),
    ),
    _t(
        "physical-activity",
        "Inclusive cycling",
        "Adapted bikes and trikes so that everyone can cycle.",
        "Try hand cycles, side-by-side bikes and trikes on a traffic-free track.",
        "class",
        place=True,
        extra=("learning-disability",),
    ),
    _t(
        "physical-activity",
        "Dance for health",
        "Dance sessions to keep active and meet people.",
        "Move to music from every decade. You do not need a partner or any experience.",
        "class",
        ages=(50, None),
        place=True,
        paid="session",
    ),
    # Befriending and loneliness
    _t(
        "befriending-and-loneliness",
        "Befriending telephone service",
        "A regular friendly phone call from a trained volunteer.",
        "If you feel lonely or cut off, a volunteer calls you each week at a time that suits "
        "you. Calls last about 30 minutes.",
        "phone",
        ages=ADULTS,
    ),
    _t(
        "befriending-and-loneliness",
        "Befriending home visits",
        "A volunteer visits you at home for a chat once a week.",
        "We match you with a volunteer who shares your interests. They visit for an hour "
        "each week.",
        "home",
        ages=(60, None),
    ),
    _t(
        "befriending-and-loneliness",
        "Lunch club",
        "A hot 2-course lunch and good company.",
        "Enjoy a freshly cooked lunch with others. We can tell you about transport.",
        "group",
        ages=(60, None),
        place=True,
        paid="meal",
        extra=("day-opportunities",),
    ),
    _t(
        "befriending-and-loneliness",
        "Coffee morning",
        "Drop in for a hot drink and a chat.",
        "A relaxed way to meet people who live near you. Everyone is welcome.",
        "dropin",
        place=True,
    ),
    _t(
        "befriending-and-loneliness",
        "GP social prescribing",
        "A link worker helps you find local activities and support to improve your "
        "health and wellbeing.",
        "Social prescribing link workers are part of your GP practice. They spend time "
        "finding out what matters to you and connect you with local groups, advice and "
        "activities.",
        "appointment",
        ages=ADULTS,
        referral=True,
        extra=("mental-health-and-wellbeing",),
        by=("nhs",),
    ),
    _t(
        "befriending-and-loneliness",
        "Community connectors",
        "Volunteers who help you find groups and activities near you.",
        "Tell us what you enjoy and we will find something nearby. A volunteer can go with "
        "you the first time.",
        "advice",
    ),
    _t(
        "befriending-and-loneliness",
        "Games afternoon",
        "Board games, cards and bingo every week.",
        "Join in or just watch. Tea and biscuits are free.",
        "group",
        ages=(50, None),
        place=True,
    ),
    _t(
        "befriending-and-loneliness",
        "Friendly evening calls",
        "A short phone call every evening to check you are well.",
        "A volunteer calls you at the same time each evening for a quick chat.",
        "phone",
        ages=(65, None),
    ),
    # Housing
    _t(
        "housing",
        "Housing options advice",
        "Advice if you are worried about losing your home or need somewhere to live.",
        "We explain your options, including council and housing association homes, renting "
        "privately and help with rent.",
        "advice",
        ages=ADULTS,
        by=("council",),
    ),
    _t(
        "housing",
        "Homelessness prevention",
        "Help to stay in your home if you are at risk of becoming homeless.",
        "Contact us as soon as you get a notice to leave. We can talk to your landlord, "
        "help with arrears and find somewhere else if you need to move.",
        "advice",
        ages=(16, None),
        child="homelessness",
        by=("council", "charity"),
    ),
    _t(
        "housing",
        "Rough sleeper outreach",
        "Outreach workers find and help people sleeping rough.",
        "If you see someone sleeping rough, tell us where and when. Our team will visit "
        "and offer help.",
        "advice",
        ages=(16, None),
        child="homelessness",
    ),
    _t(
        "housing",
        "Disabled facilities grants",
        "Money towards adapting your home if you or someone you live with is disabled.",
        "A grant can pay for changes such as a level-access shower, stairlift or ramp. An "
        "occupational therapist first checks what you need.",
        "appointment",
        child="home-adaptations",
        extra=("telecare-and-equipment",),
        by=("council", "social enterprise"),
    ),
    _t(
        "housing",
        "Handyperson service",
        "Small repairs and odd jobs for older and disabled people.",
        "Our handypeople fix things like dripping taps, loose carpets and curtain rails. "
        "You pay for materials.",
        "home",
        ages=(60, None),
        paid="hour",
        child="home-adaptations",
    ),
    _t(
        "housing",
        "Tenancy support",
        "Help to manage your tenancy, bills and paperwork.",
        "A support worker visits you to help with rent, bills, repairs and letters.",
        "home",
        ages=(16, None),
        referral=True,
    ),
    _t(
        "housing",
        "Warm homes advice",
        "Advice on heating, insulation and keeping warm for less.",
        "We check you are on the best energy tariff and help you apply for insulation and "
        "heating grants.",
        "advice",
        extra=("money-and-benefits",),
    ),
    _t(
        "housing",
        "Safe accommodation for women and children",
        "Safe, confidential accommodation if you are escaping domestic abuse.",
        "Our refuge has safe rooms, support from a key worker and help to plan your future. "
        "We never share the address.",
        "refuge",
        child="domestic-abuse",
        refuge=True,
        extra=("children-and-families",),
    ),
    _t(
        "housing",
        "Domestic abuse helpline",
        "Confidential advice if you are affected by domestic abuse. Call any time.",
        "Talk to a trained adviser about what is happening and what you can do. If you are "
        "in danger now, call 999.",
        "helpline",
        child="domestic-abuse",
        refuge=True,
        always_open=True,
    ),
    _t(
        "housing",
        "Domestic abuse outreach",
        "A support worker helps you stay safe in your own home.",
        "We help with safety planning, legal options, housing and money, wherever you live "
        "in the area.",
        "appointment",
        child="domestic-abuse",
        refuge=True,
    ),
    _t(
        "housing",
        "Children's recovery groups",
        "Group work for children who have lived with domestic abuse.",
        "Children explore feelings and rebuild confidence in a small, safe group.",
        "refuge",
        ages=(5, 16),
        child="domestic-abuse",
        refuge=True,
        extra=("children-and-families",),
    ),
    _t(
        "housing",
        "Healthy relationships course",
        "A 10-week course for women about abusive relationships and recovery.",
        "Understand how abuse works and build confidence for the future.",
        "refuge",
        ages=ADULTS,
        child="domestic-abuse",
        refuge=True,
        extra=("mental-health-and-wellbeing",),
    ),
    _t(
        "housing",
        "Safety planning appointments",
        "Plan how to keep yourself and your children safe.",
        "An adviser helps you make a plan for staying safe at home, at work and online.",
        "appointment",
        ages=ADULTS,
        child="domestic-abuse",
        refuge=True,
    ),
    # Money and benefits
    _t(
        "money-and-benefits",
        "Debt and benefits advice",
        "Free, confidential advice on debts, benefits and budgeting.",
        "Our advisers check you get all the benefits you are entitled to, help you deal with "
        "debts and talk to the people you owe. We can help you fill in forms and challenge "
        "decisions.",
        "advice",
        ages=ADULTS,
        child="debt-advice",
    ),
    _t(
        "money-and-benefits",
        "Benefits check",
        "Find out if you could get more money from benefits.",
        "An adviser goes through your circumstances and tells you what you could claim.",
        "appointment",
        ages=ADULTS,
        child="benefits-advice",
    ),
    _t(
        "money-and-benefits",
        "Debt advice appointments",
        "One-to-one appointments to sort out your debts.",
        "Bring your letters and bills. We make a budget with you and agree a plan.",
        "appointment",
        ages=ADULTS,
        child="debt-advice",
    ),
    _t(
        "money-and-benefits",
        "Help with energy bills",
        "Advice and grants if you are struggling to pay for gas and electricity.",
        "We can help you apply for grants, get on a cheaper tariff and deal with energy debts.",
        "advice",
        extra=("housing",),
    ),
    _t(
        "money-and-benefits",
        "Pension Credit help",
        "Help to claim Pension Credit and other benefits for older people.",
        "Many older people miss out on Pension Credit. We check if you can get it and fill "
        "in the form with you.",
        "advice",
        ages=(66, None),
        child="benefits-advice",
    ),
    _t(
        "money-and-benefits",
        "Food bank",
        "Emergency food for people in crisis.",
        "You need a food bank voucher. Ask a support worker, your GP practice or the council "
        "for one.",
        "dropin",
        place=True,
        referral=True,
    ),
    _t(
        "money-and-benefits",
        "Council Tax Support",
        "Help to pay your Council Tax if you are on a low income.",
        "We check if you can get a reduction and help you apply.",
        "advice",
        ages=ADULTS,
        by=("council", "charity"),
    ),
    _t(
        "money-and-benefits",
        "Appointee service",
        "We manage benefits for people who cannot manage their own money.",
        "An appointee receives your benefits and pays your bills for you.",
        "appointment",
        ages=ADULTS,
        referral=True,
        by=("council", "charity"),
    ),
    _t(
        "money-and-benefits",
        "Debt helpline",
        "Free debt advice by phone.",
        "Call to talk through your debts with an adviser and agree what to do next.",
        "helpline",
        ages=ADULTS,
        child="debt-advice",
    ),
    _t(
        "money-and-benefits",
        "Community pantry",
        "Low-cost groceries for members on a low income.",
        "Members choose groceries worth much more than the weekly fee.",
        "dropin",
        place=True,
        paid="week",
    ),
    _t(
        "money-and-benefits",
        "Benefits advice line",
        "Phone advice about benefits, forms and appeals.",
        "An adviser answers your questions about what you can claim and how to challenge "
        "a decision.",
        "helpline",
        ages=ADULTS,
        child="benefits-advice",
    ),
    _t(
        "money-and-benefits",
        "Online debt advice",
        "Make a budget and a plan for your debts online, with help from an adviser.",
        "Use our online tool to list your income, bills and debts. An adviser checks your "
        "plan and contacts you.",
        "online",
        ages=ADULTS,
        child="debt-advice",
    ),
    _t(
        "money-and-benefits",
        "Budgeting support calls",
        "Regular phone calls to help you stick to a budget.",
        "A money coach calls you every 2 weeks to go through your spending and bills.",
        "phone",
        ages=ADULTS,
    ),
    _t(
        "dementia",
        "Online dementia carers' forum",
        "Talk to other carers online, day or night.",
        "A moderated online forum where family carers share tips and support each other.",
        "online",
        ages=ADULTS,
        child="dementia-carers",
        extra=("carers-support",),
    ),
    _t(
        "dementia",
        "Dementia carers' phone support",
        "Regular phone calls from a dementia adviser if you care for someone.",
        "An adviser calls you at a time that suits you to talk about how things are going.",
        "phone",
        ages=ADULTS,
        child="dementia-carers",
    ),
    # Learning disability
    _t(
        "learning-disability",
        "Learning disability day service",
        "Daytime activities and skills for adults with a learning disability.",
        "Activities include cooking, art, gardening, sport and trips out.",
        "day",
        ages=ADULTS,
        paid="assessed",
        referral=True,
        extra=("day-opportunities",),
        by=("council", "charity", "social enterprise"),
    ),
    _t(
        "learning-disability",
        "Supported employment",
        "Help to find and keep a paid job.",
        "A job coach helps you find work that suits you and supports you when you start.",
        "advice",
        ages=(16, None),
    ),
    _t(
        "learning-disability",
        "Self-advocacy group",
        "Speak up for yourself and for other people with a learning disability.",
        "Members meet to talk about what matters to them and tell services what needs to change.",
        "group",
        ages=(16, None),
        place=True,
    ),
    _t(
        "learning-disability",
        "Friendship and social club",
        "Evenings out and social events for adults with a learning disability.",
        "Discos, meals out, bowling and more. Support workers are there to help.",
        "evening",
        ages=ADULTS,
        place=True,
        paid="session",
        extra=("befriending-and-loneliness",),
    ),
    _t(
        "learning-disability",
        "Short breaks for adults with a learning disability",
        "Overnight and weekend breaks in a friendly, supported setting.",
        "Short breaks give you a change of scene and give your family a rest.",
        "appointment",
        ages=ADULTS,
        paid="assessed",
        referral=True,
        extra=("carers-support",),
        by=("council", "charity", "social enterprise"),
    ),
    _t(
        "learning-disability",
        "Annual health check support",
        "Help to get ready for your yearly health check at your GP practice.",
        "We explain what happens at the check, help you write down questions and can go with you.",
        "advice",
        ages=(14, None),
    ),
    _t(
        "learning-disability",
        "Independent travel training",
        "Learn to travel on your own by bus and train.",
        "A trainer travels with you until you feel confident to make the journey alone.",
        "appointment",
        ages=(14, None),
        extra=("transport",),
    ),
    # Sensory impairment
    _t(
        "sensory-impairment",
        "Sight loss advice",
        "Practical help and emotional support if your sight is getting worse.",
        "We give advice on equipment, benefits, registering as sight impaired and staying "
        "independent.",
        "advice",
    ),
    _t(
        "sensory-impairment",
        "Hearing aid maintenance drop-in",
        "Get new batteries and tubing and have your NHS hearing aid checked.",
        "Trained volunteers clean and retube NHS hearing aids. Bring your brown book.",
        "dropin",
        place=True,
    ),
    _t(
        "sensory-impairment",
        "British Sign Language café",
        "Meet deaf and hearing people and practise British Sign Language.",
        "All levels are welcome, from beginners to fluent signers.",
        "group",
        place=True,
    ),
    _t(
        "sensory-impairment",
        "Deafblind support",
        "One-to-one support for people with both sight and hearing loss.",
        "A specialist worker helps you communicate, get out and about and stay independent.",
        "home",
        referral=True,
        by=("nhs", "charity"),
    ),
    _t(
        "sensory-impairment",
        "Talking newspaper",
        "Local news read aloud and sent to you free.",
        "Listen online or on a USB stick sent by post each week.",
        "online",
    ),
    _t(
        "sensory-impairment",
        "Low vision clinic",
        "Magnifiers and advice to make the most of your sight.",
        "An optometrist assesses your sight and lends you magnifiers and lighting.",
        "appointment",
        referral=True,
        extra=("telecare-and-equipment",),
        by=("nhs", "charity"),
    ),
    _t(
        "sensory-impairment",
        "Lipreading class",
        "Learn to lipread and manage hearing loss.",
        "A friendly weekly class with a qualified lipreading teacher.",
        "class",
        ages=ADULTS,
        place=True,
        paid="course",
    ),
    # Telecare and equipment
    _t(
        "telecare-and-equipment",
        "Community alarm service",
        "A pendant alarm that connects you to help 24 hours a day.",
        "Press the button and talk to our control centre. We call your contacts or send a "
        "responder.",
        "helpline",
        paid="week",
        always_open=True,
        by=("council", "social enterprise", "charity"),
    ),
    _t(
        "telecare-and-equipment",
        "Equipment loan service",
        "Borrow equipment such as bath seats, walking frames and commodes.",
        "A health or social care worker orders the equipment and we deliver it.",
        "appointment",
        referral=True,
        by=("council", "nhs", "charity"),
    ),
    _t(
        "telecare-and-equipment",
        "Wheelchair service",
        "Assessment for a wheelchair if you have a long-term need.",
        "We assess your needs and provide a wheelchair and cushion that suit you.",
        "appointment",
        referral=True,
        by=("nhs",),
    ),
    _t(
        "telecare-and-equipment",
        "Key safe fitting",
        "We fit a key safe so carers and the emergency services can get in.",
        "An approved key safe is fitted by a trained fitter, usually within a week.",
        "home",
        paid="one-off",
    ),
    _t(
        "telecare-and-equipment",
        "Assistive technology showroom",
        "Try out equipment and gadgets that make life easier.",
        "See and try reminders, sensors, easy-use phones and kitchen aids before you buy.",
        "dropin",
        place=True,
    ),
    _t(
        "telecare-and-equipment",
        "Telecare sensors",
        "Sensors that raise an alert for falls, smoke, floods or leaving home at night.",
        "Sensors link to your alarm and alert our control centre automatically.",
        "home",
        paid="week",
    ),
    # Transport
    _t(
        "transport",
        "Dial-a-ride",
        "A door-to-door minibus for people who cannot use buses.",
        "Book your trip by phone at least a day ahead. Drivers help you on and off.",
        "advice",
        paid="session",
    ),
    _t(
        "transport",
        "Community car scheme",
        "Volunteer drivers take you to appointments and the shops.",
        "Book at least 2 days ahead. You pay the driver's mileage.",
        "advice",
        paid="mile",
    ),
    _t(
        "transport",
        "Non-emergency patient transport",
        "Transport to hospital appointments if you have a medical need.",
        "You can get transport if your health means you cannot travel any other way.",
        "appointment",
        referral=True,
        by=("nhs",),
    ),
    _t(
        "transport",
        "Blue Badge help",
        "Help to apply for a Blue Badge for disabled parking.",
        "We help you fill in the form and get the evidence you need.",
        "advice",
        by=("council", "charity"),
    ),
    _t(
        "transport",
        "Shopmobility",
        "Hire a mobility scooter or wheelchair to get around the town centre.",
        "Book ahead or just turn up. We show you how to use the scooter safely.",
        "dropin",
        place=True,
        paid="session",
    ),
    _t(
        "transport",
        "Travel buddy scheme",
        "A volunteer travels with you until you feel confident.",
        "Practise a journey on public transport with someone by your side.",
        "appointment",
    ),
    # Day opportunities
    _t(
        "day-opportunities",
        "Day centre for older people",
        "Company, activities and a hot lunch in a friendly day centre.",
        "Activities include quizzes, exercise, crafts and visiting entertainers.",
        "day",
        ages=(60, None),
        paid="day",
        by=("charity", "council"),
    ),
    _t(
        "day-opportunities",
        "Creative arts club",
        "Painting, crafts and creative writing in a relaxed group.",
        "Materials are provided. No experience needed.",
        "group",
        place=True,
        paid="session",
    ),
    _t(
        "day-opportunities",
        "Community garden project",
        "Grow food and flowers with others. You do not need any experience.",
        "Gardening is good for your body and mind. Tools and gloves are provided.",
        "group",
        place=True,
        extra=("mental-health-and-wellbeing",),
    ),
    _t(
        "day-opportunities",
        "Woodwork and craft workshop",
        "Make, mend and chat in a shared workshop.",
        "Work on your own project or help with community repairs.",
        "group",
        ages=ADULTS,
        place=True,
        extra=("befriending-and-loneliness",),
    ),
    _t(
        "day-opportunities",
        "Music and movement group",
        "Songs, rhythm and gentle movement for all abilities.",
        "Instruments are provided. Carers and support workers are welcome.",
        "group",
        place=True,
    ),
    _t(
        "day-opportunities",
        "Digital skills drop-in",
        "Help using phones, tablets and the internet.",
        "Bring your device and ask anything, from video calls to online shopping.",
        "dropin",
        place=True,
    ),
    # Personal assistants
    _t(
        "personal-assistants",
        "Personal assistant finder",
        "Find a personal assistant to support you at home and in the community.",
        "We match you with personal assistants who have the skills and hours you need.",
        "advice",
        ages=ADULTS,
    ),
    _t(
        "personal-assistants",
        "Employing a personal assistant",
        "Advice on recruiting, contracts, insurance and being an employer.",
        "We explain what you need to do as an employer and give you template documents.",
        "advice",
        ages=ADULTS,
    ),
    _t(
        "personal-assistants",
        "Payroll service for personal assistant employers",
        "We run payroll, tax and pensions for you.",
        "We work out wages, tax and pension payments and send payslips.",
        "advice",
        paid="month",
        by=("charity", "social enterprise", "council"),
    ),
    _t(
        "personal-assistants",
        "Personal assistant training",
        "Free training for personal assistants.",
        "Courses include first aid, moving and handling, and safeguarding.",
        "class",
        ages=(16, None),
        place=True,
    ),
    _t(
        "personal-assistants",
        "Personal assistant register",
        "Register to work as a personal assistant.",
        "Add your details to our register so people looking for support can find you.",
        "online",
        ages=ADULTS,
    ),
    # Children and families
    _t(
        "children-and-families",
        "Family hub",
        "Support, advice and activities for families with children aged 0 to 19.",
        "Get help with parenting, health, money and relationships in one place.",
        "dropin",
        ages=(0, 19),
        place=True,
    ),
    _t(
        "children-and-families",
        "Parenting course",
        "A free 8-week course for parents and carers.",
        "Learn ways to manage behaviour, build routines and enjoy time together.",
        "class",
        ages=ADULTS,
        place=True,
    ),
    _t(
        "children-and-families",
        "Stay and play",
        "Play sessions for babies and young children with their parents or carers.",
        "Messy play, songs and stories. A good way to meet other parents.",
        "group",
        ages=(0, 4),
        place=True,
    ),
    _t(
        "children-and-families",
        "Youth club",
        "Activities, sport and trips for young people.",
        "Hang out with friends, try new things and talk to youth workers.",
        "evening",
        ages=(11, 18),
        place=True,
    ),
    _t(
        "children-and-families",
        "Special educational needs advice",
        "Impartial advice for families of children with special educational needs.",
        "We explain support in school, education, health and care plans, and appeals.",
        "advice",
        ages=(0, 25),
        extra=("learning-disability",),
    ),
    _t(
        "children-and-families",
        "Breastfeeding support group",
        "Help and encouragement with breastfeeding.",
        "Trained peer supporters and health visitors answer your questions.",
        "group",
        place=True,
    ),
    _t(
        "children-and-families",
        "Holiday activities and food programme",
        "Free holiday clubs with a healthy meal for children who get free school meals.",
        "Sport, arts and games in the school holidays, with a free lunch.",
        "group",
        ages=(5, 16),
        place=True,
        extra=("money-and-benefits",),
    ),
    _t(
        "children-and-families",
        "Family support workers",
        "Help for families going through a difficult time.",
        "A family support worker visits you at home and helps with routines, behaviour "
        "and getting other support.",
        "home",
        referral=True,
    ),
]


# --- The demo's organisations ----------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationSpec:
    name: str
    kind: str  # council nhs charity community "social enterprise" national
    categories: tuple[str, ...]
    services: int
    locations: int
    description: str
    featured: tuple[str, ...] = ()
    refuge: bool = False


def _o(name, kind, categories, services, locations, description, **kwargs) -> OrganisationSpec:
    return OrganisationSpec(
        name, kind, tuple(categories), services, locations, description, **kwargs
    )


DEMO_ORGANISATIONS: list[OrganisationSpec] = [
    _o(
        "Seaborough Council Adult Social Care",
        "council",
        ["adult-social-care", "carers-support", "personal-assistants"],
        40,
        4,
        "The council's adult social care team. We help adults who need care and support, "
        "and the people who care for them.",
    ),
    _o(
        "Seaborough Council Housing Options",
        "council",
        ["housing", "money-and-benefits"],
        18,
        2,
        "The council's housing advice and homelessness team.",
    ),
    _o(
        "Seaborough Council Family Services",
        "council",
        ["children-and-families", "learning-disability"],
        34,
        5,
        "Family hubs, early help and services for children with special educational needs.",
    ),
    _o(
        "Seaborough Council Welfare Rights",
        "council",
        ["money-and-benefits"],
        16,
        2,
        "Free benefits advice from the council's welfare rights officers.",
    ),
    _o(
        "Seaborough Council Active Communities",
        "council",
        ["physical-activity", "falls-prevention"],
        32,
        5,
        "The council's sport and physical activity team, working in leisure centres, parks "
        "and community halls.",
    ),
    _o(
        "Seaborough Council Passenger Transport",
        "council",
        ["transport"],
        10,
        1,
        "Community transport, travel training and Blue Badges.",
    ),
    _o(
        "Seaborough Careline",
        "council",
        ["telecare-and-equipment", "falls-prevention"],
        14,
        1,
        "The council's 24-hour alarm and response service.",
    ),
    _o(
        "Seaborough and Saltmarsh NHS Foundation Trust",
        "nhs",
        ["falls-prevention", "dementia", "sensory-impairment"],
        30,
        4,
        "The local hospital trust, providing hospital and specialist community services.",
        featured=("Falls prevention: strength and balance classes",),
    ),
    _o(
        "Seaborough Community Health NHS Trust",
        "nhs",
        ["adult-social-care", "telecare-and-equipment", "falls-prevention"],
        26,
        4,
        "Community nursing, therapy and equipment services.",
    ),
    _o(
        "Seaborough Mental Health NHS Foundation Trust",
        "nhs",
        ["mental-health-and-wellbeing", "dementia"],
        28,
        4,
        "NHS mental health services for adults and older people.",
    ),
    _o(
        "Seaborough Central Primary Care Network",
        "nhs",
        ["befriending-and-loneliness", "mental-health-and-wellbeing", "physical-activity"],
        18,
        3,
        "GP practices working together to offer extra services to their patients.",
        featured=("GP social prescribing",),
    ),
    _o(
        "Seaborough Carers' Centre",
        "charity",
        ["carers-support", "dementia"],
        28,
        3,
        "A local charity supporting unpaid carers of all ages.",
        featured=("Carers' breaks service",),
    ),
    _o(
        "Seaborough Dementia Support",
        "charity",
        ["dementia", "carers-support"],
        30,
        4,
        "A local charity for people living with dementia and the people who care for them.",
        featured=("Memory café", "Dementia carers' support group"),
    ),
    _o(
        "Seaborough Age Well",
        "charity",
        ["befriending-and-loneliness", "day-opportunities", "falls-prevention"],
        34,
        6,
        "A local charity helping older people stay independent, active and connected.",
    ),
    _o(
        "Shoreline Befriending Network",
        "charity",
        ["befriending-and-loneliness"],
        16,
        2,
        "Volunteers offering friendship to people who feel lonely.",
        featured=("Befriending telephone service",),
    ),
    _o(
        "Seaborough Money Advice Centre",
        "charity",
        ["money-and-benefits", "housing"],
        25,
        3,
        "Free, independent advice on money, debt, benefits and housing.",
        featured=("Debt and benefits advice",),
    ),
    _o(
        "Seaborough Food Network",
        "charity",
        ["money-and-benefits"],
        16,
        5,
        "Food banks and community pantries across the area.",
    ),
    _o(
        "Pier Light Wellbeing",
        "charity",
        ["mental-health-and-wellbeing"],
        26,
        4,
        "A local mental health charity offering groups, courses and one-to-one support.",
    ),
    _o(
        "Seaborough Sight and Hearing Society",
        "charity",
        ["sensory-impairment", "telecare-and-equipment"],
        18,
        2,
        "Support for people with sight loss, hearing loss or both.",
    ),
    _o(
        "Saltmarsh Deaf Centre",
        "charity",
        ["sensory-impairment"],
        10,
        1,
        "A centre run by and for deaf people and British Sign Language users.",
    ),
    _o(
        "Seaborough Learning Disability Partnership",
        "charity",
        ["learning-disability", "day-opportunities"],
        22,
        3,
        "Activities, work and advocacy for adults with a learning disability.",
    ),
    _o(
        "Bright Tide Supported Living",
        "social enterprise",
        ["learning-disability", "personal-assistants"],
        14,
        2,
        "A social enterprise supporting people to live in their own homes.",
    ),
    _o(
        "Lanternwick House",
        "charity",
        ["housing", "mental-health-and-wellbeing", "children-and-families"],
        6,
        2,
        "Safe accommodation and support for women and children affected by domestic abuse.",
        refuge=True,
    ),
    _o(
        "Seaborough Young Carers",
        "charity",
        ["carers-support", "children-and-families"],
        12,
        2,
        "Support for children and young people who look after someone at home.",
    ),
    _o(
        "Seaborough Independent Living Centre",
        "charity",
        ["personal-assistants", "telecare-and-equipment", "adult-social-care"],
        18,
        2,
        "Run by disabled people, for disabled people: advice, equipment and employing "
        "personal assistants.",
    ),
    _o(
        "Seaborough Community Transport",
        "charity",
        ["transport"],
        12,
        2,
        "Accessible minibuses and volunteer car schemes.",
    ),
    _o(
        "Saltmarsh Community Garden",
        "community",
        ["day-opportunities", "mental-health-and-wellbeing"],
        8,
        1,
        "A volunteer-run garden where anyone can grow, learn and meet people.",
    ),
    _o(
        "Cockleshell Walkers",
        "community",
        ["physical-activity"],
        12,
        4,
        "A volunteer walking group with routes along the seafront and in local parks.",
    ),
    _o(
        "Tidewater Men's Workshop",
        "community",
        ["befriending-and-loneliness", "day-opportunities"],
        8,
        1,
        "A shared workshop where men meet to make, mend and talk.",
    ),
    _o(
        "Seaborough Parents' Forum",
        "community",
        ["children-and-families", "learning-disability"],
        12,
        2,
        "Parents and carers of disabled children supporting each other.",
    ),
    _o(
        "Harbour Lights Family Trust",
        "charity",
        ["children-and-families", "mental-health-and-wellbeing"],
        24,
        4,
        "Support for families, children and young people.",
    ),
    _o(
        "Seaborough Bereavement Care",
        "charity",
        ["mental-health-and-wellbeing"],
        10,
        1,
        "Free support for anyone who has been bereaved.",
    ),
    _o(
        "Silver Steps Movement Club",
        "community",
        ["physical-activity", "falls-prevention"],
        12,
        3,
        "Exercise and dance classes for people aged 50 and over.",
    ),
    _o(
        "Seaborough Home Improvement Agency",
        "social enterprise",
        ["housing", "telecare-and-equipment", "falls-prevention"],
        14,
        1,
        "Repairs, adaptations and safety checks for older and disabled people.",
    ),
    _o(
        "Quiet Harbour Helpline",
        "national",
        ["befriending-and-loneliness", "mental-health-and-wellbeing"],
        5,
        0,
        "A national charity offering friendship and support by phone and online.",
    ),
    _o(
        "Kestrelwood Dementia Helpline",
        "national",
        ["dementia", "carers-support"],
        4,
        0,
        "A national dementia helpline staffed by nurses and trained advisers.",
    ),
    _o(
        "Larkspur Debt Line",
        "national",
        ["money-and-benefits"],
        4,
        0,
        "A national charity giving free debt advice by phone and online.",
    ),
    _o(
        "Seaborough Arts for Wellbeing",
        "community",
        ["day-opportunities", "mental-health-and-wellbeing", "learning-disability"],
        14,
        2,
        "Creative groups for people of all abilities.",
    ),
    _o(
        "Seaborough Volunteer Drivers",
        "community",
        ["transport", "befriending-and-loneliness"],
        8,
        1,
        "Volunteer drivers taking people to appointments, shops and social groups.",
    ),
    _o(
        "Seaborough Multicultural Families Network",
        "community",
        ["children-and-families", "money-and-benefits"],
        12,
        2,
        "Support and activities for families from all backgrounds, in many languages.",
    ),
]

DEMO_SERVICES = sum(spec.services for spec in DEMO_ORGANISATIONS)
DEMO_LOCATIONS = sum(spec.locations for spec in DEMO_ORGANISATIONS)


# --- Plans: what a directory will contain, before anything is saved ---------------------


@dataclass
class LocationPlan:
    uuid: uuid.UUID
    name: str
    address_1: str
    city: str
    postal_code: str
    latitude: float
    longitude: float
    hide_address: bool = False
    area_description: str = ""
    features: list[str] = field(default_factory=list)


@dataclass
class OrganisationPlan:
    index: int
    uuid: uuid.UUID
    spec: OrganisationSpec
    domain: str
    phone: str
    locations: list[LocationPlan]
    service_uuids: list[uuid.UUID]


@dataclass(frozen=True)
class DirectorySpec:
    """What to generate. Same spec, same seed: the same directory, row for row."""

    namespace: str
    seed: int
    organisations: list[OrganisationSpec]
    reference_date: datetime.date = DEMO_REFERENCE_DATE
    # Snippet usage counts ("used by 12 services") cost a few queries a page: worth it for
    # the demo, not for benchmark sets (run `manage.py rebuild_references_index` if needed).
    reference_index: bool = True


def _uuid(namespace: str, *parts: object) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, ":".join([namespace, *map(str, parts)]))


def _demo_postcodes() -> list[tuple[str, float, float]]:
    """The shipped demo postcodes with their coordinates from the Postcode table."""
    from search.demo import DATA_DIR, load_demo_postcodes
    from search.models import Postcode

    with open(DATA_DIR / "demo_postcodes.csv", newline="") as handle:
        wanted = sorted(row["postcode"] for row in csv.DictReader(handle))
    rows = Postcode.objects.filter(postcode__in=wanted).values_list(
        "postcode", "latitude", "longitude"
    )
    if rows.count() < len(wanted):
        load_demo_postcodes()
    return sorted(rows.all())


def _plan(spec: DirectorySpec) -> list[OrganisationPlan]:
    rng = random.Random(f"{spec.namespace}:{spec.seed}:organisations")
    postcodes = _demo_postcodes()
    total_locations = sum(org.locations for org in spec.organisations)
    if total_locations <= len(postcodes):
        chosen = rng.sample(postcodes, total_locations)
    else:  # large synthetic sets share postcodes (different street numbers)
        chosen = [rng.choice(postcodes) for _ in range(total_locations)]
    venue_names: set[str] = set()
    plans = []
    for index, org in enumerate(spec.organisations):
        domain = f"{slugify(org.name)[:50].strip('-')}.example.org"
        locations = []
        for position in range(org.locations):
            postcode, latitude, longitude = chosen.pop()
            town = TOWNS.get(postcode.split()[0], "Seaborough")
            name = f"{rng.choice(VENUE_NAMES)} {rng.choice(VENUE_TYPES)}"
            if name in venue_names:
                name = f"{name}, {town}"
            venue_names.add(name)
            hidden = org.refuge
            locations.append(
                LocationPlan(
                    uuid=_uuid(spec.namespace, spec.seed, "location", index, position),
                    name=f"Confidential address {position + 1}" if hidden else name,
                    address_1=f"{rng.randint(1, 180)} {rng.choice(STREETS)}",
                    city=town,
                    postal_code=postcode,
                    latitude=latitude,
                    longitude=longitude,
                    hide_address=hidden,
                    area_description="Seaborough area" if hidden else "",
                    features=sorted(rng.sample(ACCESSIBILITY, rng.randint(0, 4))),
                )
            )
        plans.append(
            OrganisationPlan(
                index=index,
                uuid=_uuid(spec.namespace, spec.seed, "organisation", index),
                spec=org,
                domain=domain,
                phone=f"01632 960{rng.randint(0, 999):03d}",
                locations=locations,
                service_uuids=[
                    _uuid(spec.namespace, spec.seed, "service", index, position)
                    for position in range(org.services)
                ],
            )
        )
    return plans


def synthetic_organisations(
    *, services: int, organisations: int, seed: int
) -> list[OrganisationSpec]:
    """Generated organisations sharing `services` between them, with invented names."""
    rng = random.Random(f"synthetic:{seed}:organisations")
    kinds = [
        *["charity"] * 8,
        *["community"] * 5,
        *["council"] * 2,
        *["nhs"] * 2,
        *["social enterprise"] * 2,
        "national",
    ]
    categories = list(dict.fromkeys(template.category for template in TEMPLATES))
    places = [
        f"{prefix}{place}"
        for prefix in ("", "North ", "South ", "East ", "West ", "Upper ", "Lower ")
        for place in SYNTHETIC_PLACES
    ]
    used: set[str] = set()
    specs = []
    base, extra = divmod(services, organisations)
    for index in range(organisations):
        kind = rng.choice(kinds)
        name = f"{rng.choice(places)} {rng.choice(SYNTHETIC_KINDS[kind])}"
        if name in used:
            name = f"{name} {index + 1}"
        used.add(name)
        specs.append(
            OrganisationSpec(
                name=name,
                kind=kind,
                categories=tuple(rng.sample(categories, rng.randint(1, 3))),
                services=base + (1 if index < extra else 0),
                locations=0 if kind == "national" else rng.randint(1, 4),
                description="A fictional organisation, generated to test the directory at scale.",
            )
        )
    return specs


# --- Services ----------------------------------------------------------------------------


SESSIONS = {
    "morning": [(T(10), T(12)), (T(9, 30), T(11, 30)), (T(10, 30), T(12))],
    "afternoon": [(T(13, 30), T(15, 30)), (T(14), T(16)), (T(13), T(15))],
    "evening": [(T(18), T(20)), (T(18, 30), T(20, 30)), (T(19), T(21))],
}
# kind of charge -> (cost option as listed, how the fees sentence says it, amounts)
PRICES = {
    "session": ("Per session", "a session", ["2.00", "2.50", "3.00", "4.00", "5.00"]),
    "course": ("For the course", "for the course", ["20.00", "30.00", "45.00"]),
    "meal": ("Per meal", "a meal", ["4.50", "5.20", "6.00"]),
    "week": ("Per week", "a week", ["3.50", "4.50", "5.00"]),
    "day": ("Per day", "a day", ["32.00", "38.00", "45.00"]),
    "hour": ("Per hour", "an hour, plus materials", ["12.00", "15.00", "18.00"]),
    "mile": ("Per mile", "a mile, paid to the driver", ["0.45"]),
    "month": ("Per month", "a month", ["12.00", "15.00"]),
    "one-off": ("One-off charge", "to buy and fit", ["60.00", "85.00"]),
}
REFERRAL_TEXT = [
    "Your GP, nurse or social worker needs to refer you.",
    "Ask your GP practice or a health professional to refer you.",
    "A health or social care professional needs to refer you. They can call us or use the "
    "referral form.",
]
SELF_REFERRAL_TEXT = [
    "You can refer yourself. Call us or send an email.",
    "You can refer yourself or someone can refer you with your permission.",
    "Just turn up, or call us first if you have any questions.",
]
ALERTS = [
    "Our phone lines are busy on Monday mornings. Try calling later in the week.",
    "Sessions have moved upstairs while the ground floor is repaired. There is a lift.",
    "We have a waiting list at the moment. Call us to find out how long it is.",
]
CLOSED_ALERTS = [
    "This service is closed until further notice while we move to a new building.",
    "This group is not meeting until the new year while the hall is repaired.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _clock(value: datetime.time) -> str:
    """GOV.UK style: 9am, 10:30am, midday, 5:30pm, midnight."""
    if value.hour == 12 and value.minute == 0:
        return "midday"
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def _times_sentence(schedules: list[ScheduleData]) -> str:
    if not schedules:
        return ""
    if len(schedules) == 7 and all(row.closes_at == T(23, 59) for row in schedules):
        return "Open 24 hours a day, every day of the year."
    # Consecutive days with the same hours read as one range: "Monday to Friday, 9am to 5pm".
    runs: list[list[ScheduleData]] = []
    for row in sorted(schedules, key=lambda row: (row.opens_at, row.location is None, row.weekday)):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and (last.opens_at, last.closes_at, last.location)
            == (row.opens_at, row.closes_at, row.location)
            and row.weekday == last.weekday + 1
        ):
            runs[-1].append(row)
        else:
            runs.append([row])
    parts = []
    for run in sorted(runs, key=lambda run: (run[0].weekday, run[0].opens_at)):
        first, last = run[0], run[-1]
        days = DAYS[first.weekday]
        if len(run) > 1:
            joiner = " and " if len(run) == 2 else " to "
            days = f"{days}{joiner}{DAYS[last.weekday]}"
        where = (
            f" at {first.location.name}"
            if first.location and not first.location.hide_address
            else ""
        )
        parts.append(f"{days}, {_clock(first.opens_at)} to {_clock(first.closes_at)}{where}")
    return "Opening times: " + "; ".join(parts) + "."


def _eligibility(ages: tuple[int | None, int | None]) -> str:
    low, high = ages
    if low is None and high is None:
        return "Anyone can use this service."
    if high is None:
        return {18: "Adults aged 18 and over."}.get(low, f"People aged {low} and over.")
    if not low:
        return f"Children aged {high} and under, with a parent or carer."
    return f"Children and young people aged {low} to {high}."


class _ServiceMaker:
    """Makes one organisation's services; its own random stream keeps batches independent."""

    def __init__(
        self,
        *,
        spec: DirectorySpec,
        plan: OrganisationPlan,
        locations: list[Location],
        terms: dict[str, TaxonomyTerm],
    ) -> None:
        self.spec = spec
        self.plan = plan
        self.org = plan.spec
        self.rng = random.Random(f"{spec.namespace}:{spec.seed}:services:{plan.index}")
        self.public_locations = [loc for loc in locations if not loc.hide_address]
        self.hidden_locations = [loc for loc in locations if loc.hide_address]
        self.terms = terms
        self.titles: set[str] = set()
        by_category = [t for t in TEMPLATES if t.category in self.org.categories]
        by_category = [t for t in by_category if not t.by or self.org.kind in t.by]
        if self.org.refuge:
            pool = [t for t in by_category if t.refuge]
        else:
            pool = [t for t in by_category if not t.refuge]
        if not locations:
            pool = [t for t in pool if t.kind in ("helpline", "phone", "online")]
        if not pool:  # an organisation with no remote services in its categories
            pool = [t for t in TEMPLATES if t.kind in ("helpline", "phone", "online")]
        self.pool = pool

    def services(self) -> list[ServiceData]:
        result = []
        featured = list(self.org.featured)
        for position, service_uuid in enumerate(self.plan.service_uuids):
            if position < len(featured):
                template = next(t for t in TEMPLATES if t.title == featured[position])
                title, location = template.title, self._location_for(template)
            else:
                template, title, location = self._pick()
            self.titles.add(title)
            result.append(self._service(service_uuid, template, title, location))
        return result

    def _location_for(self, template: Template) -> Location | None:
        if template.kind in ("helpline", "phone", "online", "home"):
            return None
        if template.refuge or template.kind == "refuge":
            return self.rng.choice(self.hidden_locations) if self.hidden_locations else None
        return self.rng.choice(self.public_locations) if self.public_locations else None

    def _pick(self) -> tuple[Template, str, Location | None]:
        for _attempt in range(40):
            template = self.rng.choice(self.pool)
            location = self._location_for(template)
            if template.place and location is not None:
                for title in (
                    f"{template.title} in {location.city}",
                    f"{template.title} at {location.name}",
                ):
                    if title not in self.titles:
                        return template, title, location
            elif template.title not in self.titles:
                return template, template.title, location
        # Every plain title is taken (a small pool, a big organisation): name the area.
        towns = sorted(set(TOWNS.values()))
        for _attempt in range(40):
            template = self.rng.choice(self.pool)
            title = f"{template.title}: {self.rng.choice(towns)}"
            if title not in self.titles:
                return template, title, self._location_for(template)
        template = self.rng.choice(self.pool)
        number = 2
        while f"{template.title} ({number})" in self.titles:
            number += 1
        return template, f"{template.title} ({number})", self._location_for(template)

    def _service(
        self,
        service_uuid: uuid.UUID,
        template: Template,
        title: str,
        location: Location | None,
    ) -> ServiceData:
        rng, org, reference = self.rng, self.org, self.spec.reference_date
        kind = template.kind
        national = org.kind == "national"
        data = ServiceData(
            name=title,
            uuid=service_uuid,
            summary=template.summary,
            description=template.description,
        )
        # Where and how
        data.locations = [location] if location else []
        if location and kind in ("group", "class", "dropin") and rng.random() < 0.15:
            others = [loc for loc in self.public_locations if loc != location]
            if others:
                data.locations.append(rng.choice(others))
        data.attending_in_person = kind not in ("helpline", "phone", "online")
        data.attending_phone = kind in ("helpline", "phone", "advice", "appointment") or (
            kind == "home" and rng.random() < 0.5
        )
        data.attending_online = kind == "online" or (
            kind in ("advice", "helpline", "group", "class") and rng.random() < 0.2
        )
        if kind == "appointment" and rng.random() < 0.3:
            data.attending_in_person = False  # phone or video appointments only
            data.attending_online = True
        if national:
            data.coverage = "national"
        else:
            wider = 0.6 if kind in ("helpline", "online", "phone") else 0.07
            if rng.random() < wider:
                data.coverage = "county"
        # When
        data.schedules = self._schedules(template, data.locations)
        data.closed_on_bank_holidays = not (template.always_open or kind == "refuge")
        if data.schedules and rng.random() < 0.07:
            data.exceptions = self._exceptions(reference)
        # Who and how much
        data.minimum_age, data.maximum_age = template.ages
        data.eligibility_description = _eligibility(template.ages)
        data.referral_required = template.referral
        data.referral_description = rng.choice(
            REFERRAL_TEXT if template.referral else SELF_REFERRAL_TEXT
        )
        if kind == "refuge":
            data.referral_description = (
                "Call our helpline. We will talk to you about a place and how to get here safely."
            )
        paid = template.paid or (
            "session" if kind in ("group", "class") and rng.random() < 0.2 else ""
        )
        if paid:
            self._costs(data, paid)
        elif kind in ("group", "dropin") and rng.random() < 0.2:
            data.fees = "Free. Donations are welcome."
        # Contact
        slug = slugify(title)[:60].strip("-")
        domain = self.plan.domain
        if org.kind != "community" or rng.random() < 0.6:
            data.website = f"https://{domain}/services/{slug}"
        data.email = f"{rng.choice(['hello', 'info', 'referrals', 'support'])}@{domain}"
        data.phones = self._phones(kind)
        data.languages = [LanguageData("English", "en")]
        if rng.random() < 0.15 or org.name.endswith("Multicultural Families Network"):
            data.languages += [
                LanguageData(name, code)
                for name, code in rng.sample(OTHER_LANGUAGES[:-1], rng.randint(1, 2))
            ]
        if "sensory-impairment" in (template.category, *template.extra) and rng.random() < 0.5:
            data.languages.append(LanguageData("British Sign Language", "bfi"))
        if rng.random() < 0.1:
            data.contacts = [
                ContactData(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    title="Service manager",
                    email=f"manager@{domain}",
                    phone=f"01632 960{rng.randint(0, 999):03d}",
                    is_public=False,
                )
            ]
        # Status and checks
        roll = rng.random()
        if roll < 0.02:
            data.status = "temporarily closed"
            data.alert = rng.choice(CLOSED_ALERTS)
        elif roll < 0.05:
            data.alert = rng.choice(ALERTS)
        data.assured_date = reference - datetime.timedelta(days=int(rng.triangular(0, 600, 60)))
        data.assurer_email = f"directory-team@{domain}"
        # Categories: the main one, maybe a child term and one more (1 to 3 in all)
        terms = [self.terms[template.category]]
        if template.child:
            child = self.terms[template.child]
            # Some services carry only the child term, so browsing by the parent has to
            # include children.
            terms = [child] if rng.random() < 0.25 else [*terms, child]
        for code in template.extra:
            if len(terms) < 3 and rng.random() < 0.6:
                terms.append(self.terms[code])
        data.terms = terms
        data.description = self._description(template, data)
        return data

    def _schedules(self, template: Template, locations: list[Location]) -> list[ScheduleData]:
        rng, kind = self.rng, template.kind
        if template.always_open or kind == "refuge":
            return [ScheduleData(day, T(0), T(23, 59), notes="Open 24 hours") for day in range(7)]
        if kind in ("appointment",) or (kind == "home" and rng.random() < 0.6):
            return []  # by appointment: no fixed times
        if kind in ("advice", "helpline", "home", "day"):
            opens, closes = rng.choice([(T(9), T(17)), (T(9, 30), T(16, 30)), (T(8), T(18))])
            if kind == "day":
                opens, closes = T(10), T(15, 30)
            days = list(range(5)) if rng.random() < 0.7 else sorted(rng.sample(range(5), 3))
            rows = [ScheduleData(day, opens, closes) for day in days]
            if kind == "helpline" and rng.random() < 0.4:
                rows += [ScheduleData(day, T(10), T(14)) for day in (5, 6)]
            elif rng.random() < 0.15:
                rows.append(ScheduleData(2, T(17), T(19), notes="Late opening"))
            elif rng.random() < 0.1:
                rows.append(ScheduleData(5, T(9, 30), T(12, 30)))
            return rows
        if kind == "online":
            opens, closes = rng.choice(SESSIONS["evening"])
            return [ScheduleData(rng.randrange(5), opens, closes)]
        if kind == "phone":
            return [ScheduleData(day, T(10), T(16)) for day in range(5)]
        if kind == "evening":
            opens, closes = rng.choice(SESSIONS["evening"])
            days = sorted(rng.sample(range(7), rng.randint(1, 3)))
            return [ScheduleData(day, opens, closes) for day in days]
        # group, class, dropin: a weekly session; some at the weekend, some at 2 places
        slot = rng.choice(["morning", "morning", "afternoon", "afternoon", "evening"])
        opens, closes = rng.choice(SESSIONS[slot])
        day = rng.randrange(7) if rng.random() < 0.15 else rng.randrange(5)
        if day >= 5:
            opens, closes = rng.choice(SESSIONS["morning"])
        notes = rng.choice(["", "", "", "Every other week", "First week of the month"])
        rows = [
            ScheduleData(
                day,
                opens,
                closes,
                location=locations[0] if len(locations) > 1 else None,
                notes=notes,
            )
        ]
        if len(locations) > 1:
            other_day = (day + 2) % 5
            rows.append(ScheduleData(other_day, opens, closes, location=locations[1]))
        return rows

    def _exceptions(self, reference: datetime.date) -> list[ScheduleExceptionData]:
        rng = self.rng
        christmas = datetime.date(reference.year, 12, 25)
        choice = rng.randrange(3)
        if choice == 0:
            return [
                ScheduleExceptionData(christmas, note="Closed for Christmas"),
                ScheduleExceptionData(christmas + datetime.timedelta(days=1), note="Closed"),
                ScheduleExceptionData(
                    datetime.date(reference.year + 1, 1, 1), note="Closed for New Year"
                ),
            ]
        if choice == 1:
            day = reference + datetime.timedelta(days=rng.randint(7, 40))
            return [ScheduleExceptionData(day, note="Closed for staff training")]
        return [
            ScheduleExceptionData(
                christmas - datetime.timedelta(days=1),
                closed=False,
                opens_at=T(10),
                closes_at=T(13),
                note="Christmas Eve: open in the morning only",
            )
        ]

    def _costs(self, data: ServiceData, paid: str) -> None:
        rng = self.rng
        data.is_free = False
        if paid == "assessed":
            data.fees = "What you pay depends on a financial assessment. Some people pay nothing."
            data.cost_options = [
                CostOptionData("Per week", None, "Depends on a financial assessment")
            ]
            return
        option, phrase, amounts = PRICES[paid]
        amount = Decimal(rng.choice(amounts))
        money = f"{int(amount * 100)}p" if amount < 1 else f"£{amount:.2f}".replace(".00", "")
        data.fees = f"{money} {phrase}."
        if paid in ("session", "course") and rng.random() < 0.5:
            data.fees += " Ask us about a reduced rate if money is tight."
        data.cost_options = [CostOptionData(option, amount)]

    def _phones(self, kind: str) -> list[PhoneData]:
        rng = self.rng
        if self.org.kind == "community" and rng.random() < 0.2:
            return []
        if kind == "helpline":
            phones = [PhoneData(f"0808 157 0{rng.randint(0, 999):03d}", "Freephone")]
            if rng.random() < 0.3:
                phones.append(PhoneData(f"07700 900{rng.randint(0, 999):03d}", "Text"))
            return phones
        if self.org.kind == "community" and rng.random() < 0.5:
            return [PhoneData(f"07700 900{rng.randint(0, 999):03d}", "Mobile")]
        return [PhoneData(f"01632 960{rng.randint(0, 999):03d}")]

    def _description(self, template: Template, data: ServiceData) -> str:
        paragraphs = [template.description]
        if data.locations and not data.locations[0].hide_address:
            where = " and ".join(loc.name for loc in data.locations)
            paragraphs.append(f"You can find us at {where}.")
        times = _times_sentence(data.schedules)
        if times:
            paragraphs.append(times)
        elif template.kind in ("appointment", "home"):
            paragraphs.append("By appointment only. Contact us to arrange a time.")
        paragraphs.append(data.fees or "It is free.")
        return "\n\n".join(paragraphs)


# --- Loading -----------------------------------------------------------------------------


def demo_child_categories_ensure() -> tuple[int, int]:
    """Add the demo's child terms under some local categories. Returns (created, unchanged)."""
    taxonomy = local_categories_get()
    existing = set(TaxonomyTerm.objects.filter(taxonomy=taxonomy).values_list("code", flat=True))
    parents = {
        term.code: term
        for term in TaxonomyTerm.objects.filter(taxonomy=taxonomy, code__in=CHILD_CATEGORIES)
    }
    created = unchanged = 0
    for parent_code, children in CHILD_CATEGORIES.items():
        for name, description in children:
            code = slugify(name)
            if code in existing:
                unchanged += 1
                continue
            TaxonomyTerm.objects.create(
                taxonomy=taxonomy,
                code=code,
                name=name,
                slug=code,
                description=description,
                parent=parents[parent_code],
                uuid=_uuid("demo", "term", code),
            )
            created += 1
    return created, unchanged


def _existing(model, uuids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    for start in range(0, len(uuids), 5000):
        chunk = uuids[start : start + 5000]
        found.update(model.objects.filter(uuid__in=chunk).values_list("uuid", flat=True))
    return found


def build_directory(
    *, spec: DirectorySpec, progress: Callable[[int], None] | None = None
) -> tuple[int, int]:
    """Create whatever of `spec`'s directory is missing. Returns (created, unchanged) rows.

    `progress` is called with the number of services handled after each batch.
    """
    created, unchanged = demo_child_categories_ensure()
    plans = _plan(spec)
    service_uuids = [u for plan in plans for u in plan.service_uuids]
    org_uuids = [plan.uuid for plan in plans]
    location_uuids = [loc.uuid for plan in plans for loc in plan.locations]
    have_services = _existing(ServicePage, service_uuids)
    have_orgs = _existing(OrganisationPage, org_uuids)
    have_locations = _existing(Location, location_uuids)
    unchanged += len(have_services) + len(have_orgs) + len(have_locations)
    if len(have_services) == len(service_uuids) and len(have_orgs) == len(org_uuids):
        if progress:
            progress(len(service_uuids))
        return created, unchanged

    terms = {
        term.code: term for term in TaxonomyTerm.objects.filter(taxonomy=local_categories_get())
    }
    with transaction.atomic():
        new_orgs = [
            OrganisationPage(
                title=plan.spec.name,
                slug=slugify(plan.spec.name)[:80],
                uuid=plan.uuid,
                description=plan.spec.description,
                website=f"https://{plan.domain}/",
                email=f"hello@{plan.domain}",
                phone=plan.phone,
            )
            for plan in plans
            if plan.uuid not in have_orgs
        ]
        pages_bulk_publish(
            pages_by_parent=[(directory_index_get(), new_orgs)],
            update_reference_index=spec.reference_index,
        )
        created += len(new_orgs)
        organisations = {
            org.uuid: org
            for org in OrganisationPage.objects.filter(uuid__in=org_uuids).only(
                "pk", "uuid", "path", "depth", "url_path", "locale_id", "title"
            )
        }
        created += _create_locations(plans, organisations, have_locations)
        locations_by_org: dict[int, list[Location]] = {}
        for location in Location.objects.filter(uuid__in=location_uuids).order_by("pk"):
            locations_by_org.setdefault(location.organisation_id, []).append(location)

    batch: list[tuple[OrganisationPage, list[ServicePage]]] = []
    batch_size = 0
    for plan in plans:
        missing = [u for u in plan.service_uuids if u not in have_services]
        if not missing:
            if progress:
                progress(len(plan.service_uuids))
            continue
        organisation = organisations[plan.uuid]
        by_uuid = {
            location.uuid: location for location in locations_by_org.get(organisation.pk, [])
        }
        locations = [by_uuid[loc.uuid] for loc in plan.locations if loc.uuid in by_uuid]
        maker = _ServiceMaker(spec=spec, plan=plan, locations=locations, terms=terms)
        pages = [
            service_page_build(data=data)
            for data in maker.services()
            if data.uuid not in have_services
        ]
        batch.append((organisation, pages))
        batch_size += len(plan.service_uuids)
        created += len(pages)
        if batch_size >= _BATCH_SERVICES:
            pages_bulk_publish(pages_by_parent=batch, update_reference_index=spec.reference_index)
            if progress:
                progress(batch_size)
            batch, batch_size = [], 0
    if batch:
        pages_bulk_publish(pages_by_parent=batch, update_reference_index=spec.reference_index)
        if progress:
            progress(batch_size)
    return created, unchanged


def _create_locations(
    plans: list[OrganisationPlan],
    organisations: dict[uuid.UUID, OrganisationPage],
    have: set[uuid.UUID],
) -> int:
    new = []
    features = []
    for plan in plans:
        for loc in plan.locations:
            if loc.uuid in have:
                continue
            location = Location(
                uuid=loc.uuid,
                organisation=organisations[plan.uuid],
                name=loc.name,
                address_1=loc.address_1,
                city=loc.city,
                state_province="Essex",
                postal_code=loc.postal_code,
                latitude=loc.latitude,
                longitude=loc.longitude,
                hide_address=loc.hide_address,
                area_description=loc.area_description,
            )
            new.append(location)
            features.extend(
                AccessibilityFeature(location=location, description=text, sort_order=position)
                for position, text in enumerate(loc.features)
            )
    Location.objects.bulk_create(new, batch_size=500)
    for feature in features:
        feature.location_id = feature.location.pk
    AccessibilityFeature.objects.bulk_create(features, batch_size=500)
    return len(new)


def demo_spec(*, reference_date: datetime.date = DEMO_REFERENCE_DATE) -> DirectorySpec:
    return DirectorySpec(
        namespace="demo",
        seed=DEMO_SEED,
        organisations=DEMO_ORGANISATIONS,
        reference_date=reference_date,
    )


def load_demo_directory(*, reference_date: datetime.date = DEMO_REFERENCE_DATE) -> tuple[int, int]:
    """The demo directory: 40 organisations, 100 locations, 700 services. Safe to run again.

    Returns (created, unchanged), counting child categories, organisations, locations and
    services.
    """
    return build_directory(spec=demo_spec(reference_date=reference_date))


def create_synthetic_directory(
    *,
    services: int,
    organisations: int | None = None,
    seed: int = SYNTHETIC_DEFAULT_SEED,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """A larger generated directory for benchmarks, beside any demo data. Safe to run again.

    Its services belong to their own generated organisations. The same arguments give the
    same directory; a different seed gives another one.
    """
    if services < 1:
        raise ValueError("services must be at least 1")
    organisations = organisations or max(1, math.ceil(services / SERVICES_PER_ORGANISATION))
    organisations = min(organisations, services)
    spec = DirectorySpec(
        namespace=f"synthetic-{services}-{organisations}",
        seed=seed,
        organisations=synthetic_organisations(
            services=services, organisations=organisations, seed=seed
        ),
        reference_index=False,
    )
    return build_directory(spec=spec, progress=progress)
