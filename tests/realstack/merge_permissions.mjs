// Differential oracle: reads a JSON array of cases {defaultAccesses, groupsAccesses, userAccesses}
// on stdin and prints the JSON array of mergeRoomPermissionScopes results (official @liveblocks/core).
import { mergeRoomPermissionScopes } from "@liveblocks/core";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const results = cases.map((c) => {
    try {
      return { scopes: mergeRoomPermissionScopes(c) };
    } catch (error) {
      return { error: String(error.message ?? error) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
