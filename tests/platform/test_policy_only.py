"""Every "may they?" is answered by app.policy: no route, service or template checks a role itself.

Python: a comparison (==, !=, in, not in) with a role member (``Role.admin``, also inside a tuple or set) or
with an attribute ``.role`` (``user.role``, ``principal.role``, the column ``User.role``) is a role check.
A query that filters on a value the caller chose writes the column as ``col(User.role)``. Exempt: app/policy.py
(the answers), app/models.py (the tables and enumerations), the demo seeder and the command line.

Templates: a Jinja expression that compares a role (``.role``, ``role ==``) or a role name ("admin",
"municipality", "provider") is a role check; templates ask ``may("action")`` instead (app.web.templates).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import app

APP = Path(app.__file__).resolve().parent
TEMPLATES = APP / "templates"
EXEMPT = {"policy.py", "models.py", "demo.py", "demo_content.py", "cli.py"}

# Role comparisons that answer no "may they?" question, each with its reason (an entry that no longer matches
# fails the test, so the list cannot linger).
ALLOWED: set[tuple[str, str]] = {
    # the label of the organisation an author writes for (SDFL, a municipality, a provider): data, not a permission
    ("feedback/visibility.py", "role == Role.admin"),
    ("feedback/visibility.py", "role == Role.municipality"),
}

ROLE_NAMES = r"""["'](?:admin|municipality|provider)["']"""
TEMPLATE_ROLE_CHECK = re.compile(
    r"[\w.]*\.role\s*(?:==|!=|\bnot\s+in\b|\bin\b)\s*(?:\([^)]*\)|[\w.\"']+)"  # user.role == "admin", .role in (...)
    r"|(?:==|!=)\s*[\w.]*\.role\b"  # key == row.user.role
    r"|\brole\s*(?:==|!=)\s*[\w.\"']+"  # role == "admin"
    rf"|(?:==|!=|\bin\b)\s*\(?\s*{ROLE_NAMES}"  # ... == "admin", ... in ("admin", ...)
    rf"|{ROLE_NAMES}\s*(?:==|!=|\bin\b)"  # "admin" == ...
)
JINJA = re.compile(r"{%.*?%}|{{.*?}}", re.DOTALL)


def _is_role(node: ast.expr) -> bool:
    if isinstance(node, ast.Attribute):
        if node.attr == "role":
            return True
        return isinstance(node.value, ast.Name) and node.value.id == "Role"
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_is_role(element) for element in node.elts)
    return False


ROLE_COMPARISONS = (ast.Eq, ast.NotEq, ast.In, ast.NotIn)


def is_role_check(node: ast.Compare) -> bool:
    compares = any(isinstance(op, ROLE_COMPARISONS) for op in node.ops)
    return compares and any(_is_role(operand) for operand in [node.left, *node.comparators])


def python_role_checks() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(APP.rglob("*.py")):
        relative = path.relative_to(APP).as_posix()
        if relative in EXEMPT or relative.startswith("static/"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Compare) and is_role_check(node):
                found.add((relative, ast.unparse(node)))
    return found


def template_role_checks() -> set[tuple[str, str]]:
    found = set()
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(APP).as_posix()
        for tag in JINJA.finditer(path.read_text(encoding="utf-8")):
            for match in TEMPLATE_ROLE_CHECK.finditer(tag.group()):
                found.add((relative, match.group().strip()))
    return found


def test_no_role_checks_outside_the_policy():
    checks = python_role_checks() | template_role_checks()
    unexpected = sorted(checks - ALLOWED)
    assert not unexpected, (
        "A role is checked outside app/policy.py; ask app.policy (can/authorize, or may() in a template) instead:\n"
        + "\n".join(f"  app/{path}: {code}" for path, code in unexpected)
    )


def test_the_allow_list_holds_only_checks_that_still_exist():
    gone = sorted(ALLOWED - (python_role_checks() | template_role_checks()))
    assert not gone, "Remove from ALLOWED (the check is gone):\n" + "\n".join(f"  {p}: {c}" for p, c in gone)


# The scanner itself: what it must find, and what it must leave alone.
@pytest.mark.parametrize(
    "template,found",
    [
        ('{% if current_user and current_user.role == "admin" %}', True),
        ('{% if current_user.role in ("admin", "municipality") %}', True),
        ("{% if key == row.user.role %}", True),
        ('{{ "yes" if role == "provider" else "no" }}', True),
        ('{% if "admin" == kind %}', True),
        ('{% if may("manage") %}', False),
        ("{% if key == selected_role %}", False),
        ('{{ forms.select("role", _("Rol"), roles, value=values.get("role")) }}', False),
        ('<div role="alert">{{ _("Fout") }}</div>', False),
    ],
)
def test_template_scanner(template, found):
    tags = [tag.group() for tag in JINJA.finditer(template)]
    assert any(TEMPLATE_ROLE_CHECK.search(tag) for tag in tags) is found


@pytest.mark.parametrize(
    "code,found",
    [
        ("user.role == Role.admin", True),
        ("principal.role in (Role.admin, Role.municipality)", True),
        ("role == Role.provider", True),
        ("User.role == role", True),
        ('user.role != "admin"', True),
        ("col(User.role) == role", False),
        ("data.role is not None", False),
        ("role not in set(Role)", False),
    ],
)
def test_python_scanner(code, found):
    node = ast.parse(code, mode="eval").body
    assert isinstance(node, ast.Compare)
    assert is_role_check(node) is found
