#!/usr/bin/env bash
# `npm run proto`: lints proto/ and regenerates the TypeScript in libs/contracts/src/gen (committed, so it is reviewed).
# Offline: buf and protoc-gen-es come from node_modules; nothing is fetched from the Buffer Schema Registry.
# libs/contracts/test/proto.generated.test.ts fails when the committed code differs from what this script generates.
set -euo pipefail

ROOT=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd -P)
# protoc-gen-es needs Node >= 22: the `node` devDependency in node_modules/.bin, also when run as `bash scripts/proto.sh`.
export PATH="$ROOT/node_modules/.bin:$PATH"
BUF="$ROOT/node_modules/.bin/buf"

cd "$ROOT/proto"
"$BUF" lint
"$BUF" generate
printf 'proto: lint ok; generated %s\n' "$(cd "$ROOT" && find libs/contracts/src/gen -name '*.ts' | sort | tr '\n' ' ')"
