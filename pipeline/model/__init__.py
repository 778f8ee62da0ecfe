"""The dossier's model: profile, units, rules, indicators, data and scorecard."""
