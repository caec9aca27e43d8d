"""A small hand-built framework exercising every row kind: inputs, overrides, multi-point, yes/no, levels, money.

The collection code must work for any framework a city loads, so most tests use this one (its
expected rows are known by heart); the round-trip test also runs on the real U4SSC set.
"""

from __future__ import annotations

PROVENANCE = {"confidence": "high", "basis": "test fixture"}

FRAMEWORK = {
    "id": "testkpis",
    "name": "Test KPIs",
    "version": "1.0",
    "kpis": [
        {
            "code": "EC: ICT: ICT: 1C",
            "name": "Household Internet Access",
            "dimension": "Economy",
            "subdimension": "ICT",
            "category": "ICT Infrastructure",
            "level": "core",
            "unit": "%",
            "definition": "Share of households with internet access",
            "inputs": [
                {"name": "households_with_internet", "label": "Households with internet access", "unit": "households"}
            ],
            "data_points": [
                {"unit": "%", "formula": "100 * households_with_internet / households", "minimum": 0, "maximum": 100}
            ],
            "provenance": PROVENANCE,
        },
        {
            "code": "EC: ICT: ICT: 2C",
            "name": "Fixed Broadband Subscriptions",
            "dimension": "Economy",
            "subdimension": "ICT",
            "category": "ICT Infrastructure",
            "level": "core",
            "unit": "%",
            "inputs": [
                {
                    "name": "fixed_broadband_subscriptions",
                    "label": "Fixed broadband subscriptions",
                    "unit": "subscriptions",
                }
            ],
            "data_points": [
                {
                    "unit": "%",
                    "formula": "100 * fixed_broadband_subscriptions / households",
                    "minimum": 0,
                    "maximum": 100,
                }
            ],
            "checks": [
                {
                    "id": "broadband-below-internet",
                    "expression": "kpi('EC: ICT: ICT: 2C') <= kpi('EC: ICT: ICT: 1C')",
                    "message": "fixed broadband is normally below household internet access",
                }
            ],
            "provenance": PROVENANCE,
        },
        {
            "code": "EC: P: EM: 1C",
            "name": "Unemployment Rate",
            "dimension": "Economy",
            "subdimension": "Productivity",
            "category": "Employment",
            "level": "core",
            "unit": "%",
            "inputs": [
                {"name": "unemployed_people", "label": "Unemployed people", "unit": "persons", "kind": "integer"},
                {"name": "labour_force", "label": "Labour force", "unit": "persons", "kind": "integer"},
                {"name": "total_population", "label": "Population used by the labour survey", "unit": "persons"},
            ],
            "data_points": [
                {
                    "unit": "%",
                    "formula": "100 * unemployed_people / labour_force",
                    "minimum": 0,
                    "maximum": 100,
                    "direction": "lower",
                }
            ],
            "provenance": PROVENANCE,
        },
        {
            "code": "EC: P: I: 1A",
            "name": "Research Spending",
            "dimension": "Economy",
            "subdimension": "Productivity",
            "category": "Innovation",
            "level": "advanced",
            "unit": "USD per capita",
            "data_points": [{"unit": "USD per capita", "minimum": 0}],
            "provenance": PROVENANCE,
        },
        {
            "code": "EN: EN: AQ: 1C",
            "name": "Air Pollution",
            "dimension": "Environment",
            "subdimension": "Environment",
            "category": "Air Quality",
            "level": "core",
            "unit": "µg/m³",
            "data_points": [
                {"key": "pm25", "label": "PM2.5", "unit": "µg/m³", "minimum": 0, "direction": "lower"},
                {"key": "pm10", "label": "PM10", "unit": "µg/m³", "minimum": 0, "direction": "lower"},
            ],
            "provenance": PROVENANCE,
        },
        {
            "code": "SC: SH: S: 1C",
            "name": "Disaster Plan",
            "dimension": "Society and Culture",
            "subdimension": "Safety, Housing and Social Inclusion",
            "category": "Safety",
            "level": "core",
            "unit": "yes/no",
            "data_points": [{"unit": "yes/no", "kind": "boolean", "direction": "yes"}],
            "provenance": PROVENANCE,
        },
        {
            "code": "SC: EH: ED: 9A",
            "name": "Open Data Maturity",
            "dimension": "Society and Culture",
            "subdimension": "Education, Health and Culture",
            "category": "Education",
            "level": "advanced",
            "unit": "level",
            "data_points": [
                {"unit": "level", "kind": "level", "levels": ["none", "partial", "full"], "direction": "yes"}
            ],
            "provenance": PROVENANCE,
        },
    ],
}
