# Sourced by .ci/run: make sure the base image the generated Dockerfiles name exists.
# No registry can be reached here, so when python:3.11-slim-bookworm is missing a local stand-in
# is built with debootstrap (Debian's python3 3.11, venv, CA bundle) and tagged with that name.
# The generated Dockerfiles stay the ones users get; the smoke log says a stand-in was used.
base_image="${WEBSTARTER_BASE_IMAGE:-python:3.11-slim-bookworm}"
if ! "$WEBSTARTER_DOCKER" image inspect "$base_image" >/dev/null 2>&1; then
  mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  mirror=${mirror:-$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null)}
  rootfs=$(mktemp -d)
  debootstrap --variant=minbase --include=python3,python3-venv,python-is-python3,ca-certificates \
    bookworm "$rootfs" "$mirror" >/tmp/webstarter-debootstrap.log 2>&1 \
    || { tail -n 20 /tmp/webstarter-debootstrap.log; exit 1; }
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$rootfs" -c . | "$WEBSTARTER_DOCKER" import \
    -c 'ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt' \
    -c 'LABEL org.webstarter.stand-in=true' \
    -c 'CMD ["python3"]' - "$base_image" >/dev/null
  rm -rf "$rootfs"
  echo "built a stand-in base image $base_image (debootstrap bookworm)"
fi
