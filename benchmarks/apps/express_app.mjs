// Express + @liveblocks/node, the endpoint of the seeds' Express guide (the JavaScript baseline).
import express from "express";
import { Liveblocks } from "@liveblocks/node";

const liveblocks = new Liveblocks({
  secret: process.env.LIVEBLOCKS_SECRET_KEY,
  baseUrl: process.env.LIVEBLOCKS_BASE_URL,
});
const app = express();
app.use(express.json());
app.post("/api/liveblocks-auth", async (req, res) => {
  const { status, body } = await liveblocks.identifyUser(
    { userId: "alice", groupIds: ["editors"] },
    { userInfo: { name: "Alice" } },
  );
  res.status(status).type("application/json").end(body);
});
app.listen(Number(process.env.PORT), "127.0.0.1");
