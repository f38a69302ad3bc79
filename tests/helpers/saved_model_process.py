"""Calls exported SavedModels in another Python process, one that imports TensorFlow
and never tfgan_zoo: what a TF Serving client holds is the SavedModel alone.

The process is started once per test process and serves every call after
(starting Python and importing TensorFlow cost about 5 s a call). Each call
loads its SavedModel anew; the process keeps nothing else between calls.
"""

import atexit
import pickle
import subprocess
import sys
import textwrap

SERVER = textwrap.dedent("""
    import pickle, sys
    import tensorflow as tf
    for line in sys.stdin:
        export_dir, requests_path, out_path = line.rstrip("\\n").split("\\t")
        loaded = None
        try:
            loaded = tf.saved_model.load(export_dir)
            with open(requests_path, "rb") as f:
                requests = pickle.load(f)
            results = {}
            for name, inputs in requests.items():
                call = loaded.signatures[name]
                outputs = call(**{k: tf.constant(v) for k, v in inputs.items()})
                results[name] = {k: v.numpy() for k, v in outputs.items()}
            reply = "ok" if "tfgan_zoo" not in sys.modules else "error: it imported tfgan_zoo"
        except Exception as error:  # the caller raises it with this process's message
            results, reply = None, f"error {type(error).__name__}: {error}".replace("\\n", " ")
        with open(out_path, "wb") as f:
            pickle.dump(results, f)
        del loaded
        print(reply, flush=True)
""")

_server = None


def _process():
    global _server
    if _server is None or _server.poll() is not None:
        _server = subprocess.Popen(
            [sys.executable, "-c", SERVER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        atexit.register(_server.kill)
    return _server


def signature_outputs(export_dir, requests, tmp_path):
    """{signature: {output name: array}} of the SavedModel at `export_dir`, each
    signature called with its inputs {name: array} in `requests`."""
    requests_path, out_path = tmp_path / "requests.pkl", tmp_path / "outputs.pkl"
    requests_path.write_bytes(pickle.dumps(requests))
    server = _process()
    server.stdin.write(f"{export_dir}\t{requests_path}\t{out_path}\n")
    server.stdin.flush()
    reply = server.stdout.readline().strip()
    if reply != "ok":
        raise AssertionError(f"the SavedModel process answered {reply or 'nothing (it died)'}")
    return pickle.loads(out_path.read_bytes())
