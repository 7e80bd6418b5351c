# Dialoog: slim Python image, non-root user; `dialoog serve` applies migrations, then starts uvicorn.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DIALOOG_ENV=production \
    DIALOOG_DATA_DIR=/data

WORKDIR /srv/dialoog
RUN useradd --create-home --uid 10001 dialoog && mkdir -p /data && chown dialoog:dialoog /data

# Dependencies first, so a code change does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir app && touch app/__init__.py && pip install . && pip uninstall -y dialoog && rm -rf app build

COPY alembic.ini babel.cfg ./
COPY migrations ./migrations
COPY app ./app
# Editable install: the code stays here, beside migrations/ and alembic.ini.
RUN pip install --no-deps -e .

USER dialoog
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"

# DIALOOG_SECRET_KEY must be set: in production Dialoog refuses to start without it.
# Forwarded headers (X-Forwarded-For/-Proto) are trusted from no one unless DIALOOG_FORWARDED_ALLOW_IPS names the
# reverse proxy in front of the container (e.g. -e DIALOOG_FORWARDED_ALLOW_IPS=172.18.0.2); never "*", which
# lets every client pick the address that sign-in limits and the audit trail see.
# The HEALTHCHECK above is liveness (/healthz); docker-compose.yml runs this image as two replicas with
# `--workers N` behind nginx and checks readiness (/readyz) instead (README "Production").
CMD ["dialoog", "serve", "--host", "0.0.0.0", "--port", "8000"]
