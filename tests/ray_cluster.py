"""A Ray cluster of several nodes on this machine, every one on 127.0.0.1, for the sweep tests.

    python tests/ray_cluster.py HEAD_CPUS WORKERS

starts a head node with HEAD_CPUS CPUs and WORKERS worker nodes of one CPU each (Ray's own
``ray.cluster_utils.Cluster``), prints one JSON line (``address``), then obeys lines on stdin:
``remove-worker`` (kill the first worker node, answer ``removed``) and ``shutdown`` (or end of
input: stop every node). Run in its own process so that the test process never imports Ray, and
with ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` so that Ray keeps every node on the loopback
address instead of the machine's network address: the tests send nothing anywhere else; and
with ``RAY_worker_niceness=0`` so that its workers compete for the CPU like the tests beside them.
"""

import json
import os
import sys

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
# Ray starts its workers at niceness 15; beside the suite's other worker (a face simulation)
# they would get almost no CPU and a tiny sweep would overrun its timeout.
os.environ["RAY_worker_niceness"] = "0"

from ray.cluster_utils import Cluster  # noqa: E402

NODE = {"node_ip_address": "127.0.0.1", "object_store_memory": 100 * 1024 ** 2}


def main() -> None:
    head_cpus, workers = int(sys.argv[1]), int(sys.argv[2])
    cluster = Cluster(initialize_head=True, head_node_args={**NODE, "num_cpus": head_cpus,
                                                             "include_dashboard": False})
    nodes = [cluster.add_node(**NODE, num_cpus=1) for _ in range(workers)]
    cluster.wait_for_nodes()
    print(json.dumps({"address": cluster.address}), flush=True)
    for line in sys.stdin:
        if line.strip() == "remove-worker" and nodes:
            cluster.remove_node(nodes.pop(0))
            print("removed", flush=True)
        elif line.strip() == "shutdown":
            break
    cluster.shutdown()


if __name__ == "__main__":
    main()
