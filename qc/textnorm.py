"""Normal forms of short texts (lines, matches, site names), vectorised over Arrow arrays.

Two lines that differ only in whitespace, digits or case are one template line ("11 References" and
"7 References"); reports group leaked lines by this form and the repeated-lines rule counts it.
"""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

#: ``\s+`` -> " ", matching only the runs that change: most lines' whitespace is single spaces, and RE2
#: replacing each of them by itself was most of the repeated-lines rule's time.
WHITESPACE_RUN = r"[\t\n\f\r]\s*| \s+"
#: ``[0-9]+`` -> "0", likewise skipping the runs that already are a single "0".
DIGIT_RUN = r"[0-9]{2,}|[1-9]"


def normalise_lines(lines: pa.Array) -> pa.Array:
    """Whitespace folded, digits masked, case folded: vectorised over the Arrow array of lines.

    The same as ``lower(replace(trim(replace(line, r"\\s+", " ")), r"[0-9]+", "0"))``: at the start of a
    run, RE2's leftmost match takes the whole run whenever replacing it changes anything.
    """
    folded = pc.utf8_trim_whitespace(pc.replace_substring_regex(lines, WHITESPACE_RUN, " "))
    return pc.utf8_lower(pc.replace_substring_regex(folded, DIGIT_RUN, "0"))
