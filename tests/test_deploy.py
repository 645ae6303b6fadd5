"""deploy/ stays in step with the application: the environment file holds every variable of the
README's table (and the table every variable the code reads), nginx lets through the app's largest
upload, sends the proxy headers and the HSTS header the settings expect and serves the media folder
only internally, the systemd units run gunicorn hardened with the right files, and the access log
carries the request id but never a query string. With nginx installed, a real nginx in front of a
real gunicorn shows it: X-Accel-Redirect after the app's check, the internal location refused to
the outside, the request id passed through."""

import http.cookiejar
import json
import os
import re
import runpy
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kis_site.requestlog import REQUEST_ID_HEADER
from tests.factories import image_bytes

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
NGINX = DEPLOY / "nginx"
SYSTEMD = DEPLOY / "systemd"
ENV_EXAMPLE = DEPLOY / "kis.env.example"
MIB = 1024 * 1024
# The two installations of the example, as deploy/kis.env.example and deploy/nginx name them.
FIRST, SECOND = "torun", "bydgoszcz"


# --- The environment: README table, env example, code ----------------------------------------


def readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration (environment variables)", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names |= set(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def example_variables() -> set[str]:
    """Every NAME= of the env example, set or commented out (a commented line shows a default)."""
    return set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


def example_values(instance: str = FIRST) -> dict[str, str]:
    """The variables the env example sets, for ``instance`` as deploy/README.md derives it."""
    values = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match[1]] = match[2]
    if instance != FIRST:  # sed -e 's/torun/bydgoszcz/g' -e 's/8001/8002/'
        values = {k: v.replace(FIRST, instance).replace("8001", "8002") for k, v in values.items()}
    return values


ENV_READ = re.compile(r"""\benv(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']""")
ENVIRON_READ = re.compile(r"""environ(?:\.get\(\s*|\[\s*)["']([A-Z][A-Z0-9_]*)["']""")


def variables_read_by_the_code() -> dict[str, set[str]]:
    from kis_site import backup, media

    settings = (ROOT / "kis_site" / "settings.py").read_text()
    return {
        "kis_site/settings.py": set(ENV_READ.findall(settings))
        | set(ENVIRON_READ.findall(settings)),
        "deploy/gunicorn.conf.py": set(
            ENVIRON_READ.findall((DEPLOY / "gunicorn.conf.py").read_text())
        ),
        "kis_site/backup.py": {backup.KEY_ENV},
        "kis_site/media.py": set(getattr(media, "S3_VARIABLES", ())),
    }


def test_the_env_example_and_the_readme_table_name_the_same_variables():
    table, example = readme_variables(), example_variables()
    assert len(table) > 20
    assert not table - example, f"missing in deploy/kis.env.example: {sorted(table - example)}"
    assert not example - table, f"missing in the README's table: {sorted(example - table)}"


def test_every_variable_the_code_reads_is_in_the_readme_table():
    table = readme_variables()
    read = variables_read_by_the_code()
    assert "MEDIA_ACCEL_REDIRECT" in read["kis_site/settings.py"]
    assert "GUNICORN_BIND" in read["deploy/gunicorn.conf.py"]
    missing = {where: sorted(names - table) for where, names in read.items() if names - table}
    assert not missing, f"add these to the README's configuration table: {missing}"


