"""The portal's roles. Each is a Django group, created by migration 0002_roles.

docs/permissions.md is the matrix of who may do what; keep the two in step.
"""

RESIDENTS = "Residents"
PROVIDERS = "Providers"
MODERATORS = "Moderators"
PRACTITIONERS = "Social care practitioners"
IG_OFFICERS = "IG officers"
EDITORS = "Editors"
ADMINISTRATORS = "Administrators"

ALL_ROLES = [RESIDENTS, PROVIDERS, MODERATORS, PRACTITIONERS, IG_OFFICERS, EDITORS, ADMINISTRATORS]

# Roles that reach the Wagtail admin (providers edit their own organisation's pages there).
ADMIN_ACCESS_ROLES = [PROVIDERS, MODERATORS, PRACTITIONERS, IG_OFFICERS, EDITORS, ADMINISTRATORS]

DEFAULT_ROLE = RESIDENTS
