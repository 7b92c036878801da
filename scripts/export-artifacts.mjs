// Copies the ABI and bytecode of the deployable contracts from Hardhat's artifacts into the Python package,
// so the Python side installs and runs without Node. With --check, compares instead and exits 1 on a difference.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const CONTRACTS = ["CredentialRegistry", "EthereumDIDRegistry", "AccreditationRegistry"];
const OUT = "src/microcred/contracts";
const check = process.argv.includes("--check");
const solc = require("solc/package.json").version;
let differ = 0;

for (const name of CONTRACTS) {
  const src = `artifacts/contracts/${name}.sol/${name}.json`;
  if (!existsSync(src)) continue;
  const art = JSON.parse(readFileSync(src, "utf8"));
  const out = {
    contractName: name,
    sourceName: art.sourceName,
    compiler: `solc-js ${solc}`,
    abi: art.abi,
    bytecode: art.bytecode,
    deployedBytecode: art.deployedBytecode,
  };
  const text = JSON.stringify(out, null, 1) + "\n";
  const dest = `${OUT}/${name}.json`;
  if (check) {
    const old = existsSync(dest) ? readFileSync(dest, "utf8") : "";
    if (old !== text) {
      console.error(`${dest} differs from a fresh compile of ${art.sourceName}: run 'make contracts' and commit`);
      differ = 1;
    } else {
      console.log(`${dest}: matches a fresh compile`);
    }
  } else {
    writeFileSync(dest, text);
    console.log(`wrote ${dest}`);
  }
}
process.exit(differ);
