#!/usr/bin/env node
// The published package runs the compiled CLI; a checkout without a build runs the sources
// directly (Node.js 22 strips TypeScript types).
//
// This file is plain JavaScript that any Node.js parses, and checks the version before anything
// else is loaded: on an older Node.js the CLI would otherwise start servers and fail much later,
// on the first policy file, with `Unknown file extension ".ts"`.
import { existsSync } from 'node:fs';

// Node.js strips TypeScript types by default from 22.18 (earlier 22.x only with a flag): the
// feature itself is checked, so a flag that turns it on (or off) counts too.
if (!process.features.typescript) {
  const off = Number(process.versions.node.split('.')[0]) >= 22 && process.execArgv.concat(process.env.NODE_OPTIONS ?? '').join(' ').includes('strip-types');
  process.stderr.write(
    `integritet: needs Node.js 22.18 or later, which loads TypeScript policy files natively; this is Node.js ${process.versions.node}` +
    `${off ? ' with type stripping turned off' : ''}.\n` +
    (off ? 'hint: run it without --no-experimental-strip-types (look in NODE_OPTIONS too).\n'
      : 'hint: install Node.js 22 LTS (https://nodejs.org), e.g. `nvm install 22` or `fnm install 22`, then run the command again.\n'));
  process.exit(1);
}

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/main.ts', import.meta.url).href);
