#!/bin/sh
# Install mirloop's peer-backend plugins (editable) into a virtualenv. Idempotent.
#
#   sh plugins/install.sh                      # essentia, madmom, spleeter and musicnn into .venv
#   sh plugins/install.sh essentia madmom      # only these
#   sh plugins/install.sh tempocnn             # tempo-cnn (AGPL; fetches its 46 MB of models, no TensorFlow)
#   sh plugins/install.sh --spleeter-env       # also create spleeter's own TensorFlow
#                                              # environment (2.4 GB; mirloop-spleeter setup)
#
# Installing musicnn also exports its models to NumPy (mirloop-musicnn setup: a TensorFlow
# environment of 1.3 GB in ~/.cache/mirloop, used once; 6.5 MB of weights). The plugin's
# backends need those weights; setup is idempotent and quick once they are there.
#
# VENV=path selects the virtualenv (default: .venv next to this folder).
set -eu

HERE=$(cd "$(dirname "$0")" && pwd)
VENV=${VENV:-"$HERE/../.venv"}
PIP="$VENV/bin/pip"
SPLEETER_ENV=no
NAMES=""
for arg in "$@"; do
    case "$arg" in
        --spleeter-env) SPLEETER_ENV=yes ;;
        essentia|madmom|spleeter|musicnn|tempocnn) NAMES="$NAMES $arg" ;;
        *) echo "unknown argument: $arg (expected essentia, madmom, spleeter, musicnn, tempocnn or --spleeter-env)" >&2
           exit 2 ;;
    esac
done
[ -n "$NAMES" ] || NAMES="essentia madmom spleeter musicnn"

if [ ! -x "$PIP" ]; then
    echo "no virtualenv at $VENV; run 'make install' first or set VENV=path" >&2
    exit 2
fi
for name in $NAMES; do
    echo "installing mirloop-$name"
    "$PIP" install --quiet -e "$HERE/mirloop-$name"
done
case " $NAMES " in
    *" musicnn "*) "$VENV/bin/mirloop-musicnn" setup ;;
esac
case " $NAMES " in
    *" tempocnn "*) "$VENV/bin/mirloop-tempocnn" setup ;;
esac
if [ "$SPLEETER_ENV" = yes ]; then
    "$VENV/bin/mirloop-spleeter" setup
fi
