// The single-page app of the token-based examples (drf, fastapi): served from ANOTHER origin
// than the API, it logs in for a bearer token, then gets Liveblocks tokens from an authEndpoint
// callback that sends it. /config.json (from the page's own server) says where the API is.
import { createClient } from "@liveblocks/client";
import { $, runRoom, setAccess, showRooms } from "./room_ui.js";

let config; // from /config.json, read first thing in main()
let STORE;
const authorization = () => `${config.scheme} ${sessionStorage.getItem(STORE)}`;

function element(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function showLogin(problem = "") {
  const select = element("select", { name: "username" });
  for (const user of config.users) {
    select.append(element("option", { value: user.username }, user.label));
  }
  const form = element(
    "form",
    {},
    select,
    " ",
    element("button", { type: "submit" }, "Log in")
  );
  const error = element("p", { role: "alert", className: "access-refused" }, problem);
  error.dataset.testid = "login-error";
  const card = element(
    "section",
    { className: "card" },
    element("h2", {}, "Log in (demo mode: no passwords)"),
    element("p", { className: "hint" }, `This page: ${location.origin}. The API: ${config.api}. `,
      `Logging in gets a token from the API; the page keeps it in this tab and sends it to the `,
      `Liveblocks endpoint as "Authorization: ${config.scheme} …".`),
    form,
    error
  );
  card.dataset.testid = "login";
  $("logout").hidden = true; // nobody is logged in on this page
  document.querySelectorAll("body > section").forEach((section) => section.remove());
  document.body.append(card);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const answer = await fetch(`${config.api}${config.tokenPath}`, {
        method: "POST",
        body: new URLSearchParams({ username: select.value, password: "demo" }),
      });
      const body = await answer.json();
      if (!answer.ok) throw new Error(body.detail || `the API answered ${answer.status}`);
      sessionStorage.setItem(STORE, body[config.tokenField]);
      location.reload();
    } catch (problem) {
      // A CORS refusal surfaces as a TypeError ("Failed to fetch"): nothing else is known.
      error.textContent = `cannot log in from this origin: ${problem.message}`;
    }
  });
}

async function main() {
  config = await (await fetch("/config.json")).json();
  STORE = `liveblocks-demo-token:${config.api}`;
  $("logout").addEventListener("click", (event) => {
    event.preventDefault();
    sessionStorage.removeItem(STORE);
    location.assign("/");
  });
  if (!sessionStorage.getItem(STORE)) return showLogin();
  const answer = await fetch(`${config.api}${config.mePath}`, {
    headers: { Authorization: authorization() },
  });
  if (answer.status === 401) {
    sessionStorage.removeItem(STORE);
    return showLogin("your token is no longer valid: log in again");
  }
  const me = await answer.json();
  const roomId = new URLSearchParams(location.search).get("room") || me.landing;
  showRooms(me, roomId, (id) => `/?room=${encodeURIComponent(id)}`);
  const client = createClient({
    baseUrl: me.liveblocksBaseUrl,
    // The callback: the bearer token goes in a header; refusals are final, 5xx are retried.
    authEndpoint: async (room) => {
      const response = await fetch(`${config.api}/api/liveblocks-auth`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: authorization() },
        body: JSON.stringify({ room }),
      });
      const body = await response.json();
      if (response.ok) return body;
      if (response.status < 500) return { error: "forbidden", reason: body.message };
      throw new Error(body.message);
    },
  });
  const explain = async () =>
    (
      await fetch(`${config.api}${config.accessPath}?room=${encodeURIComponent(roomId)}`, {
        headers: { Authorization: authorization() },
      })
    ).json();
  await runRoom(client, roomId, explain);
}

main().catch((error) => {
  setAccess("refused", `error — ${error.message}`);
});
