"""The articles served to other programs, by the chat's own process (ui.py):
a JSON API (http.py), an OpenAI-compatible chat (openai_compat.py) and an
MCP server (mcp_tools.py; also `rag mcp` over stdio), all over one
`Service` (service.py) with the chat's limits (limits.py), behind one login
and body-size guard (guard.py); app.py hands them to Gradio's FastAPI app.

Nothing here is imported by `rag` itself: FastAPI, pydantic and mcp load
only when a server starts.
"""
