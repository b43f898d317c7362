"""Record linkage between award records and companies: national ids first, folded names second."""

from matcher.linkage.ids import SCHEMES, CompanyIdError, normalize_company_id
from matcher.linkage.names import fold_name, name_tokens, strip_legal_forms

__all__ = ["SCHEMES", "CompanyIdError", "fold_name", "name_tokens", "normalize_company_id", "strip_legal_forms"]
