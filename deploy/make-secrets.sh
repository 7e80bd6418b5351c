#!/bin/sh
# Writes deploy/dialoog.env (the replicas: secret key, database password) and deploy/db.env (PostgreSQL: the same
# password) with fresh random values, readable by their owner only. Refuses to overwrite: the secret key signs
# every session and token, and the password is already in the database's volume.
set -eu
cd "$(dirname "$0")"
if [ -e dialoog.env ] || [ -e db.env ]; then
    echo "deploy/dialoog.env or deploy/db.env exists already; remove them first to start afresh." >&2
    exit 1
fi
umask 077
password=$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')
key=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')
cat > dialoog.env <<END
# The same on every replica: sessions and tokens signed by one are read by the others.
DIALOOG_SECRET_KEY=$key
# The database password; libpq (psycopg) reads PGPASSWORD, so DIALOOG_DATABASE_URL carries none.
PGPASSWORD=$password
# Mail (README "Configuration"): without a host, mail is logged and kept in the outbox.
# DIALOOG_SMTP_HOST=smtp.example.org
# DIALOOG_SMTP_PORT=587
# DIALOOG_SMTP_STARTTLS=true
# DIALOOG_SMTP_USERNAME=
# DIALOOG_SMTP_PASSWORD=
END
printf 'POSTGRES_PASSWORD=%s\n' "$password" > db.env
echo "Wrote deploy/dialoog.env and deploy/db.env."
