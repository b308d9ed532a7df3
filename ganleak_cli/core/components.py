"""Registries of components (defences, metric families, …) found through entry points.

A component is one module: a class with a ``name``, a ``Settings`` dataclass of declared fields
(ganleak_cli.core.settings) and its behaviour. ganleak's own components register exactly as an
outside package's do, in the package metadata (``[project.entry-points."ganleak.defences"]`` in
pyproject.toml), so an installed plugin appears in ``--help``, config files, sweeps and reports
with no change to ganleak. Loading a registry imports only the component modules, which keep
their heavy imports (TensorFlow) inside the methods that need them.
"""

from __future__ import annotations

import dataclasses
from importlib.metadata import entry_points

from ganleak_cli.core.settings import declared_fields


class ComponentError(ValueError):
    """A component cannot be found or loaded: ``'<kind>: message'`` (a usage error)."""


@dataclasses.dataclass(frozen=True)
class NoSettings:
    """The settings of a component without options."""


class Registry:
    """The components of one entry-point group, loaded on first use, by name."""

    def __init__(self, group: str, kind: str):
        self.group, self.kind = group, kind
        self._components: dict | None = None

    def _load(self) -> dict:
        if self._components is None:
            found = {}
            for point in sorted(entry_points(group=self.group), key=lambda p: p.name):
                component = self._load_point(point)
                if point.name in found:
                    raise ComponentError(f"{self.kind}: {point.name!r} is registered twice "
                                         f"in {self.group}")
                found[point.name] = component
            if not found:
                raise ComponentError(f"{self.kind}: no component is registered in the entry-"
                                     f"point group {self.group}; is ganleak installed "
                                     "(pip install -e .)?")
            self._components = found
        return self._components

    def _load_point(self, point):
        try:
            component = point.load()
        except Exception as exc:  # a broken plugin is named, not a traceback
            raise ComponentError(f"{self.kind}: the {self.group} entry point {point.name!r} "
                                 f"({point.value}) cannot be loaded: {exc}") from None
        if getattr(component, "name", None) != point.name:
            raise ComponentError(f"{self.kind}: the entry point {point.name!r} ({point.value}) "
                                 f"loads a component named {getattr(component, 'name', None)!r}")
        return component

    def names(self) -> tuple[str, ...]:
        """Registered names, sorted."""
        return tuple(self._load())

    def get(self, name: str):
        """The component registered as ``name`` (ComponentError naming the choices)."""
        components = self._load()
        if name not in components:
            raise ComponentError(f"{self.kind}: unknown {name!r}; registered: "
                                 f"{', '.join(components)}")
        return components[name]

    def all(self) -> list:
        """Every registered component, by name."""
        return list(self._load().values())

    def settings_fields(self) -> list[tuple[object, dataclasses.Field]]:
        """(component, field) of every component's declared settings, once per settings class
        (components may share one: the active and passive GAN insiders). A name declared twice
        is refused where the run config is composed (config.component_fields)."""
        out, classes = [], set()
        for component in self.all():
            settings = getattr(component, "Settings", NoSettings)
            if settings not in classes:
                classes.add(settings)
                out.extend((component, field) for field in declared_fields(settings))
        return out
