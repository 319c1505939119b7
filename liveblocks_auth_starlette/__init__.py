"""The starlette adapter of liveblocks-auth (not built yet: see the project issues)."""
