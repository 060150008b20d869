"""The interchange CSV: import referrals from, and export what a user may see to, one flat file."""
