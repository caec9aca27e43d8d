"""The notification rules: which audited action is which kind of notification, and who receives it.

Data, not code (`store/data/notifications.yaml`), validated here when first read: a rule naming an
unknown role, a placeholder its link cannot fill or one action under two kinds fails at load, not
when the first query is raised.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property, lru_cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# The roles of citykpi.platform.roles.Role that a notification can reach (the store cannot import it;
# tests/store/test_store_inbox.py checks they agree).
Recipient = Literal["admin", "hub_manager", "city_editor", "verifier"]
LINK_FIELDS = {"entity_id", "period_id"}
SUMMARY_FIELDS = {"actor", "city", "year", "kpi", "state", "excerpt"}


class Match(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    action: str = Field(pattern=r"^[a-z]+(-[a-z]+)*$", description="An audit action, kebab-case")
    entity: str | None = Field(None, description="Only audit rows on this entity; any when unset")


class Kind(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    summary: str
    summary_without_kpi: str | None = Field(None, description="The sentence for an event on no KPI in particular")
    actions: list[Match] = Field(min_length=1)
    recipients: list[Recipient] = Field(min_length=1)
    link: str = Field(pattern=r"^/")
    in_app: bool = Field(True, description="Default of a user who chose nothing")
    email: bool = Field(True, description="Default of a user who chose nothing (e-mail needs an address)")

    def sentence(self, params: Mapping[str, object]) -> str:
        """The English template of the sentence for an event with these params."""
        return self.summary_without_kpi if self.summary_without_kpi and not params.get("kpi") else self.summary

    @field_validator("summary", "summary_without_kpi")
    @classmethod
    def _known_placeholders(cls, text: str | None) -> str | None:
        if text is None:
            return text
        try:
            text % {name: "" for name in SUMMARY_FIELDS}
        except (KeyError, ValueError, TypeError) as exc:
            raise ValueError(f"summary may use only %(name)s of {sorted(SUMMARY_FIELDS)}: {exc}") from exc
        return text

    @field_validator("link")
    @classmethod
    def _fillable(cls, link: str) -> str:
        try:
            link.format(**{name: 1 for name in LINK_FIELDS})
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"link may use only {{name}} of {sorted(LINK_FIELDS)}: {exc}") from exc
        return link


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kinds: dict[str, Kind]

    @model_validator(mode="after")
    def _one_kind_per_action(self) -> Rules:
        seen: dict[Match, str] = {}
        for name, kind in self.kinds.items():
            for match in kind.actions:
                if match in seen:
                    raise ValueError(f"{match.action} ({match.entity or 'any entity'}) is in {seen[match]} and {name}")
                seen[match] = name
        return self

    @cached_property
    def _by_action(self) -> dict[tuple[str, str | None], str]:
        return {(m.action, m.entity): name for name, kind in self.kinds.items() for m in kind.actions}

    def kind_of(self, action: str, entity: str) -> str | None:
        """The kind an audited (action, entity) is notified as; None: not notified."""
        return self._by_action.get((action, entity)) or self._by_action.get((action, None))


@lru_cache(maxsize=1)
def rules() -> Rules:
    text = (resources.files("citykpi.store") / "data" / "notifications.yaml").read_text(encoding="utf-8")
    return Rules.model_validate(yaml.safe_load(text))
