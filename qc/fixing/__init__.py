"""``qc fix``: findings turned into a cleaned corpus, a quarantine and a manifest.

- :mod:`qc.fixing.actions`: the effective action (strip, drop, flag, keep) and strip scope of each rule;
- :mod:`qc.fixing.strip`: the one place a strip span becomes a cleaned text;
- :mod:`qc.fixing.findings`: the run's findings, file by file and record by record, in corpus order;
- :mod:`qc.fixing.edit`: what happens to one record (and the counts);
- :mod:`qc.fixing.recheck`: a cleaned record checked again, so a second fix has nothing to cut;
- :mod:`qc.fixing.writers`: one module per input format, reading raw records and writing them back;
- :mod:`qc.fixing.run`: the orchestration (layout of ``--out``, safety checks, quarantine, manifest).
"""
