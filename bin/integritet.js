#!/usr/bin/env node
// The published package runs the compiled CLI; a checkout without a build runs the sources
// directly (Node.js 22 strips TypeScript types).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
await import(existsSync(compiled) ? compiled.href : new URL('../src/cli/main.ts', import.meta.url).href);
