// The did:ethr reference resolver (npm ethr-did-resolver, with the did-resolver it depends on) resolving DIDs of
// one chain for microcred's tests. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"rpcUrl": "http://127.0.0.1:8545", "chainId": 31337, "registry": "0x…",
//    "requests": [{"did": "did:ethr:0x7a69:0x…", "versionId": 12 | null}]}
//     -> {"version": "11.1.3", "results": [{"result": {didDocument, didDocumentMetadata, didResolutionMetadata},
//                                           "nowBefore": unix s, "nowAfter": unix s}]}
// "now" is the wall clock the reference evaluates validTo against when no versionId is given; a caller that
// wants the same answer resolves at nowBefore when nowBefore == nowAfter.
// The packages are looked up in MICROCRED_ETHR_DID_RESOLVER_MODULES (a node_modules directory), else in the
// node_modules of the project.
'use strict';
const {createRequire} = require('node:module');
const {readFileSync} = require('node:fs');
const {join} = require('node:path');

const modules = process.env.MICROCRED_ETHR_DID_RESOLVER_MODULES || join(__dirname, '..', '..', '..', 'node_modules');
const fromModules = createRequire(join(modules, 'index.js'));
const ethrPath = fromModules.resolve('ethr-did-resolver');
const {getResolver} = fromModules('ethr-did-resolver');
const {Resolver} = createRequire(ethrPath)('did-resolver');  // the did-resolver ethr-did-resolver itself uses
const version = JSON.parse(readFileSync(join(modules, 'ethr-did-resolver', 'package.json'), 'utf8')).version;

async function main() {
  const request = JSON.parse(readFileSync(0, 'utf8'));
  const resolver = new Resolver(getResolver({
    networks: [{chainId: request.chainId, rpcUrl: request.rpcUrl, registry: request.registry}],
  }), {cache: false});
  const results = [];
  for (const {did, versionId} of request.requests) {
    const url = versionId === null || versionId === undefined ? did : `${did}?versionId=${versionId}`;
    const nowBefore = Math.floor(Date.now() / 1000);
    const result = await resolver.resolve(url);
    const nowAfter = Math.floor(Date.now() / 1000);
    results.push({result, nowBefore, nowAfter});
  }
  // exit once the answer is flushed (a pipe is written asynchronously; the provider would keep node running)
  process.stdout.write(JSON.stringify({version, results}), () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack || err));
  process.exit(1);
});
