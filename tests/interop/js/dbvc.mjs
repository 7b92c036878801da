// Digital Bazaar's verifier and issuer (@digitalbazaar/vc, data-integrity and the eddsa/ecdsa rdfc/jcs
// cryptosuites) driven by microcred's tests, offline: contexts come from microcred's bundled copies, did:key
// documents are derived from the DID. Reads one JSON request on stdin, writes one JSON answer on stdout:
//   {"mode": "verify", "suite": "eddsa-rdfc-2022", "credentials": [...], "warmup": 0}
//     -> {"results": [{"verified": bool, "error": str|null}], "elapsed_ms": float, "cpu_ms": float}
//   (elapsed and CPU time of the verification loop only; CPU time counts every thread of the process)
//   {"mode": "issue", "suite": "ecdsa-jcs-2019", "curve": "P-256"|"P-384", "credentials": [...]}
//     -> {"credentials": [...signed], "did": "did:key:..."}
//   {"mode": "verify-presentation", "suite": "eddsa-rdfc-2022", "presentations": [...], "challenge": str,
//    "domain": str} -> {"results": [{"verified": bool, "presentation": bool, "credentials": [bool], "error": str|null}]}
// The credentials to issue name no issuer: the issuer is set to the generated did:key.
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as eddsaJcs2022 from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {cryptosuite as ecdsaRdfc2019} from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import * as ecdsaJcs2019 from '@digitalbazaar/ecdsa-jcs-2019-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';

const here = dirname(fileURLToPath(import.meta.url));
const contextsDir = process.env.MICROCRED_CONTEXTS ||
  join(here, '..', '..', '..', 'src', 'microcred', 'registry', 'credential', 'contexts');
const index = JSON.parse(readFileSync(join(contextsDir, 'index.json'), 'utf8')).contexts;
const contexts = new Map();
for(const [url, entry] of Object.entries(index)) {
  contexts.set(url, JSON.parse(readFileSync(join(contextsDir, entry.file), 'utf8')));
}
const MULTIKEY = 'https://w3id.org/security/multikey/v1';
const DID_V1 = 'https://www.w3.org/ns/did/v1';

function didKeyDocument(did) {
  const multibase = did.slice('did:key:'.length);
  const vmId = `${did}#${multibase}`;
  return {
    '@context': [DID_V1, MULTIKEY], id: did,
    verificationMethod: [{id: vmId, type: 'Multikey', controller: did, publicKeyMultibase: multibase}],
    assertionMethod: [vmId], authentication: [vmId],
  };
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    const [did, fragment] = url.split('#');
    const doc = didKeyDocument(did);
    if(!fragment) {
      return {contextUrl: null, documentUrl: url, document: doc};
    }
    const vm = doc.verificationMethod.find(v => v.id === url);
    if(!vm) {
      throw new Error(`${url}: no such verification method`);
    }
    return {contextUrl: null, documentUrl: url, document: {'@context': MULTIKEY, ...vm}};
  }
  throw new Error(`offline document loader: ${url} is not a bundled context`);
}

function verifySuite(name) {
  switch(name) {
    case 'eddsa-rdfc-2022': return new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
    case 'eddsa-jcs-2022': return new DataIntegrityProof({cryptosuite: eddsaJcs2022.createVerifyCryptosuite()});
    case 'ecdsa-rdfc-2019': return new DataIntegrityProof({cryptosuite: ecdsaRdfc2019});
    case 'ecdsa-jcs-2019': return new DataIntegrityProof({cryptosuite: ecdsaJcs2019.createVerifyCryptosuite()});
    default: throw new Error(`unknown suite ${name}`);
  }
}

function signSuite(name) {
  switch(name) {
    case 'eddsa-rdfc-2022': return eddsaRdfc2022;
    case 'eddsa-jcs-2022': return eddsaJcs2022.createSignCryptosuite();
    case 'ecdsa-rdfc-2019': return ecdsaRdfc2019;
    case 'ecdsa-jcs-2019': return ecdsaJcs2019.createSignCryptosuite();
    default: throw new Error(`unknown suite ${name}`);
  }
}

async function verify(request) {
  const suite = verifySuite(request.suite);
  const results = [];
  for(const credential of request.credentials.slice(0, request.warmup || 0)) {  // JIT and loader caches
    await vc.verifyCredential({credential, suite, documentLoader, checkStatus: async () => ({verified: true})});
  }
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for(const credential of request.credentials) {
    try {
      const result = await vc.verifyCredential({
        credential, suite, documentLoader,
        // the status of a credential is microcred's business: this compares signatures only
        checkStatus: async () => ({verified: true}),
      });
      const error = result.verified ? null : JSON.stringify(
        (result.error && (result.error.errors || [result.error]).map(e => e.message)) ||
        (result.results || []).map(r => r.error && r.error.message));
      results.push({verified: result.verified, error});
    } catch(e) {
      results.push({verified: false, error: String(e && e.message || e)});
    }
  }
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return {results, elapsed_ms: elapsed, cpu_ms: (used.user + used.system) / 1000};
}

async function issue(request) {
  const ecdsa = request.suite.startsWith('ecdsa');
  const keyPair = ecdsa ? await EcdsaMultikey.generate({curve: request.curve || 'P-256'}) :
    await Ed25519Multikey.generate();
  const did = `did:key:${keyPair.publicKeyMultibase}`;
  keyPair.id = `${did}#${keyPair.publicKeyMultibase}`;
  keyPair.controller = did;
  const out = [];
  for(const credential of request.credentials) {
    const suite = new DataIntegrityProof({signer: keyPair.signer(), cryptosuite: signSuite(request.suite)});
    const unsigned = structuredClone(credential);
    if(unsigned.issuer && typeof unsigned.issuer === 'object') {
      unsigned.issuer.id = did;
    } else {
      unsigned.issuer = did;
    }
    out.push(await vc.issue({credential: unsigned, suite, documentLoader}));
  }
  return {credentials: out, did};
}

const chunks = [];
for await (const chunk of process.stdin) {
  chunks.push(chunk);
}
async function verifyPresentations(request) {
  const suite = verifySuite(request.suite);
  const results = [];
  for(const presentation of request.presentations) {
    try {
      const result = await vc.verify({
        presentation, suite, documentLoader, challenge: request.challenge, domain: request.domain,
        checkStatus: async () => ({verified: true}),  // as in verify(): signatures only
      });
      results.push({
        verified: result.verified, presentation: !!(result.presentationResult && result.presentationResult.verified),
        credentials: (result.credentialResults || []).map(r => r.verified),
        error: result.verified ? null : String(result.error && (result.error.errors || [result.error])
          .map(e => e.message).join('; ')),
      });
    } catch(e) {
      results.push({verified: false, presentation: false, credentials: [], error: String(e && e.message || e)});
    }
  }
  return {results};
}

const request = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const answer = request.mode === 'issue' ? await issue(request) :
  request.mode === 'verify-presentation' ? await verifyPresentations(request) : await verify(request);
process.stdout.write(JSON.stringify(answer));
