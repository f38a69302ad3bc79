"""Packaging for tfgan_zoo: `pip install .` (add `[test]` for the test suite)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(
    r'__version__ = "([^"]+)"', (HERE / "tfgan_zoo" / "__init__.py").read_text()
).group(1)

setup(
    name="tfgan-zoo",
    version=VERSION,
    description="A TensorFlow/Keras 3 model zoo of generative adversarial networks, trained with model.fit.",
    long_description=(HERE / "README.md").read_text(),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    # The zoo catalogue lives at the top level (models/) and installs as tfgan_zoo.models.
    packages=find_packages(include=["tfgan_zoo", "tfgan_zoo.*"]) + ["tfgan_zoo.models"],
    package_dir={"tfgan_zoo.models": "models"},
    # The Fashion-MNIST feature classifier (FID/KID/IS) and its model card.
    package_data={
        "tfgan_zoo": ["weights/*.h5", "weights/*.json"],
        "tfgan_zoo.models": ["*/*.json", "*/*.h5", "*/*.md"],
    },
    # TensorFlow is an extra, as in TF-GAN and TF Probability: `tensorflow` and
    # `tensorflow-cpu` are different distributions of the same package, and pinning
    # one would install it beside the other. Choose `.[cpu]` or `.[gpu]`.
    install_requires=[
        "keras>=3.15",
        "numpy>=1.26",
        "pillow>=10",
        # TF Serving's request protos are declared with it (tfgan_zoo.serving.protos).
        "protobuf>=6.31.1",
    ],
    extras_require={
        "cpu": ["tensorflow-cpu>=2.21,<2.22"],
        "gpu": ["tensorflow[and-cuda]>=2.21,<2.22"],
        # tfds: the tests run its offline mock of the CycleGAN sets.
        # pytest-xdist: the suite runs in two processes, one test file each at a time.
        # scipy: the FID test checks our matrix square root against scipy's.
        # grpcio: the gRPC client test talks to a loopback server.
        # h5py (Keras installs it too): a test edits the weights inside a .keras file.
        "test": [
            "pytest>=8",
            "pytest-xdist>=3.5",
            "tensorflow-datasets>=4.9",
            "importlib_resources",
            "scipy>=1.11",
            "grpcio>=1.60",
            "h5py>=3.10",
        ],
        "tfds": ["tensorflow-datasets>=4.9", "importlib_resources"],
        # Lint, format and type checks (pyproject.toml), pinned so that every
        # contributor, pre-commit and CI format alike.
        "lint": ["ruff==0.17.6", "mypy==2.4.1", "pre-commit>=3.5"],
        # The TF Serving gRPC client (tfgan_zoo.serving.client); TensorFlow already needs it.
        "grpc": ["grpcio>=1.60"],
        # tools/bench_throughput.py --torch-python: the same DCGAN in PyTorch, side by side.
        "bench": ["torch>=2.9"],
        # The real TF Serving protos, for tools/make_serving_golden.py and the parity test
        # only. It requires the full `tensorflow` package: install it with --no-deps.
        "serving-api": ["tensorflow-serving-api>=2.21,<2.22"],
    },
    entry_points={"console_scripts": ["tfgan-zoo=tfgan_zoo.cli:main"]},
)
