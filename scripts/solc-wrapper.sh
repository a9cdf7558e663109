#!/bin/sh
# Installed by `make tools` as tools/bin/solc: a native-solc-compatible
# command that runs solc-js through scripts/solc-adapter.js. Paths are found
# relative to this file, so the checkout can move.
here=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
NODE_PATH="$here/../npm/node_modules" exec node "$here/../../scripts/solc-adapter.js" "$@"
