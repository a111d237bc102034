"""Sales analytics: KPIs with pandas, recommendations as proposed actions, an HTML report."""
