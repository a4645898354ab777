"""`/mcp`: Haven as a Model Context Protocol server, driven by the official Python `mcp` client
over Streamable HTTP, with the owner's token and with an app token.

The tools are the server's own (the same the agents use): every call runs with the token's
principal and grants, and is audited.
"""

import time

import anyio
import httpx
import requests
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client
from mcp.types import CallToolResult, TextContent

from conftest import bearer, run_haven

MCP_TOOLS = ["search", "read", "list", "write_note"]
INITIALIZE = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def with_session(server, token, work):
    """Connects the official client with `token`, initializes, and returns `work(session, init)`."""
    async def main():
        headers = bearer(token)
        async with httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(30, read=60)) as http:
            async with streamable_http_client(server.url + "/mcp", http_client=http) as (read, write, _):
                async with ClientSession(read, write) as session:
                    init = await session.initialize()
                    return await work(session, init)
    return anyio.run(main)


def assert_tool_result(result):
    assert isinstance(result, CallToolResult)
    assert isinstance(result.isError, bool)
    assert result.content, result
    assert all(isinstance(item, TextContent) and item.text for item in result.content), result.content


def put_note(server, path, text):
    response = requests.put(server.url + "/data" + path, data=text.encode(), headers=bearer(server.home.token),
                            timeout=30)
    assert response.status_code == 201, response.text
    deadline = time.monotonic() + 120
    while requests.get(server.url + "/haven/index", headers=bearer(server.home.token), timeout=30).json()["pending"]:
        assert time.monotonic() < deadline, "indexing did not finish"
        time.sleep(0.05)


def test_the_client_initializes_and_lists_exactly_the_four_tools(server):
    async def work(session, init):
        return init, await session.list_tools()

    init, listed = with_session(server, server.home.token, work)
    status = requests.get(server.url + "/haven/status", headers=bearer(server.home.token), timeout=10).json()
    assert init.serverInfo.name == "haven"
    assert init.serverInfo.version == status["version"]
    assert init.capabilities.tools is not None and init.capabilities.resources is not None
    assert "search" in init.instructions and "haven:///" in init.instructions

    assert [tool.name for tool in listed.tools] == MCP_TOOLS
    schemas = {tool.name: tool.inputSchema for tool in listed.tools}
    assert schemas["search"]["required"] == ["query"]
    assert schemas["search"]["properties"]["k"] == {
        "type": "integer", "description": "How many passages to return, from 1 to 20.", "default": 5}
    assert schemas["read"]["required"] == ["path"]
    assert schemas["read"]["properties"]["version"]["type"] == "integer"
    assert schemas["list"]["properties"]["path"]["default"] == "/"
    assert sorted(schemas["write_note"]["required"]) == ["name", "text"]


def test_search_gives_a_well_formed_tool_result(server):
    put_note(server, "/notes/trip.md", "The trip to Lisbon is in May; the ferry leaves at nine.")

    async def work(session, _):
        return await session.call_tool("search", {"query": "when does the ferry leave", "k": 3})

    result = with_session(server, server.home.token, work)
    assert_tool_result(result)
    assert not result.isError
    assert "the ferry leaves at nine" in result.content[0].text
    assert "/notes/trip.md" in str(result.structuredContent)


def test_resources_are_listed_as_haven_uris(server):
    put_note(server, "/notes/idea.md", "# An idea\n")

    async def work(session, _):
        return await session.list_resources()

    listed = with_session(server, server.home.token, work)
    assert all(str(resource.uri).startswith("haven:///") for resource in listed.resources), listed
    assert "haven:///notes/idea.md" in [str(resource.uri) for resource in listed.resources]

    async def read(session, _):
        return await session.read_resource("haven:///notes/idea.md")

    contents = with_session(server, server.home.token, read).contents
    assert contents and "An idea" in contents[0].text


def test_a_request_without_a_token_is_401(server):
    response = requests.post(server.url + "/mcp", json=INITIALIZE, headers=MCP_HEADERS, timeout=10)
    assert response.status_code == 401, response.text
    assert response.json()["error"]["code"] == "missing_token"
    assert response.headers["www-authenticate"].startswith("Bearer")

    wrong = requests.post(server.url + "/mcp", json=INITIALIZE,
                          headers={**MCP_HEADERS, **bearer("hvn_aaaaaaaaaaaaaaaa_" + "b" * 52)}, timeout=10)
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_token"


def test_an_app_token_works(server):
    created = run_haven("token", "create", "--name", "claude", env=server.env)
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()

    async def work(session, _):
        tools = await session.list_tools()
        listing = await session.call_tool("list", {"path": "/"})
        return tools, listing

    tools, listing = with_session(server, token, work)
    assert [tool.name for tool in tools.tools] == MCP_TOOLS
    assert_tool_result(listing)
    # Without a grant the app sees nothing: the listing is refused and a search finds nothing.
    assert listing.isError and "app:claude" in listing.content[0].text
    put_note(server, "/notes/ok.md", "Shared note about kayaks.")
    put_note(server, "/private/diary.md", "Private diary entry about kayaks.")

    async def search(session, _):
        return await session.call_tool("search", {"query": "kayaks", "k": 5})

    assert with_session(server, token, search).content[0].text.startswith("No passages found")
    run_haven("grant", "add", "--to", "app:claude", "--path", "/notes/", "--rights", "read,list", env=server.env,
              check=True)
    found = with_session(server, token, search)
    assert "/notes/ok.md" in found.content[0].text and "diary" not in found.content[0].text
    entries = requests.get(server.url + "/haven/audit", params={"principal": "app:claude"},
                           headers=bearer(server.home.token), timeout=30).json()["entries"]
    assert entries and not [e for e in entries if e["allowed"] and e["resource"].startswith("/private/")]


def test_the_transport_is_stateless_json(server):
    headers = {**MCP_HEADERS, **bearer(server.home.token)}
    answer = requests.post(server.url + "/mcp", json=INITIALIZE, headers=headers, timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert "mcp-session-id" not in answer.headers
    assert answer.json()["result"]["serverInfo"]["name"] == "haven"

    # A request needs no session: tools/list works on its own.
    listed = requests.post(server.url + "/mcp", json={"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
                           headers=headers, timeout=10)
    assert [tool["name"] for tool in listed.json()["result"]["tools"]] == MCP_TOOLS

    # No server-to-client stream and no session to end.
    for method in ["GET", "DELETE"]:
        refused = requests.request(method, server.url + "/mcp",
                                   headers={"Accept": "text/event-stream", **bearer(server.home.token)}, timeout=10)
        assert refused.status_code == 405, method
        assert refused.headers["allow"] == "POST"
