"""Criminal cases: the police's and the prosecution's own records of investigations, charges, trials and
verdicts, the perpetrators and networks behind them, the money confiscated, and the links to victims'
cases. Separate from the victims' cases (varde.cases): who may see what is in varde.access.prosecution.
"""
