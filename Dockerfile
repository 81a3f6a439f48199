# The portal's image. Stage 1 builds the front-end assets with Debian's Node.js; stage 2 is the
# Python runtime under gunicorn. All configuration comes from the environment at run time
# (README.md "Configuration", docs/deployment.md).

# --- 1. front-end assets -------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS assets

# Bookworm's Node.js is 18.20. sass declares Node 20.19+, but compiles the same CSS on 18.20; the
# Node.js version check happens here, at build time, and Node.js is not in the final image.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /build
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY scripts/build-assets.mjs scripts/
COPY frontend/ frontend/
RUN npm run build

# --- 2. runtime ----------------------------------------------------------------------------------
FROM python:3.11-slim-bookworm AS runtime

# PYTHONPATH: settings find templates/ and frontend/build/ relative to the source tree, so the
# code in /app must win over the copy pip installs into site-packages.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    DJANGO_SETTINGS_MODULE=portal.settings.production

RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies are pinned by the same constraints file as `make run` and `make test`.
COPY pyproject.toml README.md ./
COPY requirements/constraints.txt requirements/
COPY portal/ portal/
COPY directory/ directory/
COPY search/ search/
COPY consent/ consent/
COPY selfcare/ selfcare/
RUN pip install -c requirements/constraints.txt . \
    && rm -rf build *.egg-info

COPY manage.py ./
COPY templates/ templates/
COPY --from=assets /build/frontend/build/ frontend/build/

# production.py refuses to start without these; the values are dummies that exist only for this
# one command and are not kept in the image. collectstatic touches neither the database, the key,
# the mail server nor the task queue. It writes to STATIC_ROOT's default, /app/static, where
# WhiteNoise looks.
RUN SECRET_KEY=build-only \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build@localhost/build \
    EMAIL_HOST=build.invalid \
    DEFAULT_FROM_EMAIL=build@build.invalid \
    TASK_BACKEND=database \
    python manage.py collectstatic --noinput \
    && mkdir -p /app/media \
    && chown portal:portal /app/media

USER portal
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-", "--logger-class", "portal.access_log.RedactingLogger"]
