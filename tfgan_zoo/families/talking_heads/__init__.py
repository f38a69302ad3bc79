"""Few-shot re-posing: the talking-head model (Zakharov et al. 2019), with its
networks, losses, few-shot fine-tuning and serving signature."""

from tfgan_zoo.families.talking_heads.finetune import FineTuned
from tfgan_zoo.families.talking_heads.talking_heads import TalkingHeads

__all__ = ["FineTuned", "TalkingHeads"]
