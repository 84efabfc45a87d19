"""Input formats: one reader module per format behind one interface (:mod:`qc.readers.base`), registered
in :mod:`qc.readers.registry`. :mod:`qc.load` resolves inputs, plans splits and canonicalises."""
