"""Pure text analysis: normalising, hashing, sentences, dates, events. No I/O, no clock.

Every function here takes what it needs as arguments (the publication date in particular), so
ingest can run them in a worker and tests can pin their results.
"""
