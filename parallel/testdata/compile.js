const solc = require('solc');
const fs = require('fs');
const path = require('path');
const dir = process.argv[2];
const sources = {};
for (const f of ['Token.sol', 'Pair.sol']) sources[f] = { content: fs.readFileSync(path.join(dir, f), 'utf8') };
const input = { language: 'Solidity', sources, settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: 'cancun', outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } } } };
function findImports(p) {
  try { return { contents: fs.readFileSync(path.join(process.env.NODE_MODULES || 'node_modules', p), 'utf8') }; } catch (e) { return { error: 'not found ' + p }; }
}
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
if (out.errors) for (const e of out.errors) { console.error(e.formattedMessage); if (e.severity === 'error') process.exit(1); }
for (const [file, name] of [['Token.sol', 'Token'], ['Pair.sol', 'Pair']]) {
  const c = out.contracts[file][name];
  fs.writeFileSync(path.join(dir, name + '.bin'), c.evm.bytecode.object + '\n');
  fs.writeFileSync(path.join(dir, name + '.abi'), JSON.stringify(c.abi) + '\n');
}
console.log('solc', solc.version());
