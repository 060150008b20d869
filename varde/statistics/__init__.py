"""National statistics from a pseudonymised extract, disclosure control, and the HTCDS 2.0 export."""
