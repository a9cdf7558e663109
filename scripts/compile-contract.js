// compile-contract.js compiles one Solidity file with the pinned solc-js
// and writes NAME.bin and NAME.abi next to it. Usage:
//   node scripts/compile-contract.js tools/npm/node_modules/solc FILE.sol NAME OUTDIR
const solc = require(process.argv[2]);
const fs = require('fs');
const src = fs.readFileSync(process.argv[3], 'utf8');
const name = process.argv[4];
const input = {language:'Solidity', sources:{[name+'.sol']:{content:src}}, settings:{optimizer:{enabled:true,runs:200}, evmVersion:'prague', outputSelection:{'*':{'*':['abi','evm.bytecode.object']}}}};
const out = JSON.parse(solc.compile(JSON.stringify(input)));
if (out.errors) for (const e of out.errors) { console.error(e.formattedMessage); if (e.severity==='error') process.exit(1); }
const c = out.contracts[name+'.sol'][name];
fs.writeFileSync(process.argv[5]+'/'+name+'.bin', c.evm.bytecode.object+'\n');
fs.writeFileSync(process.argv[5]+'/'+name+'.abi', JSON.stringify(c.abi)+'\n');
