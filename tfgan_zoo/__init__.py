"""tfgan_zoo: generative adversarial networks for TensorFlow/Keras 3, trained with `model.fit`.

Importing the package registers every model class with Keras, so
`keras.saving.load_model("model.keras")` works after `import tfgan_zoo` alone.
"""

import os
import sys
import tempfile

__version__ = "0.1.0"


def _import_tensorflow_quietly():
    """Imports TensorFlow with its C++ start-up lines kept off the terminal.

    TensorFlow 2.21 prints oneDNN and CPU-feature notices while it loads, before
    TF_CPP_MIN_LOG_LEVEL is read, so the `tfgan-zoo` command (whose errors are one
    line) sends file descriptor 2 elsewhere for the import alone. If the import
    fails, what TensorFlow printed is shown after all.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as log:
        os.dup2(log.fileno(), 2)
        try:
            import tensorflow  # noqa: F401
        except BaseException:
            os.dup2(saved, 2)
            log.seek(0)
            sys.stderr.write(log.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


if os.path.basename(sys.argv[0] if sys.argv else "") == "tfgan-zoo" and (
    "tensorflow" not in sys.modules
):
    _import_tensorflow_quietly()

from tfgan_zoo import baselines, families, gans, schedules  # noqa: E402,F401  (registers the Keras classes)
