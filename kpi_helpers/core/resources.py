"""Where the package's own files are: found with :mod:`importlib.resources`, so they work installed.

The report notebook, the demo clients, the gettext catalogues, the fonts and the HTML templates ship
inside the package as package data (``[tool.setuptools.package-data]`` in ``pyproject.toml``); code
never reaches outside the package (no ``parent.parent``) and never writes into it.

>>> notebook_path().name
'annual_review.ipynb'
>>> sorted(p.name for p in demo_data_dir().iterdir())[:2]
['harbour-plumbing', 'ketab-negah']
"""

from __future__ import annotations

import shutil
from importlib.resources import files
from pathlib import Path

__all__ = ["package_path", "notebook_path", "demo_data_dir", "copy_demo_clients"]


def package_path(*parts: str) -> Path:
    """A file or folder shipped inside ``kpi_helpers`` as a file-system path.

    The package is installed as files (a wheel or an editable install), never run from a zip
    archive,
    so the resource is a real path that papermill, Babel and matplotlib can open.
    """
    resource = files("kpi_helpers").joinpath(*parts)
    path = Path(str(resource))
    if not path.exists():
        raise FileNotFoundError(
            f"{'/'.join(parts)} is missing from the installed kpi_helpers package "
            f"(looked in {path.parent}); reinstall the package"
        )
    return path


def notebook_path() -> Path:
    """The parameterised report notebook run for every client
    (``kpi_helpers/notebooks/annual_review.ipynb``)."""
    return package_path("notebooks", "annual_review.ipynb")


def demo_data_dir() -> Path:
    """The bundled demo clients, one folder per slug (read them; copy them before writing
    anything)."""
    return package_path("demo_data")


def copy_demo_clients(target: str | Path, slugs: list[str] | None = None) -> list[Path]:
    """Copy the bundled demo clients (all, or ``slugs``) into ``target/<slug>/``, replacing earlier
    copies.

    Returns the copied ``client.yaml`` paths, sorted by slug. ``kpi-review demo`` runs on these
    copies,
    so nothing is ever written into the installed package.
    """
    source = demo_data_dir()
    known = sorted(p.name for p in source.iterdir() if (p / "client.yaml").is_file())
    unknown = sorted(set(slugs or ()) - set(known))
    if unknown:
        raise ValueError(
            f"no demo client {', '.join(unknown)}; the demo clients are {', '.join(known)}"
        )
    target = Path(target)
    out = []
    for slug in sorted(slugs or known):
        shutil.copytree(source / slug, target / slug, dirs_exist_ok=True)
        out.append(target / slug / "client.yaml")
    return out
