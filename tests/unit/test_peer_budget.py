"""Peer calls have their own short budget: a peer that does not answer cannot hold up local recording."""

from __future__ import annotations

from lineage_recorder import aws
from lineage_recorder.peers.directory import peer_config, peer_sts_client

# The function's timeout (infra/recorder.py) and the share of it one peer may take at worst.
FUNCTION_TIMEOUT_SECONDS = 120
WORST_PEER_SHARE = 0.25


def test_a_peer_call_s_worst_case_is_a_small_share_of_the_function_s_time() -> None:
    # Given the peer clients' configuration; When its worst case is added up (every attempt timing out)
    config = peer_config()
    worst = aws.worst_call_seconds(
        config.retries["total_max_attempts"], config.connect_timeout, config.read_timeout
    )
    # Then it is a small share of the function's time, and far below the recorder's own calls' worst case
    assert worst <= FUNCTION_TIMEOUT_SECONDS * WORST_PEER_SHARE
    assert worst < aws.longest_call_seconds() / 5


def test_the_peer_sts_client_uses_the_peer_budget() -> None:
    # Given the STS client the peer directory assumes roles with
    client = peer_sts_client("http://127.0.0.1:1")
    # Then it has the peer budget, not the recorder's eight attempts and 30 s reads
    assert client.meta.config.read_timeout == peer_config().read_timeout
    assert client.meta.config.retries["total_max_attempts"] == peer_config().retries["total_max_attempts"]