@pytest.fixture(scope="module")
def production_settings(tmp_path_factory):
    """The settings a server gets from deploy/kis.env.example (a fresh process: settings are
    read from the environment once), with the database and the folders moved to a temp dir."""
    tmp = tmp_path_factory.mktemp("production")
    env = {
        "PATH": os.environ["PATH"],
        **example_values(),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "DJANGO_SETTINGS_MODULE": "kis_site.settings",
    }
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({n: getattr(s, n, None) for n in ("
        "'SECURE_PROXY_SSL_HEADER', 'USE_X_FORWARDED_HOST', 'PROXY_COUNT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_SSL_REDIRECT', "
        "'UPLOAD_MAX_BYTES', 'MEDIA_ACCEL_REDIRECT', 'DEBUG', 'AXES_CLIENT_IP_CALLABLE')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    check = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            "--tag",
            "security",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    return {**json.loads(result.stdout), "check": check}


def test_the_env_example_gives_a_production_configuration(production_settings):
    check = production_settings["check"]
    assert check.returncode == 0, check.stdout + check.stderr  # check --deploy: no warning
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert production_settings["PROXY_COUNT"] == 1
    assert production_settings["MEDIA_ACCEL_REDIRECT"] == "/_protected_media/"


# --- nginx ------------------------------------------------------------------------------------


@dataclass
class Block:
    name: str
    args: list[str]
    children: list = field(default_factory=list)

    def directives(self, name):
        return [child for child in self.children if child.name == name]

    def values(self, name):
        return [child.args for child in self.directives(name)]

    def first(self, name):
        values = self.values(name)
        return values[0] if values else None


TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|[{};]|[^\s{};]+')


def parse_nginx(path: Path) -> Block:
    """A small parser of nginx's syntax; `include` of a snippet is replaced by deploy/nginx's
    file of that name."""
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    tokens = [t[1:-1] if t[0] in "\"'" else t for t in TOKEN.findall(text)]
    root = Block("main", [])
    stack, words = [root], []
    for token in tokens:
        if token == "{":
            block = Block(words[0], words[1:])
            stack[-1].children.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            if words[0] == "include" and "/snippets/" in words[1]:
                stack[-1].children.extend(parse_nginx(NGINX / Path(words[1]).name).children)
            else:
                stack[-1].children.append(Block(words[0], words[1:]))
            words = []
        else:
            words.append(token)
    assert len(stack) == 1, f"unbalanced braces in {path}"
    return root


@pytest.fixture(scope="module")
def site():
    return parse_nginx(NGINX / "kis.conf")


def tls_servers(site) -> dict[str, Block]:
    """The HTTPS server of each installation, by instance name (from its upstream)."""
    servers = {}
    for server in site.directives("server"):
        names = server.first("server_name")
        if any("443" in " ".join(listen) for listen in server.values("listen")) and names != ["_"]:
            root = next(loc for loc in server.directives("location") if loc.args == ["/"])
            upstream = root.first("proxy_pass")[0].removeprefix("http://kis_")
            servers[upstream] = server
    return servers


def size_in_bytes(value: str) -> int:
    units = {"k": 1024, "m": MIB, "g": 1024 * MIB}
    return int(value[:-1]) * units[value[-1].lower()] if value[-1].isalpha() else int(value)


def expected_hsts(settings) -> str:
    value = f"max-age={settings['SECURE_HSTS_SECONDS']}"
    if settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"]:
        value += "; includeSubDomains"
    if settings["SECURE_HSTS_PRELOAD"]:
        value += "; preload"
    return value


def test_nginx_has_both_installations_each_on_its_own_upstream(site):
    servers = tls_servers(site)
    assert set(servers) == {FIRST, SECOND}
    upstreams = {block.args[0]: block.first("server")[0] for block in site.directives("upstream")}
    for instance in servers:
        assert upstreams[f"kis_{instance}"] == example_values(instance)["GUNICORN_BIND"]
        names = servers[instance].first("server_name")
        assert names == [example_values(instance)["ALLOWED_HOSTS"]]
        certificate = servers[instance].first("ssl_certificate")[0]
        assert certificate == f"/etc/letsencrypt/live/{names[0]}/fullchain.pem"


def test_plain_http_only_redirects_and_answers_the_certificate_challenge(site):
    plain = [
        s
        for s in site.directives("server")
        if s.first("server_name") != ["_"]
        and not any("443" in " ".join(listen) for listen in s.values("listen"))
    ]
    assert len(plain) == 1
    locations = {tuple(loc.args): loc for loc in plain[0].directives("location")}
    assert locations[("/",)].first("return") == ["301", "https://$host$request_uri"]
    assert locations[("/.well-known/acme-challenge/",)].first("root") == ["/var/www/html"]


def test_nginx_lets_through_the_apps_largest_upload_and_not_much_more(site, settings):
    from kis_site.admin import CLUB_FILE_MAX_BYTES
    from kis_site.documents import SCAN_MAX_BYTES
    from kis_site.validators import LOGO_MAX_BYTES

    largest = max(CLUB_FILE_MAX_BYTES, SCAN_MAX_BYTES, LOGO_MAX_BYTES)
    assert largest == settings.UPLOAD_MAX_BYTES
    for instance, server in tls_servers(site).items():
        limit = size_in_bytes(server.first("client_max_body_size")[0])
        assert settings.UPLOAD_MAX_BYTES < limit <= settings.UPLOAD_MAX_BYTES + MIB, instance


def test_nginx_sends_the_proxy_headers_the_settings_expect(site, production_settings):
    header, value = production_settings["SECURE_PROXY_SSL_HEADER"]
    proto_header = header.removeprefix("HTTP_").replace("_", "-").title()
    assert value == "https"
    expected = {
        "Host": "$host",  # USE_X_FORWARDED_HOST is off: Django checks Host itself
        proto_header: "$scheme",  # "https" on these TLS servers
        # PROXY_COUNT=1: set to the visitor's address, never appended to what the visitor sent
        "X-Forwarded-For": "$remote_addr",
        REQUEST_ID_HEADER: "$request_id",
    }
    assert production_settings["USE_X_FORWARDED_HOST"] is False
    assert production_settings["PROXY_COUNT"] == 1
    for instance, server in tls_servers(site).items():
        proxy = next(loc for loc in server.directives("location") if loc.args == ["/"])
        headers = dict(proxy.values("proxy_set_header"))
        assert {k: headers.get(k) for k in expected} == expected, instance
        assert "Strict-Transport-Security" in proxy.values("proxy_hide_header")[0]
        timeout = int(proxy.first("proxy_read_timeout")[0].removesuffix("s"))
        assert timeout > int(runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["timeout"])


def test_nginx_sends_hsts_as_django_would(site, production_settings):
    expected = expected_hsts(production_settings)
    for instance, server in tls_servers(site).items():
        blocks = [server, *server.directives("location")]
        for block in blocks:
            for args in block.values("add_header"):
                if args[0] == "Strict-Transport-Security":
                    assert args[1:] == [expected, "always"], instance
        assert ["Strict-Transport-Security", expected, "always"] in server.values("add_header")


def test_the_media_folder_is_reachable_only_through_the_internal_location(site):
    for instance, server in tls_servers(site).items():
        values = example_values(instance)
        for location in server.directives("location"):
            served = location.first("alias") or location.first("root")
            if served is None:
                assert location.args == ["/"]
                continue
            assert location.values("internal") == [[]], f"{instance} {location.args} is public"
            assert location.args == [values["MEDIA_ACCEL_REDIRECT"]]
            assert served[0].rstrip("/") == values["MEDIA_ROOT"]
            assert ["X-Content-Type-Options", "nosniff", "always"] in location.values("add_header")
            assert location.first("autoindex") in (None, ["off"])
    text = (NGINX / "kis.conf").read_text()
    assert text.count("internal;") == 2


def test_no_log_line_of_nginx_or_gunicorn_carries_a_query_string(site):
    formats = {block.args[0]: " ".join(block.args[1:]) for block in site.directives("log_format")}
    assert set(formats) == {"kis"}
    for forbidden in ("$request ", "$request_uri", "$args", "$query_string", "$arg_"):
        assert forbidden not in formats["kis"] + " "
    assert "$request_id" in formats["kis"] and "$uri" in formats["kis"]
    for server in site.directives("server"):
        for log in server.values("access_log"):
            assert log[-1] == "kis", log
    gunicorn = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    access = gunicorn["access_log_format"]
    assert "%({x-request-id}o)s" in access and "%(U)s" in access
    for forbidden in ("%(r)s", "%(q)s", "%(f)s"):
        assert forbidden not in access


# --- systemd ------------------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for line in (SYSTEMD / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def test_one_hardened_service_per_installation_runs_gunicorn_with_its_env_file():
    service = unit("kis@.service")
    assert service["EnvironmentFile"] == ["/etc/kis/%i.env"]
    assert service["User"] == ["kis-%i"]
    assert service["ExecStart"] == [
        "/srv/kis/app/.venv/bin/gunicorn -c /srv/kis/app/deploy/gunicorn.conf.py kis_site.wsgi"
    ]
    for key, value in {
        "ProtectSystem": "strict",
        "PrivateTmp": "yes",
        "NoNewPrivileges": "yes",
        "ProtectHome": "yes",
        "PrivateDevices": "yes",
        "CapabilityBoundingSet": "",
    }.items():
        assert service[key] == [value], key
    # Writable: the media folder and the journal's folder of the env file, nothing else (never
    # the backups).
    values = example_values()
    journal = str(Path(values["ANONYMISATION_JOURNAL"]).parent)
    writable = " ".join(service["ReadWritePaths"]).replace("%i", FIRST).split()
    assert writable == [values["MEDIA_ROOT"], journal]
    assert not any(path.startswith("/var/backups") for path in writable)
    # The nightly backup copies the journal next to the backups (and off the machine with them).
    backup = unit("kis-backup@.service")
    copy = [line for line in backup["ExecStartPost"] if "anonymisation-journal" in line]
    assert copy and copy[0].replace("%i", FIRST).split()[-2] == values["ANONYMISATION_JOURNAL"]


def test_the_backup_runs_per_installation_with_the_key_apart_and_nightly():
    service = unit("kis-backup@.service")
    assert service["EnvironmentFile"] == ["/etc/kis/%i.env", "/etc/kis/%i.backup.env"]
    assert service["ExecStart"] == [
        "/srv/kis/app/.venv/bin/python manage.py backup /var/backups/kis/%i"
    ]
    assert service["ReadWritePaths"] == ["/var/backups/kis/%i"]
    assert service["ProtectSystem"] == ["strict"] and service["NoNewPrivileges"] == ["yes"]
    timer = unit("kis-backup@.timer")
    assert timer["OnCalendar"] and timer["Persistent"][0] in ("yes", "true")
    assert "BACKUP_KEY=" not in "\n".join(  # the web service never gets the key
        line for line in ENV_EXAMPLE.read_text().splitlines() if not line.startswith("#")
    )
    readme = (ROOT / "README.md").read_text()
    assert "deploy/systemd/kis-backup@.timer" in readme
    assert "[Timer]" not in readme  # the units live in deploy/, the README points there


def test_deploy_readme_walks_through_one_installation():
    text = (DEPLOY / "README.md").read_text()
    for step in (
        "apt install",
        "useradd",
        "python3 -m venv",
        "/etc/kis/torun.env",
        "migrate",
        "collectstatic",
        "create_manager",
        "systemctl enable --now kis@torun",
        "nginx -t",
        "certbot",
        "kis-backup@torun.timer",
        "restore",
    ):
        assert step in text, step


# --- A real nginx in front of a real gunicorn (when nginx is installed) --------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _self_signed(folder: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kis-test")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    cert, private = folder / "cert.pem", folder / "key.pem"
    cert.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert, private


def _nginx_config(folder: Path, *, https: int, http: int, upstream: int, media: Path) -> Path:
    """deploy/nginx/kis.conf made runnable by a user: ports, certificate, logs and the first
    installation's upstream and media folder moved into ``folder``; nothing else changed."""
    cert, key = _self_signed(folder)
    (folder / "logs").mkdir()
    snippets = folder / "snippets"
    snippets.mkdir()
    for name in ("kis-proxy.conf", "kis-tls.conf"):
        shutil.copy(NGINX / name, snippets / name)
    text = (NGINX / "kis.conf").read_text()
    text = text.replace("/etc/nginx/snippets/", f"{snippets}/")
    text = re.sub(r"/etc/letsencrypt/live/[^/]+/fullchain\.pem", str(cert), text)
    text = re.sub(r"/etc/letsencrypt/live/[^/]+/privkey\.pem", str(key), text)
    text = text.replace("/var/log/nginx/", f"{folder}/logs/")
    text = text.replace("listen [::]:443 ssl http2;", "").replace("listen [::]:443 ssl", "#")
    text = text.replace("listen [::]:80", "#")
    text = text.replace("listen 443 ssl", f"listen 127.0.0.1:{https} ssl")
    text = text.replace("listen 80", f"listen 127.0.0.1:{http}")
    text = text.replace("server 127.0.0.1:8001;", f"server 127.0.0.1:{upstream};")
    text = text.replace("/var/lib/kis/torun/media/", f"{media}/")
    (folder / "site.conf").write_text(text)
    main = folder / "nginx.conf"
    # As root nginx's workers would run as "nobody", who cannot read the test's folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    main.write_text(
        f"{user}pid {folder}/nginx.pid;\nerror_log {folder}/logs/error.log;\nevents {{}}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n"
        f"  client_body_temp_path {folder}/body;\n  proxy_temp_path {folder}/proxy;\n"
        f"  include {folder}/site.conf;\n}}\n"
    )
    return main


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_accepts_the_example(tmp_path):
    config = _nginx_config(
        tmp_path, https=_free_port(), http=_free_port(), upstream=8001, media=tmp_path / "media"
    )
    result = subprocess.run(
        ["nginx", "-t", "-p", str(tmp_path), "-c", str(config), "-e", str(tmp_path / "e.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def _wait_for(url: str, context) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=2, context=context)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"{url} does not answer")


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_behind_nginx_the_app_hands_a_checked_file_over_and_keeps_the_request_id(
    tmp_path, monkeypatch
):
    tls_port, plain_port, app_port = _free_port(), _free_port(), _free_port()
    media = tmp_path / "media"
    (media / "kis").mkdir(parents=True)
    logo = image_bytes("png")
    (media / "kis" / "logo.png").write_bytes(logo)
    password = "Wiosenny-deszcz-nad-Wisla-42"
    env = {
        "PATH": os.environ["PATH"],
        **example_values(),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(media),
        "ALLOWED_HOSTS": "kis-torun.example.pl",
        "GUNICORN_BIND": f"127.0.0.1:{app_port}",
        "TWO_FACTOR_ENFORCED": "false",  # the login below is the password alone
        "PLAIN_STATIC": "true",  # no collectstatic (tests/test_serving.py runs it): faster
        "KIS_MANAGER_PASSWORD": password,
        "DJANGO_SETTINGS_MODULE": "kis_site.settings",
    }
    manage = [sys.executable, str(ROOT / "manage.py")]
    setup = (
        "from django.core.management import call_command as run; "
        "run('migrate', '--no-input', verbosity=0); "
        "run('create_manager', '--no-input', '--username', 'anowak', '--first-name', 'Anna', "
        "'--last-name', 'Nowak'); "  # the password from KIS_MANAGER_PASSWORD
        "from kis_site.models import KisSettings; kis = KisSettings.load(); "
        "kis.logo.name = 'kis/logo.png'; kis.save()"
    )
    subprocess.run([*manage, "shell", "-c", setup], cwd=ROOT, env=env, check=True)
    config = _nginx_config(
        tmp_path, https=tls_port, http=plain_port, upstream=app_port, media=media
    )
    app = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c",
            str(DEPLOY / "gunicorn.conf.py"),
            "kis_site.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    proxy = subprocess.Popen(
        [
            "nginx",
            "-p",
            str(tmp_path),
            "-c",
            str(config),
            "-e",
            str(tmp_path / "e.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(jar)
    )
    # The site's name leads to this machine: the TLS handshake names it (SNI), as a browser's
    # would, so nginx picks the site's server and not the default one that refuses.
    host = "kis-torun.example.pl"
    resolve = socket.getaddrinfo
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda name, *args, **kwargs: resolve(
            "127.0.0.1" if name == host else name, *args, **kwargs
        ),
    )
    base = f"https://{host}:{tls_port}"

    def get(path, data=None, headers=None):
        request = urllib.request.Request(
            base + path,
            data=urllib.parse.urlencode(data).encode() if data else None,
            headers=headers or {},
        )
        try:
            with opener.open(request, timeout=10) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    try:
        _wait_for(f"http://127.0.0.1:{app_port}/health/", None)
        _wait_for(base + "/health/", context)
        status, headers, _ = get("/health/?pesel=44051401359", headers={REQUEST_ID_HEADER: "x"})
        assert status == 200
        request_id = headers[REQUEST_ID_HEADER]
        assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's, not the visitor's "x"
        assert headers.get_all("Strict-Transport-Security") == [
            "max-age=31536000; includeSubDomains; preload"
        ]
        # The internal location is no address from outside.
        status, _, body = get("/_protected_media/kis/logo.png")
        assert status == 404 and logo not in body
        # Before the login the app refuses, and nginx sends nothing.
        status, _, body = get("/letterhead-logo/")
        assert logo not in body
        # Logged in (over HTTPS as nginx tells the app: secure cookies work), the app checks
        # and nginx sends the file.
        status, _, page = get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
        status, _, _ = get(
            "/login/",
            {"csrfmiddlewaretoken": token, "username": "anowak", "password": password},
            # nginx hands the app "Host: $host", without the port of this test
            headers={"Referer": f"https://{host}/login/"},
        )
        assert status == 200  # followed the redirect to the start page
        status, headers, body = get("/letterhead-logo/")
        assert status == 200 and body == logo
        assert headers["Content-Type"] == "image/png"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "X-Accel-Redirect" not in headers
    finally:
        proxy.terminate()
        app.terminate()
        proxy.wait(timeout=30)
        log, _ = app.communicate(timeout=30)
    access = "\n".join(path.read_text() for path in (tmp_path / "logs").glob("*access.log"))
    assert f"id={request_id}" in access and f"id={request_id}" in log  # one id, both logs
    assert '"GET /letterhead-logo/" 200' in log  # the app answered it (with the redirect)
    assert "44051401359" not in access + log and "pesel=" not in access + log
    assert password not in access + log
