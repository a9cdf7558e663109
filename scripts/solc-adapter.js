#!/usr/bin/env node
// solc-adapter makes solc-js (the npm "solc" package) look like the native
// solc command line, as far as forge needs it. Forge cannot download native
// compilers on our machines, so foundry.toml points `solc` at tools/bin/solc,
// a wrapper that runs this script.
//
// Forge uses exactly two calls:
//   solc --version
//   solc [--allow-paths P,...] [--base-path P] [--include-path P]... --standard-json
//        (Standard JSON input on stdin, output on stdout)
// Any other use fails loudly rather than guessing.
//
// The solc package is found through NODE_PATH, which the wrapper sets to the
// tools folder's node_modules.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(msg) {
  process.stderr.write('solc-adapter: ' + msg + '\n');
  process.exit(1);
}

function loadSolc() {
  try {
    return require('solc');
  } catch (err) {
    fail('cannot load solc-js (' + err.message + '); run `make tools`');
  }
}

// nativeVersion turns solc-js's "0.8.37+commit.f401782d.Emscripten.clang"
// into the platform tag native Linux builds print, which is what version
// parsers expect.
function nativeVersion(solc) {
  return solc.version().replace(/\.Emscripten\.clang$/, '.Linux.g++');
}

function parseArgs(argv) {
  const opts = { version: false, standardJson: false, basePath: null, includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, null];
    const value = () => {
      if (inline !== null) return inline;
      if (i + 1 >= argv.length) fail('flag ' + flag + ' needs a value');
      return argv[++i];
    };
    switch (flag) {
      case '--version':
      case '-v':
        opts.version = true;
        break;
      case '--standard-json':
        opts.standardJson = true;
        break;
      case '--base-path':
        opts.basePath = value();
        break;
      case '--include-path':
        opts.includePaths.push(value());
        break;
      case '--allow-paths':
        opts.allowPaths.push(...value().split(',').filter(Boolean));
        break;
      case '--no-import-callback':
        opts.noImportCallback = true;
        break;
      default:
        fail('unsupported argument ' + JSON.stringify(arg) + ' (only --version and --standard-json are adapted)');
    }
  }
  return opts;
}

// importCallback resolves an import the way native solc's file reader does:
// absolute paths as they are, otherwise against the base path, then each
// include path, then each allowed path, then the working directory.
function importCallback(opts) {
  const roots = [];
  if (opts.basePath) roots.push(opts.basePath);
  roots.push(...opts.includePaths, ...opts.allowPaths, process.cwd());
  return (importPath) => {
    const candidates = path.isAbsolute(importPath) ? [importPath] : roots.map((r) => path.resolve(r, importPath));
    for (const file of candidates) {
      try {
        return { contents: fs.readFileSync(file, 'utf8') };
      } catch (err) {
        if (err.code !== 'ENOENT' && err.code !== 'ENOTDIR' && err.code !== 'EISDIR') {
          return { error: 'reading ' + file + ': ' + err.message };
        }
      }
    }
    return { error: 'File not found: ' + importPath + ' (searched ' + roots.join(', ') + ')' };
  };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const solc = loadSolc();
  if (opts.version) {
    process.stdout.write('solc, the solidity compiler commandline interface\nVersion: ' + nativeVersion(solc) + '\n');
    return;
  }
  if (!opts.standardJson) fail('expected --version or --standard-json');
  const input = fs.readFileSync(0, 'utf8');
  const callbacks = opts.noImportCallback ? {} : { import: importCallback(opts) };
  // Like native solc, errors in the input are reported inside the JSON
  // output and the exit status stays 0.
  process.stdout.write(solc.compile(input, callbacks) + '\n');
}

main();
