// Differential oracle: reads a JSON array of deliveries {secret, headers, rawBody, nowMs} on
// stdin and prints, for each, what the official WebhookHandler (@liveblocks/node) makes of it:
// {ok: true, event} or {ok: false, error}. Date.now is set to each case's clock.
import { WebhookHandler } from "@liveblocks/node";

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const cases = JSON.parse(input);
  const realNow = Date.now;
  const results = cases.map(({ secret, headers, rawBody, nowMs }) => {
    Date.now = () => nowMs;
    try {
      const event = new WebhookHandler(secret).verifyRequest({ headers, rawBody });
      return { ok: true, event };
    } catch (error) {
      return { ok: false, error: String(error && error.message) };
    } finally {
      Date.now = realNow;
    }
  });
  process.stdout.write(JSON.stringify(results));
});
