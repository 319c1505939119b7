// The room part of the demo pages (demo.js: session cookie; spa.js: bearer token from another
// origin): one room of the official @liveblocks/client, its people, access and shared counter.
export const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const COLORS = ["#2f6feb", "#b5479b", "#13795b", "#c4561d", "#6b4bd8", "#0f7b8a"];

// One connection to the room: the same list as `liveblocks-auth rooms active-users ROOM`.
function person({ connectionId, id, info }, isSelf) {
  const item = document.createElement("li");
  item.className = "person";
  item.dataset.user = id;
  item.dataset.connection = String(connectionId);
  const circle = document.createElement("span");
  circle.className = "avatar";
  circle.textContent = (info?.name || id || "?").slice(0, 1).toUpperCase();
  circle.style.background = COLORS[[...String(id)].reduce((a, c) => a + c.charCodeAt(0), 0) % COLORS.length];
  const label = document.createElement("span");
  label.textContent = `${info?.name || id}${isSelf ? " (you)" : ""}`;
  const connection = document.createElement("small");
  connection.textContent = `connection ${connectionId}`;
  item.append(circle, label, connection);
  return item;
}

export function setAccess(kind, text) {
  const el = $("access");
  el.className = `access-${kind}`;
  el.textContent = text;
  el.dataset.access = kind;
}


export function showRooms(me, roomId, href) {
  $("me-name").textContent = me.name;
  $("me-org").textContent = me.organization;
  // The lines to paste in a second terminal, exactly (the CLI is in the demo's venv).
  $("cli").textContent = [...me.cliSetup, `${me.cli} rooms active-users ${roomId}`].join("\n");
  for (const id of me.rooms) {
    const link = document.createElement("a");
    link.href = href(id);
    link.textContent = id;
    if (id === roomId) link.setAttribute("aria-current", "page");
    $("rooms").append(link);
  }
}

// Enter `roomId` with `client` and keep the page in step with the room. `explain()` asks the
// app why the user gets what they get (its /access route: the room policy, then the room's
// permissions and the level that decided them).
export async function runRoom(client, roomId, explain) {
  explain()
    .then((answer) => {
      $("why").textContent = answer.why;
    })
    .catch((error) => {
      $("why").textContent = `unknown (${error.message})`;
    });
  const { room } = client.enterRoom(roomId, { initialPresence: {}, initialStorage: { count: 0 } });

  room.subscribe("status", (status) => ($("connection").textContent = status));
  room.events.self.subscribe((self) => {
    if (!self) return;
    setAccess(self.canWrite ? "write" : "read-only", self.canWrite ? "write" : "read-only (you can watch, not change)");
    $("increment").disabled = !self.canWrite;
  });
  client.events.error.subscribe((error) => {
    const message = String(error?.message ?? error);
    // Who refused: our endpoint's 401/403 bodies are JSON {"error", "message"} (from an
    // authEndpoint callback, "Authentication failed: <reason>"); anything else is Liveblocks
    // closing the room's connection (4001: the room's permissions give this user nothing).
    const ours = /"message": ?"([^"]+)"/.exec(message) ?? /^Authentication failed: (.*)$/.exec(message);
    setAccess(
      "refused",
      ours
        ? `refused by this app's endpoint — ${ours[1]}`
        : `refused by Liveblocks (the room's permissions) — ${message}`
    );
    $("connection").textContent = "disconnected";
    const note = document.createElement("li");
    note.className = "hint";
    note.textContent = "Nobody is shown: you were refused, so you are not connected to this room.";
    $("avatars").replaceChildren(note);
    $("write-note").textContent = "The counter is not shown: only people in the room can read it.";
  });
  const renderPeople = () => {
    const self = room.getSelf();
    const people = [...(self ? [person(self, true)] : []), ...room.getOthers().map((o) => person(o, false))];
    $("avatars").replaceChildren(...people);
  };
  room.events.self.subscribe(renderPeople);
  room.subscribe("others", renderPeople);

  const { root } = await room.getStorage();
  const render = () => ($("count").textContent = String(root.get("count") ?? 0));
  render();
  room.subscribe(root, render);

  const increment = () => root.set("count", (root.get("count") ?? 0) + 1);
  $("increment").addEventListener("click", increment);

  // For the browser test: write even when the button is disabled, and say what happened.
  window.demo = {
    forceIncrement() {
      try {
        increment();
        return "written";
      } catch (error) {
        $("write-note").textContent = `write refused: ${error.message}`;
        return `refused: ${error.message}`;
      }
    },
  };
}
