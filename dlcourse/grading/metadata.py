"""A sanitize and autograde step: nbgrader's cell-metadata check, with its schema compiled once."""
import functools

from nbconvert.preprocessors import Preprocessor
from traitlets import Bool


@functools.lru_cache(maxsize=None)
def _nbgrader_validator():
    """nbgrader's cell-metadata validator, with its JSON schema checked and compiled once: nbgrader
    checks the schema itself again for every cell (a tenth of a second per notebook)."""
    import jsonschema
    from nbgrader.nbgraderformat import MetadataValidator
    from nbgrader.nbgraderformat.common import BaseMetadataValidator

    class CompiledSchema(BaseMetadataValidator):
        compiled = {}

        def validate_cell(self, cell):
            meta = cell.metadata.get("nbgrader")
            if meta is None or meta.get("schema_version", 0) != self.schema_version:
                return super().validate_cell(cell)  # nbgrader's own answer: nothing to check, or a version error
            if self.schema_version not in self.compiled:
                cls = jsonschema.validators.validator_for(self.schema)
                cls.check_schema(self.schema)
                self.compiled[self.schema_version] = cls(self.schema)
            error = jsonschema.exceptions.best_match(self.compiled[self.schema_version].iter_errors(meta))
            if error is not None:
                raise error

    class Validator(MetadataValidator, CompiledSchema):  # MetadataValidator's checks, then CompiledSchema's
        pass
    return Validator


class CheckCellMetadata(Preprocessor):
    """nbgrader's CheckCellMetadata (the same checks and message), with the schema compiled once."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from nbgrader.nbgraderformat import ValidationError
        try:
            _nbgrader_validator()().validate_nb(nb)
        except ValidationError:
            self.log.error("Notebook failed to validate; the nbgrader metadata may be corrupted.", exc_info=True)
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.")
        return nb, resources
