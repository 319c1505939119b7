// Plays the browser outside any room: the official @liveblocks/client fetches the user's inbox
// notifications, getting its token from our auth endpoint (no room in the body), then prints one
// JSON line: every request the client made (auth POST and Liveblocks API calls) and the outcome.
//
//   node inbox_notifications.mjs --base-url http://127.0.0.1:PORT \
//        --auth-url http://127.0.0.1:APP/api/liveblocks-auth [--cookie "user=alice"]
import { createClient } from "@liveblocks/client";
import WebSocket from "ws";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, arg, i, all) => {
    if (arg.startsWith("--")) pairs.push([arg.slice(2), all[i + 1]]);
    return pairs;
  }, [])
);

const requests = [];
const recordingFetch = async (url, init = {}) => {
  const headers = { ...(init.headers || {}) };
  if (args.cookie && String(url) === args["auth-url"]) headers.Cookie = args.cookie;
  const response = await fetch(url, { ...init, headers });
  const text = await response.clone().text();
  requests.push({
    url: String(url),
    method: init.method || "GET",
    body: init.body ?? null,
    authorization: headers.Authorization ?? headers.authorization ?? null,
    status: response.status,
    answer: text.slice(0, 300),
  });
  return response;
};

const client = createClient({
  authEndpoint: args["auth-url"],
  baseUrl: args["base-url"],
  polyfills: { WebSocket, fetch: recordingFetch },
});

let outcome;
try {
  const result = await client.getInboxNotifications();
  outcome = { outcome: "ok", count: result.inboxNotifications.length };
} catch (error) {
  outcome = { outcome: "error", message: String(error?.message ?? error).slice(0, 300) };
}
console.log(JSON.stringify({ ...outcome, requests }));
process.exit(0);
