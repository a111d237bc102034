"""Prepare and serve the fixture Oscar shop on 127.0.0.1.

    python bench/oscar_shop/shop.py prepare --data DIR
    python bench/oscar_shop/shop.py serve --data DIR [--port 0] [--copy-from DIR]

`prepare` makes a new SQLite database in DIR (Oscar's schema: see _make_tables) and seeds
what checkout and the dashboard need but nobody creates by hand: the site's domain, a shipping country, two partners, two
product classes, the shipping and payment event types (a refund is a payment event), and
the staff user (OSCAR_SHOP_STAFF_EMAIL / OSCAR_SHOP_STAFF_PASSWORD). `serve` runs Django's
server without the autoreloader (one process to stop) and prints
"Oscar shop running at http://127.0.0.1:PORT" once it answers. `--copy-from` starts from
a copy of a prepared folder, so tests prepare once and copy the database per shop.
"""

import argparse
import os
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAFF = ("staff@example.com", "oscar-staff")
# Seeded by `prepare`; the shopagent driver and tests refer to them by these names.
PARTNER, PRODUCT_CLASS = "Shop warehouse", "Standard"
# A second of each, for shops that choose theirs (the partner sorts after the first, which
# the dashboard offers first; the shipping event's name is not its code).
OTHER_PARTNER, OTHER_PRODUCT_CLASS = "Web fulfilment", "Homeware"
SHIPPING_EVENTS = [("shipped", "Shipped"), ("delivered", "Delivered"), ("dispatched", "Handed to the courier")]
# A second refund event type, whose name is not its code, for shops that choose theirs.
PAYMENT_EVENTS = [("paid", "Paid"), ("refunded", "Refunded"), ("repaid", "Money returned to the buyer")]


def _django(data: Path) -> None:
    os.environ["OSCAR_SHOP_DATA"] = str(data)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
    sys.path.insert(0, str(HERE))
    import django

    django.setup()


class _NoMigrations(dict):
    """MIGRATION_MODULES that says no app has migrations: `migrate` makes tables from the models."""

    def __contains__(self, app) -> bool:
        return True

    def __getitem__(self, app) -> None:
        return None


def _make_tables() -> None:
    """Oscar's tables made from its models, then its migrations recorded as applied: the
    schema its ~160 migrations make (all but one plain index on notifications' send date),
    in an eighth of the CPU time, which every test session pays once."""
    from django.conf import settings
    from django.core.management import call_command

    settings.MIGRATION_MODULES = _NoMigrations()
    call_command("migrate", verbosity=0, interactive=False, run_syncdb=True)
    settings.MIGRATION_MODULES = {}
    call_command("migrate", verbosity=0, interactive=False, fake=True)


def prepare(data: Path) -> None:
    """Make and seed a new shop in `data`."""
    data.mkdir(parents=True, exist_ok=True)
    (data / "db.sqlite3").unlink(missing_ok=True)
    _django(data)
    from django.contrib.auth import get_user_model
    from django.contrib.sites.models import Site
    from oscar.core.loading import get_model

    _make_tables()
    Site.objects.update_or_create(id=1, defaults={"domain": "127.0.0.1", "name": "Oscar test shop"})
    get_model("address", "Country").objects.update_or_create(
        iso_3166_1_a2="US", defaults={"iso_3166_1_a3": "USA", "iso_3166_1_numeric": "840", "name": "United States",
                                      "printable_name": "United States", "is_shipping_country": True})
    for name in (PARTNER, OTHER_PARTNER):
        get_model("partner", "Partner").objects.get_or_create(name=name)
    for name in (PRODUCT_CLASS, OTHER_PRODUCT_CLASS):
        get_model("catalogue", "ProductClass").objects.get_or_create(
            name=name, defaults={"requires_shipping": True, "track_stock": True})
    for code, name in SHIPPING_EVENTS:
        get_model("order", "ShippingEventType").objects.get_or_create(code=code, defaults={"name": name})
    for code, name in PAYMENT_EVENTS:
        get_model("order", "PaymentEventType").objects.get_or_create(code=code, defaults={"name": name})
    email = os.environ.get("OSCAR_SHOP_STAFF_EMAIL", STAFF[0])
    password = os.environ.get("OSCAR_SHOP_STAFF_PASSWORD", STAFF[1])
    user_model = get_user_model()
    if not user_model.objects.filter(email=email).exists():
        user_model.objects.create_superuser(username=email.split("@")[0][:30], email=email, password=password)
    media = data / "media"
    media.mkdir(exist_ok=True)
    import oscar

    shutil.copy(Path(oscar.__file__).parent / "static" / "oscar" / "img" / "image_not_found.jpg", media)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _announce_when_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            time.sleep(0.05)
            continue
        print(f"Oscar shop running at http://127.0.0.1:{port}", flush=True)
        return


def serve(data: Path, port: int) -> None:
    """Run the shop in `data` until stopped."""
    _django(data)
    from django.core.management import execute_from_command_line

    port = port or _free_port()
    threading.Thread(target=_announce_when_up, args=(port,), daemon=True).start()
    execute_from_command_line(["shop.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure",
                               "--skip-checks"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["prepare", "serve"])
    parser.add_argument("--data", type=Path, required=True, help="folder of the shop's database and media")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    parser.add_argument("--copy-from", type=Path, help="a prepared folder to copy into --data first")
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.data)
        return
    if args.copy_from is not None:
        shutil.copytree(args.copy_from, args.data, dirs_exist_ok=True)
    elif not (args.data / "db.sqlite3").exists():
        prepare(args.data)
    serve(args.data, args.port)


if __name__ == "__main__":
    main()
