"""The signals subscription through the npm graphql-ws client under Node, as SPAs use it."""

from __future__ import annotations

from gateways.events import Events
from tests.api_client import Api
from tests.hub_steps import client
from tests.live_steps import join, live_session, next_event, sealed_blob, send, signals
from tests.node_client import node_signals, require_node_clients
from tests.scheduling_steps import CANCEL
from tests.ws_client import served


async def test_the_npm_graphql_ws_client_exchanges_signals_and_hears_the_end(api, settings):
    require_node_clients()
    bus = Events()
    http = Api(settings, bus)
    live = await live_session(api)
    pro, anna = live.professional.token, live.client_token
    await join(http, pro, live.session_id)
    await join(http, anna, live.session_id)
    async with served(settings, bus) as url, \
            signals(url, pro, live.session_id) as pro_ws, \
            node_signals(url, anna, live.session_id) as anna_node:
        assert (await next_event(pro_ws))["kind"] == "PEER_JOINED"
        already = await anna_node.event()
        assert already["kind"] == "PEER_JOINED"
        assert already["peer"]["role"] == "PROFESSIONAL"

        offer, answer = sealed_blob(), sealed_blob()
        assert (await send(http, pro, live.session_id, offer))["accepted"] is True
        assert await anna_node.event() == {"kind": "SIGNAL", "sessionId": live.session_id,
                                           "payload": offer, "peer": None}
        assert (await send(http, anna, live.session_id, answer))["accepted"] is True
        assert (await next_event(pro_ws))["payload"] == answer

        cancelled = await http.data(CANCEL, {"input": {"sessionId": live.session_id}},
                                    token=pro)
        assert cancelled["cancelSession"]["userErrors"] == []
        assert (await anna_node.event())["kind"] == "SESSION_ENDED"
        assert await anna_node.line() == {"complete": True}
    await http.aclose()


async def test_the_npm_client_of_another_account_gets_a_clean_error(api, settings):
    require_node_clients()
    bus = Events()
    live = await live_session(api)
    stranger = await client(api, "bjarni@example.com", "Bjarni")
    async with served(settings, bus) as url, \
            node_signals(url, stranger, live.session_id) as node:
        refused = await node.line()
        assert refused == {"next": {"data": None, "errors": [{
            "message": "That session does not exist, or it is not yours.",
            "extensions": {"code": "NOT_FOUND"}}]}}
        assert await node.line() == {"complete": True}
