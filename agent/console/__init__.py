"""The owner's web console: the approval queue, runs and their audit trail, the shop's
listings, the latest sales report and the settings, behind the owner's password.
`shopagent serve` runs it on 127.0.0.1 beside the daily schedule."""
