#!/bin/sh
# Init step of every pod that runs as a non-root user with fsGroup: Kubernetes makes secret files
# group-readable (0440, root:<fsGroup>) as soon as a pod sets fsGroup, and the services refuse a
# secret file that group or others can read. So each mounted secret (<from>/<name>/<key>) is copied
# into memory (<to>/<name>/<key>), owned by the pod's user, files 0400 and folders 0500. Only the
# keys are copied, never the kubelet's ..data bookkeeping.
#   copy-secrets.sh [from=/run/secrets-in] [to=/run/secrets]
set -eu
umask 077
from=${1:-/run/secrets-in}
to=${2:-/run/secrets}
for dir in "$from"/*/; do
    [ -d "$dir" ] || continue
    name=$(basename "$dir")
    mkdir -p "$to/$name"
    for f in "$dir"*; do
        [ -f "$f" ] || continue
        cp -L "$f" "$to/$name/"
        chmod 0400 "$to/$name/$(basename "$f")"
    done
    chmod 0500 "$to/$name"
done
