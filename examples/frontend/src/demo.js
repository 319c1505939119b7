// The demo page's logic: one room of the official @liveblocks/client, token from our endpoint
// (a URL: the client POSTs to it with the session cookie).
import { createClient } from "@liveblocks/client";
import { runRoom, setAccess, showRooms } from "./room_ui.js";

async function main() {
  const me = await (await fetch("/me", { credentials: "same-origin" })).json();
  const roomId = new URLSearchParams(location.search).get("room") || me.landing;
  showRooms(me, roomId, (id) => `/?room=${encodeURIComponent(id)}`);
  const client = createClient({ authEndpoint: "/api/liveblocks-auth", baseUrl: me.liveblocksBaseUrl });
  const explain = async () =>
    (await fetch(`/access?room=${encodeURIComponent(roomId)}`, { credentials: "same-origin" })).json();
  await runRoom(client, roomId, explain);
}

main().catch((error) => {
  setAccess("refused", `error — ${error.message}`);
});
