# Sourced by .ci/run: install Docker (daemon, Debian's client, Compose 1.29) and debootstrap from
# Debian's packages, start the daemon, and make sure the base image of the generated Dockerfiles
# exists (.ci/base-image.sh). Exports WEBSTARTER_DOCKER: Debian's client builds with BuildKit,
# where another client earlier on PATH may lack the buildx plugin.
if ! command -v dockerd >/dev/null 2>&1 || [ ! -x /usr/bin/docker ] \
  || ! command -v docker-compose >/dev/null 2>&1 || ! command -v debootstrap >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q docker.io docker-compose debootstrap >/dev/null
fi
export WEBSTARTER_DOCKER=/usr/bin/docker
if ! "$WEBSTARTER_DOCKER" info >/dev/null 2>&1; then
  mkdir -p reports
  (dockerd >reports/dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do
    "$WEBSTARTER_DOCKER" info >/dev/null 2>&1 && break
    sleep 1
  done
fi
"$WEBSTARTER_DOCKER" version --format 'docker client {{.Client.Version}}, daemon {{.Server.Version}}'
# shellcheck source=.ci/base-image.sh
. .ci/base-image.sh
