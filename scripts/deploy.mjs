// Deploys the registries to any EVM chain from the committed artifacts (the same bytecode the Python side ships).
//   MICROCRED_RPC_URL=https://… MICROCRED_PRIVATE_KEY=0x… npx hardhat run scripts/deploy.mjs
// Prints {chainId, addresses} as JSON; record it with `microcred deploy` or in src/microcred/deployments.json.
import { readFileSync } from "node:fs";
import { createPublicClient, createWalletClient, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const url = process.env.MICROCRED_RPC_URL;
const key = process.env.MICROCRED_PRIVATE_KEY;
if (!url || !key) {
  console.error("set MICROCRED_RPC_URL and MICROCRED_PRIVATE_KEY (never commit the key)");
  process.exit(2);
}
const account = privateKeyToAccount(key);
const transport = http(url);
const pub = createPublicClient({ transport });
const chainId = await pub.getChainId();
const chain = { id: chainId, name: `chain-${chainId}`, nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url] } } };
const wallet = createWalletClient({ account, chain, transport });
const addresses = {};
for (const name of ["CredentialRegistry", "EthereumDIDRegistry", "AccreditationRegistry"]) {
  const art = JSON.parse(readFileSync(new URL(`../src/microcred/contracts/${name}.json`, import.meta.url), "utf8"));
  const hash = await wallet.deployContract({ abi: art.abi, bytecode: art.bytecode });
  const receipt = await pub.waitForTransactionReceipt({ hash });
  if (receipt.status !== "success") throw new Error(`deploying ${name} reverted (tx ${hash})`);
  addresses[name] = receipt.contractAddress;
  console.error(`${name}: ${receipt.contractAddress} (${receipt.gasUsed} gas)`);
}
console.log(JSON.stringify({ chainId, addresses }));
