"""Checks on the project as a whole."""

import ast
import io
import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command


def test_every_model_change_has_its_migration(db):
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


def production_environment(**overrides):
    """The test process's environment, minus what only tests may set."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**env, "DJANGO_DEBUG": "0", **overrides}


def test_production_settings_pass_the_deployment_checks():
    """`DJANGO_DEBUG=0` plus a secret and a host is all production needs."""
    env = production_environment(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="mia.example.dk",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = production_environment(DJANGO_SECRET_KEY="")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def settings_in(env_overrides, *names):
    """Settings as a fresh process reads them from this environment."""
    code = "from django.conf import settings; " + "; ".join(
        f"print(settings.{name})" for name in names
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "mia_forum.settings", **env_overrides}
    env.pop("MIA_SITE_URL", None)
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.splitlines()


def test_mailed_links_point_at_the_port_make_run_was_given():
    assert settings_in({"MIA_DEV_PORT": "8123"}, "MIA_SITE_URL") == ["http://127.0.0.1:8123"]
    assert settings_in(
        {"MIA_DEV_PORT": "8123", "MIA_SITE_URL": "https://mia.example.dk/"}, "MIA_SITE_URL"
    ) == ["https://mia.example.dk"]


def test_a_filemail_url_means_the_folder_it_names():
    assert settings_in({"EMAIL_URL": "filemail:///var/spool/mia"}, "EMAIL_FILE_PATH") == [
        "/var/spool/mia"
    ]
    assert settings_in({"EMAIL_URL": "filemail:////var/spool/mia"}, "EMAIL_FILE_PATH") == [
        "/var/spool/mia"
    ]
    assert settings_in({"EMAIL_URL": "filemail://var/mail"}, "EMAIL_FILE_PATH") == [
        str(settings.BASE_DIR / "var" / "mail")
    ]


def test_health_answers_without_the_database(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/health/")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert client.post("/health/").status_code == 405


def test_no_module_of_the_site_imports_its_own_code_inside_a_function():
    """Such an import hides a circle; only an app's ready() wires up its signals that way."""
    project = {"debates", "moderation", "mia_forum"}
    hidden = []
    for app in sorted(project):
        for path in Path(settings.BASE_DIR, app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for function in ast.walk(tree):
                if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                    continue
                if path.name == "apps.py" and function.name == "ready":
                    continue
                for node in ast.walk(function):
                    if isinstance(node, ast.Import):
                        names = [alias.name for alias in node.names]
                    elif isinstance(node, ast.ImportFrom):
                        names = [node.module or ""]
                    else:
                        continue
                    if any(name.split(".")[0] in project for name in names):
                        hidden.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    assert hidden == []
