# Sourced by .ci/run: install and start PostgreSQL from Debian's packages, then make a role
# and a database for this run and export WEBSTARTER_POSTGRES_URL (dropped again on exit).
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q postgresql >/dev/null
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
if ! pg_lsclusters -h | grep -q .; then
  pg_createcluster "$version" main >/dev/null
fi
pg_ctlcluster "$version" main start 2>/dev/null || true
for _ in $(seq 1 30); do
  pg_isready -q -h 127.0.0.1 -p 5432 && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432
run_role="ci_$(date +%s)_$$"
run_password="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
su postgres -c "psql -q -v ON_ERROR_STOP=1 -c \"CREATE ROLE $run_role LOGIN CREATEDB PASSWORD '$run_password'\" -c \"CREATE DATABASE $run_role OWNER $run_role\""
export WEBSTARTER_POSTGRES_URL="postgresql://$run_role:$run_password@127.0.0.1:5432/$run_role"
drop_run_role() {
  su postgres -c "psql -q -c 'DROP DATABASE IF EXISTS $run_role WITH (FORCE)' -c 'DROP OWNED BY $run_role' -c 'DROP ROLE IF EXISTS $run_role'" >/dev/null 2>&1 || true
}
trap drop_run_role EXIT
