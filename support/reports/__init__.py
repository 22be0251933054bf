"""Reports: metric definitions, aggregate queries, exports (CSV, the monthly PDF) and the charts' JSON."""
