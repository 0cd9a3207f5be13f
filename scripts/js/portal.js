// A browser app on the AWS SDK for JavaScript v3, as an internal portal
// would be: served from its own origin, it calls Frosty's origin, so every
// call is a CORS request the browser checks. cors_browser_test.sh bundles
// it with esbuild and loads it in headless Chromium.
//
// The page's fragment carries the endpoint and the key (a fragment is never
// sent to a server): #endpoint=...&accessKeyId=...&secretAccessKey=...
// The outcome is written as JSON into <pre id="result">.
import {
  SnowballClient,
  CreateAddressCommand,
  DescribeAddressesCommand,
  DescribeJobCommand,
} from "@aws-sdk/client-snowball";

const params = new URLSearchParams(location.hash.slice(1));
const client = new SnowballClient({
  endpoint: params.get("endpoint"),
  region: "us-west-2",
  credentials: {
    accessKeyId: params.get("accessKeyId"),
    secretAccessKey: params.get("secretAccessKey"),
  },
  maxAttempts: 1,
});

async function main() {
  const { AddressId } = await client.send(new CreateAddressCommand({
    Address: { Name: "Portal", Street1: "1 Main St", City: "Seattle", StateOrProvince: "WA", PostalCode: "98101", Country: "US" },
  }));
  const { Addresses } = await client.send(new DescribeAddressesCommand({}));
  // An error reaches the app with its code and request ID, which it can
  // read only when the response exposes them.
  let error = {};
  try {
    await client.send(new DescribeJobCommand({ JobId: "JID0badf00d-0000-4000-8000-000000000000" }));
  } catch (e) {
    error = { name: e.name, requestId: e.$metadata?.requestId ?? "" };
  }
  return { ok: true, addressId: AddressId, addresses: Addresses.length, error };
}

main()
  .catch((e) => ({ ok: false, error: { name: e.name, message: String(e.message ?? e) } }))
  .then((result) => {
    document.getElementById("result").textContent = JSON.stringify(result);
  });
