"""Ask a running tensorflow_model_server for images from an exported generator.

    python export/client.py --model fashion_dcgan --seeds 1,2,3 --out samples.png
    python export/client.py --model fashion_cgan --seeds 1,2 --labels 7,7 --grpc

Uses `tfgan_zoo.serving.client` (REST JSON by default, gRPC with --grpc) and
writes the returned uint8 images as one PNG grid.
"""

import argparse

from tfgan_zoo.images import image_grid, save_png
from tfgan_zoo.serving.client import GeneratorClient


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="localhost")
    parser.add_argument("--model", required=True)
    parser.add_argument("--version", type=int)
    parser.add_argument("--seeds", default="0,1,2,3", help="comma-separated int64 seeds")
    parser.add_argument("--labels", help="comma-separated labels (conditional models)")
    parser.add_argument("--grpc", action="store_true", help="use gRPC (port 8500)")
    parser.add_argument("--rest-port", type=int, default=8501)
    parser.add_argument("--grpc-port", type=int, default=8500)
    parser.add_argument("--out", default="served.png")
    args = parser.parse_args()
    inputs = {"seed": [int(s) for s in args.seeds.split(",")]}
    if args.labels:
        inputs["label"] = [int(s) for s in args.labels.split(",")]
    client = GeneratorClient(args.host, args.model, args.rest_port, args.grpc_port)
    predict = client.predict_grpc if args.grpc else client.predict_rest
    images = predict("sample", inputs, version=args.version)["images"]
    save_png(image_grid(images), args.out)
    print(f"wrote {args.out}: {len(images)} images of shape {images.shape[1:]}")


if __name__ == "__main__":
    main()
