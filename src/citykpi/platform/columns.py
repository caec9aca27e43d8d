"""The columns of the open-data tables and of the query API, each concept described once.

A city's slug, a year, a period or a data-quality level mean the same in the results the query API
answers, in the bulk package's inputs and in its city profiles, so each is one `Column` here and the
tables list them: the data dictionary (`dictionary.csv`, the Table Schemas, the Parquet field
metadata) cannot say two things of one field. A column whose meaning depends on its table (the value
of a KPI against the number an input reports) is its table's own.
"""

from __future__ import annotations

from citykpi.exchange.open_data import Column

CITY = Column("city", "string", "The city's identifier (slug), as in the platform's addresses")
CITY_NAME = Column("city_name", "string", "The city's name")
COUNTRY = Column("country", "string", "The city's country")
HUB = Column("hub", "string", "The country hub the city belongs to")
PEER_GROUP = Column("peer_group", "string", "The city's size class (OECD functional-urban-area classes, by population)")
YEAR = Column("year", "integer", "The reporting year")
PERIOD_ID = Column("period_id", "integer", "The assessment period (city and year) in the platform")
CODE = Column("code", "string", "The KPI code, e.g. 'EC: ICT: ICT: 1C'")
QUALITY = Column("quality", "integer", "The U4SSC data-quality level 1-6 the city gave")
SOURCE = Column("source", "string", "The data source the city named")

RESULT_COLUMNS: tuple[Column, ...] = (
    CITY,
    CITY_NAME,
    COUNTRY,
    HUB,
    PEER_GROUP,
    YEAR,
    PERIOD_ID,
    Column("period_status", "string", "The period's workflow state; the public sees 'published' only"),
    Column("framework", "string", "The KPI framework the period was assessed against"),
    CODE,
    Column("data_point", "string", "The data point of the KPI; 'value' for single-valued KPIs"),
    Column("name", "string", "The KPI's (or data point's) name"),
    Column("dimension", "string", "The KPI's dimension (Economy, Environment, Society and Culture)"),
    Column("subdimension", "string", "The KPI's sub-dimension"),
    Column("category", "string", "The KPI's category"),
    Column("level", "string", "core or advanced"),
    Column("unit", "string", "The unit of the value"),
    Column("value", "number", "The KPI value; empty when there is none (see status)"),
    Column("value_text", "string", "The answer of a qualitative KPI (yes/no, a level)"),
    Column(
        "status",
        "string",
        "computed (by the formula), reported (directly), not available, not applicable, not reported or error",
    ),
    QUALITY,
    SOURCE,
    Column("verified", "boolean", "The verifier's decision: true accepted, false rejected, empty undecided"),
    Column("percent", "number", "The value as a percentage of the public reference target (not capped)"),
    Column("band", "string", "The U4SSC band of that percentage: below 33%, 33% to 66%, 66% to 95%, 95% or more"),
    Column("points", "integer", "The points of the band, 1-4; empty when there is no target or no value"),
)
INPUTS = Column("inputs", "json", "What the formula read (numerator, denominator, profile fields) as JSON: "
                "name, value and unit of each")  # fmt: skip

INPUT_COLUMNS: tuple[Column, ...] = (
    CITY,
    YEAR,
    PERIOD_ID,
    CODE,
    Column("kind", "string", "input (a component a formula reads) or value (a KPI data point reported directly)"),
    Column("name", "string", "The input's name (as formulas use it) or the data point's key"),
    Column("unit", "string", "The unit of the input, from the framework"),
    Column("value", "number", "The number reported; empty for a text answer or none"),
    Column("value_text", "string", "A text answer (yes/no, a level)"),
    Column("status", "string", "reported, not available, not applicable or not reported"),
    QUALITY,
    SOURCE,
    Column("origin", "string", "The data origin (department, agency) the city named"),
)
CITY_COLUMNS: tuple[Column, ...] = (
    CITY,
    CITY_NAME,
    COUNTRY,
    HUB,
    PEER_GROUP,
    Column("latitude", "number", "WGS 84 degrees"),
    Column("longitude", "number", "WGS 84 degrees"),
    YEAR,
    PERIOD_ID,
    Column("published_at", "string", "When the period was published (UTC, ISO 8601)"),
    Column("population", "number", "Inhabitants, as reported for the year"),
    Column("households", "number", "Households, as reported for the year"),
    Column("area_km2", "number", "Land area in km²"),
    Column("gdp", "number", "City GDP in the local currency, current prices"),
    Column("currency", "string", "The currency of the GDP"),
)
