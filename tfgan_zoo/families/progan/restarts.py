"""Adam whose moments restart when ProGAN's level changes, as the authors' code
resets its optimizers (`reset_opt_for_new_lod`) whenever the floor or the ceiling
of the level changes: at the first step of each fade-in and of each stable phase.

A restart must not touch `iterations`: the engine keys its random streams and
the moving average of G on it. So the optimizer keeps one more variable,
`moments_start` (the iteration of the last restart), and its update reads
m = v = 0 and the bias-correction step t = iterations − moments_start + 1 at
that iteration: the step of a fresh Adam, whatever came before. Never
restarted (moments_start = 0), it is Keras' Adam step for step.
"""

import keras
from keras import ops


@keras.saving.register_keras_serializable(package="tfgan_zoo")
class RestartableAdam(keras.optimizers.Adam):
    """`keras.optimizers.Adam` (without amsgrad) with `restart_moments(flag)`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.amsgrad:
            raise ValueError("RestartableAdam does not implement amsgrad.")

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        # Assigned in replica context by every replica alike, like `iterations`.
        self.moments_start = self.add_variable(
            (),
            initializer="zeros",
            dtype=self.iterations.dtype,
            aggregation="only_first_replica",
            name="moments_start",
        )

    def restart_moments(self, flag=True):
        """Where `flag` (a boolean scalar), the next update starts from fresh moments."""
        self.moments_start.assign(ops.where(flag, self.iterations, self.moments_start))

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        fresh = ops.equal(self.iterations, self.moments_start)
        local_step = ops.cast(self.iterations - self.moments_start + 1, variable.dtype)
        beta_1_power = ops.power(ops.cast(self.beta_1, variable.dtype), local_step)
        beta_2_power = ops.power(ops.cast(self.beta_2, variable.dtype), local_step)
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        self.assign(m, ops.where(fresh, ops.zeros_like(m), m))
        self.assign(v, ops.where(fresh, ops.zeros_like(v), v))
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m), 1 - self.beta_1))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        self.assign_sub(
            variable, ops.divide(ops.multiply(m, alpha), ops.add(ops.sqrt(v), self.epsilon))
        )

    def load_own_variables(self, store):
        # A plain Adam's state (files saved before restarts): everything but
        # moments_start, which stays 0 (the moments are as old as `iterations`).
        if self.built and len(store.keys()) == len(self.variables) - 1:
            for i, variable in enumerate(self.variables[:-1]):
                variable.assign(store[str(i)])
            return
        super().load_own_variables(store)


def restartable(optimizer):
    """`optimizer` (anything `keras.optimizers.get` takes) with plain Adam
    turned into `RestartableAdam`, same settings; other optimizers unchanged
    (they keep their state across levels)."""
    optimizer = keras.optimizers.get(optimizer)
    if type(optimizer) is not keras.optimizers.Adam:
        return optimizer
    if optimizer.built:
        raise ValueError(
            "ProGAN needs an Adam that has not taken a step yet (it turns "
            "it into a RestartableAdam)."
        )
    return RestartableAdam.from_config(optimizer.get_config())


def restart_where(optimizer, flag):
    """Restarts the moments of `optimizer` (or of the optimizer a loss-scale
    wrapper holds) where `flag` holds; no-op for optimizers without restarts."""
    inner = getattr(optimizer, "inner_optimizer", optimizer)
    if isinstance(inner, RestartableAdam):
        inner.restart_moments(flag)
