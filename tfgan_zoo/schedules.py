"""Learning-rate schedules a recipe names as data (`Recipe.schedule`).

  "cosine"                      the rate decays to 0 over the run along a half cosine
  {"name": "linear-decay",      the rate is held for the first `constant_fraction`
   "constant_fraction": f}      of the run, then falls linearly to 0 at its end
                                (CycleGAN and BicycleGAN: 100 epochs held, then 100
                                decaying; `recipes.linear_decay(0.5)`)

`learning_rate_schedule` turns a spec into what a Keras optimizer takes as its
learning rate, for a run of `updates` optimizer steps.
"""

import keras
from keras import ops

LINEAR_DECAY = "linear-decay"


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class ConstantThenLinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`initial_learning_rate` for steps up to `decay_start`, then a straight line
    to 0 at step `decay_start + decay_steps` (and 0 after it):

        lr(t) = lr_0 · (1 - clip((t - decay_start) / decay_steps, 0, 1))
    """

    def __init__(self, initial_learning_rate, decay_start, decay_steps):
        self.initial_learning_rate = float(initial_learning_rate)
        self.decay_start = int(decay_start)
        self.decay_steps = int(decay_steps)
        if self.decay_start < 0 or self.decay_steps < 1:
            raise ValueError(
                "decay_start must be >= 0 and decay_steps >= 1; got "
                f"{decay_start} and {decay_steps}."
            )

    def __call__(self, step):
        done = (ops.cast(step, "float32") - self.decay_start) / self.decay_steps
        return self.initial_learning_rate * (1.0 - ops.clip(done, 0.0, 1.0))

    def get_config(self):
        return dict(
            initial_learning_rate=self.initial_learning_rate,
            decay_start=self.decay_start,
            decay_steps=self.decay_steps,
        )


def schedule_name(spec):
    """ "cosine", "linear-decay" or None for a schedule spec."""
    return spec.get("name") if isinstance(spec, dict) else spec


def learning_rate_schedule(spec, rate, updates):
    """What an optimizer's `learning_rate` becomes under the schedule `spec` over
    `updates` of its steps: `rate` itself for None."""
    name = schedule_name(spec)
    if name is None:
        return rate
    if name == "cosine":
        return keras.optimizers.schedules.CosineDecay(rate, updates)
    if name == LINEAR_DECAY:
        fraction = float(spec["constant_fraction"])
        if not 0.0 <= fraction < 1.0:
            raise ValueError(f"constant_fraction must be in [0, 1); got {fraction}.")
        held = int(round(fraction * updates))
        return ConstantThenLinearDecay(rate, held, max(updates - held, 1))
    raise ValueError(
        f"Unknown learning-rate schedule {spec!r}; expected None, 'cosine' or "
        f"{{'name': {LINEAR_DECAY!r}, 'constant_fraction': f}}."
    )
