"""A plugin whose hooks raise; the reporter it registers before raising must still be there."""

from gipcheck.plugins import hookimpl


def render(run, options):
    return "ok"


@hookimpl
def gipcheck_register_reporters(register):
    register("gipfix-survivor", render)


@hookimpl
def gipcheck_register_functions(register):
    raise RuntimeError("boom in register_functions")


@hookimpl
def gipcheck_enrich_document(loaded, config):
    raise ValueError("boom in enrich_document")
