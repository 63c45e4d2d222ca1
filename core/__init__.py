"""gipcheck — rules-as-data checker for 政府信息公开工作年度报告.

The pipeline, one package per step:
load (``gipcheck.load``) → document (``gipcheck.document``) → validate (``gipcheck.validate``)
→ evaluate (``gipcheck.engine`` with ``gipcheck.lang``) → report (``gipcheck.report``).
"""

__version__ = "0.1.0"
