"""KOM's national work (issue 19): action plans and measures, the project portfolio, groups and
meetings, seminars, local coordination units, issues reported to KOM, training, and the yearly report
to the inter-ministerial commission. None of it holds a victim's data."""
