"""The dependency line: an app never imports from an app to its right."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ORDER = {
    "kis_site": 0,
    "partners": 1,
    "participants": 2,
    "diagnosis": 3,
    "activities": 3,
    "ipd": 4,
    "reports": 5,
    "subject_access": 6,
}


def imported_apps(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            if top in ORDER:
                yield top, node.lineno


def test_apps_import_only_to_their_left():
    wrong = []
    for app, rank in ORDER.items():
        for path in (ROOT / app).rglob("*.py"):
            for imported, line in imported_apps(path):
                if ORDER[imported] > rank or (ORDER[imported] == rank and imported != app):
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {imported}")
    assert not wrong, "\n".join(wrong)


def test_partners_knows_no_participant():
    from django.apps import apps

    for model in apps.get_app_config("partners").get_models():
        for field in model._meta.get_fields():
            if field.is_relation and field.related_model is not None:
                assert field.related_model._meta.app_label in {"partners", "kis_site", "auth"}, (
                    f"{model.__name__}.{field.name}"
                )


def imported_modules(path: Path):
    """The project modules ``path`` imports, lazy imports inside functions included."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] in ORDER:
                yield node.module
                for alias in node.names:  # "from kis_site import audit" imports a module
                    yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] in ORDER)


def test_no_module_imports_itself_back():
    """No import cycle between modules, not even through a lazy import in a function: the way
    from a page to its parts goes one direction."""
    modules = {}
    for app in ORDER:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            modules[name] = path
    graph = {
        name: {m for m in imported_modules(path) if m in modules and m != name}
        for name, path in modules.items()
    }
    cycles = []
    for start in graph:
        stack, seen = [(start, [start])], set()
        while stack:
            node, trail = stack.pop()
            for nxt in graph[node]:
                if nxt == start:
                    cycles.append(" -> ".join([*trail, start]))
                elif nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, [*trail, nxt]))
    assert not cycles, "\n".join(sorted(set(cycles))[:20])


# The pages built of registered panels, each with the template that places them by key.
PANEL_PAGES = {
    "participant_panels": "participants/detail.html",
    "enrolment_panels": "participants/enrolment.html",
    "home_panels": "kis_site/home.html",
}


def test_every_panel_is_placed_by_name_on_its_page():
    """A page's template names each of its panels ({% panel "key" %}), in the order it shows
    them: every registered panel is placed once, and the template names no panel that is not
    registered."""
    import re

    from kis_site import registries

    for registry_name, template in PANEL_PAGES.items():
        registered = {panel.key for panel in getattr(registries, registry_name)}
        text = (ROOT / "templates" / template).read_text()
        placed = re.findall(r'{%\s*panel\s+"([^"]+)"', text)
        assert sorted(placed) == sorted(registered), template
        assert len(placed) == len(set(placed)), template
    # The partner's page: the one panel another app provides (kis_site.hooks).
    from kis_site.hooks import institution_panel

    text = (ROOT / "templates" / "partners/detail.html").read_text()
    assert re.findall(r'{%\s*panel\s+"([^"]+)"', text) == [institution_panel.value.key]


def test_the_menu_is_one_list():
    from kis_site.navigation import MENU

    keys = [item.key for item in MENU]
    assert keys[0] == "home" and len(keys) == len(set(keys))


def test_only_the_apps_start_up_imports_contributions():
    """``contributions.py`` registers what an app shows on the shared pages; nothing imports from
    it but the app's own ``apps.py`` (views and selectors hold the rules it registers)."""
    offenders = []
    for path in ROOT.glob("*/*.py"):
        if path.parent.name in ("tests", "bench", ".venv") or path.name == "apps.py":
            continue
        for module in imported_modules(path):
            if module.endswith(".contributions"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    for path in (ROOT / "tests").rglob("*.py"):
        for module in imported_modules(path):
            if module.endswith(".contributions"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not offenders
