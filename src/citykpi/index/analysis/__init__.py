"""Statistical audit of a built index: indicator statistics, correlations, reliability, unit profiles."""
