"""A second factor for tests: the current TOTP code for a secret, as an authenticator app shows."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

# A code typed in the last seconds of its 30-second step can reach the server in the
# next step, where (with no tolerance, allauth's default) it is rightly refused. A person
# would wait for the next code; so do the tests, rather than fail at random under load.
SAFETY_MARGIN_SECONDS = 8

# allauth refuses a code already used by the same account in the same step (replay
# protection), so a test that signs the same person in twice waits for a fresh code.
_last_counter_by_secret: dict[str, int] = {}


def current_code(secret: str) -> str:
    period = app_settings.TOTP_PERIOD
    now = time.time()
    if period - (now % period) < SAFETY_MARGIN_SECONDS:
        time.sleep(period - (now % period) + 0.2)
    counter = int(time.time()) // period
    if _last_counter_by_secret.get(secret) == counter:
        time.sleep(period - (time.time() % period) + 0.2)
        counter = int(time.time()) // period
    _last_counter_by_secret[secret] = counter
    return format_hotp_value(hotp_value(secret, counter))
