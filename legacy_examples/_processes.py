"""Local clusters of child processes, shared by `ps_cluster.py` and
`multi_worker.py` (no TensorFlow here: the launchers never import it)."""
import socket
import subprocess
import time

HOST = "127.0.0.1"


def free_ports(count):
    """`count` distinct free TCP ports on 127.0.0.1 (bound to port 0)."""
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind((HOST, 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def reap(processes):
    """Terminates, then kills, every process still running; waits for all."""
    for proc in processes:
        if proc.poll() is None:
            proc.terminate()
    deadline = time.monotonic() + 5
    for proc in processes:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
