"""A plugin with a misspelt hook and a hook that lacks the @hookimpl marker."""

from gipcheck.plugins import hookimpl


@hookimpl
def gipcheck_register_loader(register):  # misspelt: the hook is gipcheck_register_loaders
    raise AssertionError("never called")


def gipcheck_register_reporters(register):  # no @hookimpl: pluggy would silently ignore it
    raise AssertionError("never called")
