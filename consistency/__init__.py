"""consistency: which claims do several news articles agree on, and which rest on one source.

>>> import consistency
>>> sorted(consistency.__all__)
['ConsistencyError', 'InputError', 'ModelError', 'Report', 'check', 'same_claim']
"""

from consistency.errors import ConsistencyError, InputError, ModelError
from consistency.judge import same_claim
from consistency.pipeline import check
from consistency.report import Report

__all__ = ["ConsistencyError", "InputError", "ModelError", "Report", "check", "same_claim"]
