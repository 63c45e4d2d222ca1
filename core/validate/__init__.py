"""Schema validation of the canonical document: ``validate_document(doc) -> list[Violation]``.

The JSON Schemas in ``schemas/`` (``document-2021.schema.json``, ``document-2019.schema.json``) are
the contract; violations come back as data for the engine to turn into findings.
"""

from gipcheck.validate.compiler import Unsupported, compile_schema
from gipcheck.validate.validator import (
    SchemaValidator,
    Violation,
    get_validator,
    label_for,
    load_schema,
    schema_format,
    validate_document,
)

__all__ = [
    "SchemaValidator", "Unsupported", "Violation", "compile_schema", "get_validator", "label_for",
    "load_schema", "schema_format", "validate_document",
]
