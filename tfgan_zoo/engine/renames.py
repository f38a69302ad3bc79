"""Argument names of earlier versions, so that their files keep loading.

A model class that renamed a constructor argument lists it in a class attribute

    RENAMED = {"filters": "base_filters"}   # old name -> new name

and its `from_config` passes the stored config through `current_config`, which
applies the table (inherited tables apply to subclasses). Where an argument
changed form with its name, the table's value is a function instead of a name:
`convert(cls, old_value, config) -> {new name: value}`.

A class that added an argument whose default changes what a saved model computes
lists the value that reproduces the earlier behaviour:

    EARLIER_DEFAULTS = {"upsample": "bilinear"}   # argument -> value before it existed

A config without that argument (a file written before it existed) gets that value
(or, where the value is a function, `value(config)`); configs written since always
carry the argument, so they are untouched.
"""


def current_config(cls, config):
    """`config` (a dict of constructor arguments, possibly from an earlier version)
    under the argument names `cls` takes today."""
    config = dict(config)
    for old, new in getattr(cls, "RENAMED", {}).items():
        if old not in config:
            continue
        value = config.pop(old)
        updates = new(cls, value, config) if callable(new) else {new: value}
        both = sorted(set(updates) & set(config))
        if both:
            raise ValueError(
                f"{cls.__name__} config has {old!r} and its new name "
                f"{', '.join(map(repr, both))}; give only the new one."
            )
        config.update(updates)
    for name, value in getattr(cls, "EARLIER_DEFAULTS", {}).items():
        if name not in config:
            config[name] = value(config) if callable(value) else value
    return config
