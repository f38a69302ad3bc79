"""Serving: export generators as TF Serving model versions, and the REST/gRPC contract."""

from tfgan_zoo.serving.exporter import export_generator, model_card, next_version
from tfgan_zoo.serving.signatures import generate_uint8, latents_for_seeds

__all__ = ["export_generator", "model_card", "next_version", "generate_uint8", "latents_for_seeds"]
