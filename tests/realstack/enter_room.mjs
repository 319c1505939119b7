// Plays the browser: the official @liveblocks/client enters a room, getting its token from our
// auth endpoint (a URL, so the client itself POSTs and interprets our statuses), then prints one
// JSON line with the outcome and exits.
//
//   node enter_room.mjs --base-url http://127.0.0.1:PORT --auth-url http://127.0.0.1:APP/api/liveblocks-auth \
//        --room acme-roadmap [--cookie "sessionid=..."] [--authorization "Token ..."]
//        [--origin http://...] [--timeout-ms 15000]
//
// Outcomes: {"outcome":"connected","canWrite":bool,"id":..,"info":..}
//           {"outcome":"refused","code":4001,"message":...}  (the room refused the token)
//           {"outcome":"auth-failed","message":"Unauthorized: ... (403 returned by POST ...)"}
//           {"outcome":"timeout","status":...}
import { createClient } from "@liveblocks/client";
import WebSocket from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, [])
);
for (const required of ["base-url", "auth-url", "room"]) {
  if (!args[required]) {
    console.error(`missing --${required}`);
    process.exit(64);
  }
}

const authRequests = [];
const cookieFetch = async (url, init = {}) => {
  const headers = { ...(init.headers || {}) };
  if (args.cookie) headers.Cookie = args.cookie;
  if (args.authorization) headers.Authorization = args.authorization;
  if (args.origin) headers.Origin = args.origin;
  const response = await fetch(url, { ...init, headers });
  authRequests.push(response.status);
  return response;
};

let finished = false;
function finish(result, code = 0) {
  if (finished) return;
  finished = true;
  console.log(JSON.stringify({ ...result, authRequests }));
  try {
    leave();
  } catch {}
  setTimeout(() => process.exit(code), 50);
}

const client = createClient({
  authEndpoint: args["auth-url"],
  baseUrl: args["base-url"],
  polyfills: { WebSocket, fetch: cookieFetch },
});

const { room, leave } = client.enterRoom(args.room, { initialPresence: {} });

room.events.self.subscribe((self) => {
  if (self) finish({ outcome: "connected", canWrite: self.canWrite, id: self.id, info: self.info ?? null });
});
client.events.error.subscribe((error) => {
  const code = error?.context?.code ?? error?.code ?? null;
  const message = String(error?.message ?? error);
  if (/Unauthorized|Failed to authenticate|Caching Liveblocks tokens/.test(message)) {
    finish({ outcome: "auth-failed", code, message });
  } else {
    finish({ outcome: "refused", code, message });
  }
});

setTimeout(
  () => finish({ outcome: "timeout", status: room.getStatus() }, 3),
  Number(args["timeout-ms"] || 15000)
);
