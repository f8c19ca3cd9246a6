#!/usr/bin/env bash
# Installs the SDK from BUILD_DIR to a temporary prefix, builds the plugin
# template against it with find_package(bertlab) and checks that bertlab
# loads the result.  Usage: out_of_tree_plugin.sh BUILD_DIR TEMPLATE_DIR BERTLAB
set -euo pipefail
build_dir=$1 template_dir=$2 bertlab=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --component sdk --prefix "$work/prefix" >/dev/null
cmake -S "$template_dir" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }
cmake --build "$work/build" >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }

listing=$(BERTLAB_PLUGIN_PATH="$work/build" "$bertlab" plugins --kind pruner --json)
echo "$listing"
grep -q '"name":"threshold"' <<<"$listing" || { echo "template plugin 'threshold' was not loaded"; exit 1; }
echo "out-of-tree plugin loaded"
