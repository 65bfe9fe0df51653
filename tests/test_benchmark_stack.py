"""The benchmarks' stack refuses to start beside another run, whose server would answer in its place."""

import socket

import pytest

from benchmarks.stack import ensure_port_free


def test_a_benchmark_server_refuses_a_port_another_server_listens_on():
    with socket.socket() as other_run:
        other_run.bind(("127.0.0.1", 0))
        other_run.listen()
        port = other_run.getsockname()[1]

        with pytest.raises(SystemExit, match=f"Port {port} is in use"):
            ensure_port_free(port)

    ensure_port_free(port)  # free again once the other server has stopped
