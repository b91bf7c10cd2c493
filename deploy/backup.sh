#!/bin/sh
# A consistent copy of the store while mutualise runs; one file a day, 30 days kept.
# Usage: backup.sh /var/backups/mutualise   (MUTUALISE_DB from /etc/mutualise/mutualise.env)
set -eu
dest=${1:?"dossier des sauvegardes"}
. /etc/mutualise/mutualise.env
day=$(date +%Y-%m-%d)
mkdir -p "$dest"
case "$MUTUALISE_DB" in
  sqlite:///*)
    # VACUUM INTO writes a clean copy inside one read transaction: WAL writers go on.
    db=${MUTUALISE_DB#sqlite:///}
    rm -f "$dest/mutualise-$day.db"
    /opt/mutualise/.venv/bin/python -c 'import sqlite3, sys
sqlite3.connect(sys.argv[1]).execute("VACUUM INTO ?", (sys.argv[2],))' \
      "$db" "$dest/mutualise-$day.db"
    ;;
  postgresql://*)
    pg_dump --format=custom --file="$dest/mutualise-$day.dump" "$MUTUALISE_DB"
    ;;
  *)
    echo "MUTUALISE_DB inattendu : $MUTUALISE_DB" >&2
    exit 1
    ;;
esac
find "$dest" -name 'mutualise-*' -mtime +30 -delete
